/**
 * iam/principal-exclusive-policies: a hand-written role, user or group is an import twin of any
 * existing one of its name unless it manages its managed and inline policies exclusively. The cases
 * run in a stack without agents (where iam/platform-role-declared, which asks a declaration of every
 * non-agent role beside agents, does not apply), and on the dev stack's own agent roles. Each case
 * starts from a principal with both exclusives (passes) and changes one thing.
 */
import { describe, expect, it } from "vitest";
import { devBaseline } from "../helpers/dev-baseline";
import { UNKNOWN, declaring, exclusivePolicies, ruleIds, runPack, type Resource } from "../helpers/policy-args";

const RULE = "iam/principal-exclusive-policies";
const dev = devBaseline();
/** The pack's rule ids on `resources` alone: a stack without agents. */
const alone = async (resources: readonly Resource[], config?: object) => ruleIds(await runPack(resources, undefined, config));

const trustLambda = JSON.stringify({
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }],
});
const logs = JSON.stringify({
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Action: "logs:PutLogEvents", Resource: "arn:aws:logs:us-east-1:111122223333:log-group:/aws/lambda/shop:*" }],
});
const role: Resource = { type: "aws:iam/role:Role", name: "shop-fn", props: { name: "vault-server", assumeRolePolicy: trustLambda } };
const inline: Resource = { type: "aws:iam/rolePolicy:RolePolicy", name: "shop-fn-logs", props: { name: "logs", role: "vault-server", policy: logs } };
const [managed, inlineOnly] = exclusivePolicies(role, ["logs"]);
const fn: Resource = {
  type: "aws:lambda/function:Function",
  name: "shop",
  props: { role: UNKNOWN, runtime: "python3.12", handler: "h", code: {} },
  dependsOn: { role: ["shop-fn"] },
};
const twin = [role, inline, managed, inlineOnly, fn];
const without = (r: Resource) => twin.filter((x) => x !== r);
const replacing = (r: Resource, props: Record<string, unknown>) => twin.map((x) => (x === r ? { ...x, props: { ...x.props, ...props } } : x));

describe("a role the stack creates holds only the policies the stack writes", () => {
  it("passes a role named like an existing one (vault-server) that manages both policy sets exclusively", async () => {
    expect(await alone(twin)).toEqual([]);
  }, 120_000);
  it("refuses it without the managed-policy exclusive, or without the inline one, until declared", async () => {
    expect(await alone(without(managed))).toEqual([RULE]);
    expect(await alone(without(inlineOnly))).toEqual([RULE]);
    expect(await alone(without(inlineOnly), declaring(role))).toEqual([]);
  }, 120_000);
  it("accepts the role's own (deprecated) exclusive inputs instead", async () => {
    const own = { ...role, props: { ...role.props, managedPolicyArns: [], inlinePolicies: [{ name: "logs", policy: logs }] } };
    expect(await alone([own, fn])).toEqual([]);
    // An empty inlinePolicies list does not take inline policies over.
    expect(await alone([{ ...own, props: { ...own.props, inlinePolicies: [] } }, fn])).toEqual([RULE]);
  }, 120_000);
  it("refuses an inline exclusive keeping a name the stack does not write; dropping its own only removes grants", async () => {
    expect(await alone(replacing(inlineOnly, { policyNames: ["logs", "admin"] }))).toEqual([RULE]);
    expect(await alone(replacing(inlineOnly, { policyNames: [] }))).toEqual([]);
    expect(await alone(replacing(inlineOnly, { policyNames: UNKNOWN }))).toEqual([RULE]);
  }, 120_000);
  it("matches exclusives to the role by name case-insensitively or by ARN; a name unknown at preview is refused", async () => {
    expect(await alone(replacing(managed, { roleName: "VAULT-SERVER" }))).toEqual([]);
    expect(await alone(replacing(managed, { roleName: "arn:aws:iam::111122223333:role/vault-server" }))).toEqual([]);
    const traced = twin.map((x) => (x === inlineOnly ? { ...x, props: { ...x.props, roleName: UNKNOWN }, dependsOn: { roleName: ["shop-fn"] } } : x));
    // Unknown at preview, even traced to the role: it could be an agent role's name at update.
    expect(await alone(traced)).toEqual(["iam/attached-policy"]);
    // An exclusive for another role does not count.
    expect(await alone(replacing(managed, { roleName: "other" }))).toEqual([RULE]);
  }, 120_000);
  it("refuses a role whose name is unknown at preview", async () => {
    expect(await alone(replacing(role, { name: UNKNOWN }))).toContain(RULE);
  }, 120_000);
  it("refuses, with no declaration possible, an agent role's inline exclusive that drops its audit Deny", async () => {
    const exclusive = dev.base().find((r) => r.type === "aws:iam/rolePoliciesExclusive:RolePoliciesExclusive")!;
    const names = exclusive.props.policyNames as string[];
    expect(names.length).toBeGreaterThan(0);
    const stripped = dev.base().map((r) => (r === exclusive ? { ...r, props: { ...r.props, policyNames: names.slice(1) } } : r));
    expect(ruleIds(await runPack(stripped))).toContain(RULE);
    expect(ruleIds(await runPack(stripped, undefined, declaring(exclusive)))).toContain(RULE);
  }, 120_000);
  it("refuses an agent role without its exclusives (no declaration waives it)", async () => {
    const exclusive = dev.base().find((r) => r.type === "aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive")!;
    const rest = dev.base().filter((r) => r !== exclusive);
    expect(ruleIds(await runPack(rest))).toContain(RULE);
    const agentRole = dev.base().find((r) => r.type === "aws:iam/role:Role" && r.props.name === exclusive.props.roleName)!;
    expect(ruleIds(await runPack(rest, undefined, declaring(agentRole)))).toContain(RULE);
  }, 120_000);
});

