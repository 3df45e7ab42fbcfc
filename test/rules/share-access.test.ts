/** Shares give named access (components/rules/data/share-access.ts), not an access level. One property changed per case. */
import { describe, expect, it } from "vitest";
import { compileFleet } from "../../components/core/compile";
import { parseDeclaration, type AgentInput, type PlatformInput } from "../../components/core/schema";
import { ALL_RULES, evaluatePlan } from "../../components/rules";
import { SHARE_ACCESS } from "../../components/rules/data/share-access";
import { lookupAction } from "../../components/core/iam-catalog";
import { PLATFORM, TODAY, agent } from "../helpers/fixtures";

const KEY = `arn:aws:kms:us-east-1:${PLATFORM.aws.accountId}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const share = { name: "data-key", resource: KEY, access: [{ name: "decrypt" as const, agents: ["a"] }] };
const consumer = (actions: string[]) => agent("a", { tools: [{ name: "t", aws: [{ actions, resources: [KEY] }] }] });

function rulesOf(agents: AgentInput[], platform: PlatformInput = { ...PLATFORM, shared: [share] }) {
  const plan = compileFleet(parseDeclaration({ platform, agents }), "test");
  return [...new Set(evaluatePlan(plan, ALL_RULES, TODAY).violations.map((v) => v.rule))].sort();
}

describe("named share access", () => {
  it("every named access names actions the IAM reference knows", () => {
    for (const access of Object.values(SHARE_ACCESS)) for (const action of access.actions) expect(lookupAction(action), action).toBeDefined();
  });

  it("a key shared for decrypt lets its consumer decrypt", () => {
    expect(rulesOf([consumer(["kms:Decrypt"])])).toEqual([]);
  });

  it("a key shared for decrypt does not let its consumer schedule its deletion, encrypt or change its policy", () => {
    for (const action of ["kms:ScheduleKeyDeletion", "kms:Encrypt", "kms:PutKeyPolicy", "kms:CreateGrant"])
      expect(rulesOf([consumer([action])]), action).toContain("separation/shared-access");
  });

  it("an agent the access does not name gets nothing", () => {
    expect(rulesOf([consumer(["kms:Decrypt"]), agent("b")], { ...PLATFORM, shared: [{ ...share, access: [{ name: "decrypt", agents: ["b"] }] }] })).toContain(
      "separation/shared-access",
    );
  });

  it("a named access of another type is refused in the share", () => {
    expect(rulesOf([agent("a")], { ...PLATFORM, shared: [{ ...share, access: [{ name: "read-objects", agents: ["a"] }] }] })).toContain(
      "separation/share-declaration",
    );
  });

  it("a share of a type no agent may own states its risk", () => {
    const zone = {
      name: "zone",
      resource: "arn:aws:route53:::hostedzone/Z0123456789ABCDEFGHIJ",
      access: [{ name: "read-hosted-zone" as const, agents: ["a"] }],
    };
    expect(rulesOf([agent("a")], { ...PLATFORM, shared: [zone] })).toContain("separation/share-declaration");
    expect(rulesOf([agent("a")], { ...PLATFORM, shared: [{ ...zone, risk: "reveals public DNS records" }] })).toEqual([]);
  });

  it("the schema refuses an access level or an unknown name", () => {
    expect(() => parseDeclaration({ platform: { ...PLATFORM, shared: [{ name: "x", resource: KEY, read: ["a"] }] } as never, agents: [agent("a")] })).toThrow();
    expect(() =>
      parseDeclaration({ platform: { ...PLATFORM, shared: [{ ...share, access: [{ name: "admin", agents: ["a"] }] }] } as never, agents: [agent("a")] }),
    ).toThrow();
  });
});
