/**
 * KMS aliases (policy/adapters/kms-aliases.ts, stack/kms-alias): an alias the stack writes may be an
 * existing one it imports, and an import whose targetKeyId differs re-points it (UpdateAlias), so in a
 * stack with agents every alias waits for the security team's declaration. The happy path is the
 * components' own stack (stacks/Pulumi.dev.yaml) with a key of the stack; each case adds one alias.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { componentResources } from "../helpers/component-resources";
import { stackDeclaration } from "../helpers/fixtures";
import { declaring, ruleIds, runPack, UNKNOWN, type Resource } from "../helpers/policy-args";

const RULE = "stack/kms-alias";
const key: Resource = {
  type: "aws:kms/key:Key",
  name: "reports-key",
  props: { description: "reports", enableKeyRotation: true },
};
const alias = (props: Record<string, unknown>): Resource => ({
  type: "aws:kms/alias:Alias",
  name: "reports-alias",
  props: { targetKeyId: UNKNOWN, ...props },
  dependsOn: { targetKeyId: ["reports-key"] },
});

let base: Resource[];
let baseline: Set<string>;
beforeAll(async () => {
  base = [...(await componentResources(stackDeclaration("dev"))), key];
  baseline = new Set((await runPack(base)).map((r) => r.message));
}, 120_000);

const adds = async (extra: Resource, config: object = {}) =>
  ruleIds((await runPack([...base, extra], undefined, config)).filter((r) => !baseline.has(r.message)));

describe("KMS aliases in a stack with agents", () => {
  it("refuses an alias naming a key of the stack (it may be alias/vault-unseal imported and re-pointed) until declared", async () => {
    const unseal = alias({ name: "alias/vault-unseal" });
    expect(await adds(unseal)).toEqual([RULE]);
    const known = alias({ name: "alias/vault-unseal", targetKeyId: "1234abcd-12ab-34cd-56ef-1234567890ab" });
    expect(await adds(known)).toEqual([RULE]);
    expect(await adds(known, declaring(known))).toEqual([]);
  }, 120_000);

  it("refuses a name the stack never wrote (namePrefix, or no name: an import keeps the existing name)", async () => {
    expect(await adds(alias({ namePrefix: "alias/reports-" }))).toEqual([RULE]);
    expect(await adds(alias({}))).toEqual([RULE]);
  }, 120_000);

  it("leaves aliases to stacks without agents", async () => {
    expect(ruleIds(await runPack([key, alias({ name: "alias/vault-unseal" })]))).toEqual([]);
  }, 120_000);
});