describe("users and groups the stack creates hold only the policies the stack writes", () => {
  const readOnly = JSON.stringify({
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::acme-ops-reports/*" }],
  });
  const group: Resource = { type: "aws:iam/group:Group", name: "ops", props: { name: "Administrators" } };
  const groupPolicy: Resource = {
    type: "aws:iam/groupPolicy:GroupPolicy",
    name: "ops-read",
    props: { name: "read", group: "Administrators", policy: readOnly },
  };
  const user: Resource = { type: "aws:iam/user:User", name: "ci", props: { name: "admin" } };
  const membership: Resource = {
    type: "aws:iam/userGroupMembership:UserGroupMembership",
    name: "ci-ops",
    props: { user: UNKNOWN, groups: [UNKNOWN] },
    dependsOn: { user: ["ci"], groups: ["ops"] },
  };

  it("passes a group twin (Administrators) and a user with both exclusives each", async () => {
    expect(await alone([group, groupPolicy, ...exclusivePolicies(group, ["read"]), user, ...exclusivePolicies(user), membership])).toEqual([]);
  }, 120_000);
  it("refuses the group without its exclusives: a stack user added to an imported Administrators group gets its policies", async () => {
    expect(await alone([group, groupPolicy, user, ...exclusivePolicies(user), membership])).toEqual([RULE]);
    const [managedOnly] = exclusivePolicies(group, ["read"]);
    expect(await alone([group, groupPolicy, managedOnly, user, ...exclusivePolicies(user), membership])).toEqual([RULE]);
  }, 120_000);
  it("refuses a group exclusive keeping an inline policy the stack does not write", async () => {
    expect(await alone([group, groupPolicy, ...exclusivePolicies(group, ["read", "admin"]), user, ...exclusivePolicies(user), membership])).toEqual([RULE]);
  }, 120_000);
  it("refuses an access key for a user even with its exclusives: an imported user keeps its group memberships", async () => {
    const key: Resource = { type: "aws:iam/accessKey:AccessKey", name: "ci-key", props: { user: UNKNOWN }, dependsOn: { user: ["ci"] } };
    // The user itself is declared (iam/platform-object-declared); the key still is not.
    expect(await dev.added([user, ...exclusivePolicies(user), key], declaring(user))).toEqual(["iam/outside-principal"]);
    // Declared by its inputs digest, which a value unknown at preview does not have: named by a known value.
    const named = { ...key, props: { user: "admin" }, dependsOn: undefined };
    expect(await dev.added([user, ...exclusivePolicies(user), named], declaring(user))).toEqual(["iam/outside-principal"]);
    expect(await dev.added([user, ...exclusivePolicies(user), named], declaring(user, named))).toEqual([]);
  }, 120_000);
});
