/**
 * kubernetes/eks-access, the roles a Pod Identity association lends (closed world): only a role the
 * stack creates, whatever namespace the ServiceAccount is in, for roleArn and targetRoleArn alike;
 * anything else only when the security team declares the association (kubernetesPlatformResources).
 * Checked per resource, before the association is created: at update a role ARN that was unknown at
 * preview is known, and a program may have computed it from a stack role into any role
 * (`stackRole.arn.apply(() => platformAdminArn)`), which the stack policy would see only after the
 * association exists. Each case changes one property of an association in `tools` beside the dev stack.
 */
import { describe, expect, it } from "vitest";
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { createPolicies } from "../../policy/policies";
import { devBaseline } from "../helpers/dev-baseline";
import { UNKNOWN, declaring, ruleIds, withExclusivePolicies, declaringPlatformIam, type Resource } from "../helpers/policy-args";
import { podIdentityTrust } from "../helpers/pod-identity-trust";

const RULE = "kubernetes/eks-access";
const ACC = "111122223333";
const PLATFORM_ADMIN = `arn:aws:iam::${ACC}:role/platform-admin`;
const dev = devBaseline();
/** Hand-written roles here hold only the stack's policies (iam/principal-exclusive-policies has its own tests). */
const added = (extra: Resource[], config?: object) => dev.added(withExclusivePolicies(extra), declaringPlatformIam(extra, config));
const addedFindings = (extra: Resource[], config?: object) => dev.addedFindings(withExclusivePolicies(extra), declaringPlatformIam(extra, config));

/** The names of the pack's per-resource policies: what the engine runs before it creates a resource. */
const RESOURCE_POLICIES = new Set(
  createPolicies()
    .filter((p) => (p as ResourceValidationPolicy).validateResource !== undefined)
    .map((p) => p.name),
);
/** Rule ids reported by per-resource policies only. */
const beforeCreation = async (extra: Resource[], config?: object) =>
  ruleIds((await addedFindings(extra, config)).filter((r) => RESOURCE_POLICIES.has(r.policy)));

/** A Pod Identity trust as trust/pod-identity-session-tags wants it: one account, cluster, namespace and ServiceAccount. */
const podTrust = podIdentityTrust(ACC, "dev", "tools", "runner");
const toolsRole: Resource = { type: "aws:iam/role:Role", name: "tools-runner", props: { name: "tools-runner", assumeRolePolicy: podTrust } };
const association = (props: Record<string, unknown> = {}, dependsOn?: Record<string, string[]>): Resource => ({
  type: "aws:eks/podIdentityAssociation:PodIdentityAssociation",
  name: "tools-pia",
  props: { clusterName: "dev", namespace: "tools", serviceAccount: "runner", roleArn: `arn:aws:iam::${ACC}:role/tools-runner`, ...props },
  ...(dependsOn ? { dependsOn } : {}),
});

describe("the roles a Pod Identity association lends", () => {
  it("an association in tools lending a role the stack creates passes (the happy path)", async () => {
    expect(await added([toolsRole, association()])).toEqual([]);
  }, 120_000);

  it("refuses an existing role (the platform's), before creation", async () => {
    expect(await added([toolsRole, association({ roleArn: PLATFORM_ADMIN })])).toEqual([RULE]);
    expect(await beforeCreation([toolsRole, association({ roleArn: PLATFORM_ADMIN })])).toEqual([RULE]);
  }, 120_000);

  it("passes the existing role when the security team declares the association", async () => {
    const declared = association({ roleArn: PLATFORM_ADMIN });
    expect(await added([toolsRole, declared], declaring(declared))).toEqual([]);
  }, 120_000);

  it("refuses a targetRoleArn the stack does not create (role chaining into another account)", async () => {
    expect(await added([toolsRole, association({ targetRoleArn: "arn:aws:iam::444455556666:role/prod-admin" })])).toEqual([RULE]);
  }, 120_000);

  it("refuses a role of the stack's name in another account (the stack policy compares the provider's account)", async () => {
    expect(await added([toolsRole, association({ roleArn: "arn:aws:iam::444455556666:role/tools-runner" })])).toEqual([RULE]);
  }, 120_000);

  describe("a role ARN unknown at preview", () => {
    it("passes at preview when it is an output of a role the stack creates", async () => {
      expect(await added([toolsRole, association({ roleArn: UNKNOWN }, { roleArn: ["tools-runner"] })])).toEqual([]);
    }, 120_000);
    it("refuses at update, before creation, the value computed from it (stackRole.arn.apply(() => platformAdminArn))", async () => {
      // At update the engine sends the resolved value; the property dependencies still name the stack's role.
      expect(await beforeCreation([toolsRole, association({ roleArn: PLATFORM_ADMIN }, { roleArn: ["tools-runner"] })])).toEqual([RULE]);
    }, 120_000);
    it("refuses it when it comes from no role of the stack", async () => {
      expect(await added([toolsRole, association({ roleArn: UNKNOWN })])).toEqual([RULE]);
    }, 120_000);
    it("refuses it for a ServiceAccount in an agent namespace (the role must be known to be the identity's)", async () => {
      const inAgentNamespace = association(
        { roleArn: UNKNOWN, namespace: "acme-dev-support-assistant", serviceAccount: "helper" },
        { roleArn: ["tools-runner"] },
      );
      expect(await added([toolsRole, inAgentNamespace])).toContain(RULE);
    }, 120_000);
  });

  describe("which roles the resource check knows", () => {
    it("passes an auto-named role of the stack (pulumi-aws names it <name>-<7 hex> in Check)", async () => {
      const auto: Resource = { type: "aws:iam/role:Role", name: "auto", props: { assumeRolePolicy: podTrust } };
      expect(await beforeCreation([auto, association({ roleArn: `arn:aws:iam::${ACC}:role/auto-1a2b3c4` })])).toEqual([]);
      expect(await beforeCreation([auto, association({ roleArn: `arn:aws:iam::${ACC}:role/auto-admin` })])).toEqual([RULE]);
    }, 120_000);
    it("refuses a literal ARN of a role registered after the association (take it from the role's arn output)", async () => {
      expect(await beforeCreation([association(), toolsRole])).toEqual([RULE]);
    }, 120_000);
  });
});
