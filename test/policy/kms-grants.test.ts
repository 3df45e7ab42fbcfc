/**
 * A KMS grant is a second resource policy on its key (policy/adapters/kms-grants.ts): it is judged
 * as the key-policy statement giving its grantee its operations on the key, by the same code as a
 * KeyPolicy (resource-policies.ts for agent roles, aws-principals.ts for other principals). The
 * happy path is a stack where agent charlie owns a KMS key and its tool decrypts with it.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { componentResources } from "../helpers/component-resources";
import { PLATFORM, agent } from "../helpers/fixtures";
import { runPack, ruleIds, UNKNOWN, type Resource, declaring } from "../helpers/policy-args";

const ACCOUNT = "111122223333";
const KEY_ID = "1234abcd-12ab-34cd-56ef-1234567890ab";
const KEY = `arn:aws:kms:us-east-1:${ACCOUNT}:key/${KEY_ID}`;
const MALLORY = `arn:aws:iam::${ACCOUNT}:user/mallory`;
const OWN_ROLE = `arn:aws:iam::${ACCOUNT}:role/acme-test-charlie-execution`;
const SHARE = "separation/undeclared-share";

const charlie = agent("charlie", {
  owns: ["arn:aws:s3:::acme-data/charlie/*", KEY],
  tools: [
    { name: "read-data", aws: [{ actions: ["s3:GetObject"], resources: ["arn:aws:s3:::acme-data/charlie/*"] }] },
    { name: "decrypt", aws: [{ actions: ["kms:Decrypt"], resources: [KEY] }] },
  ],
});
const grant = (props: Record<string, unknown>): Resource => ({
  type: "aws:kms/grant:Grant",
  name: "g",
  props: { keyId: KEY, granteePrincipal: MALLORY, operations: ["Decrypt"], ...props },
});
const keyPolicy = (principal: string, keyId = KEY): Resource => ({
  type: "aws:kms/keyPolicy:KeyPolicy",
  name: "kp",
  props: {
    keyId,
    policy: JSON.stringify({
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Principal: { AWS: principal },
          Action: "kms:Decrypt",
          Resource: KEY,
          Condition: { StringEquals: { "aws:RequestedRegion": "us-east-1" } },
        },
      ],
    }),
  },
});

let base: Resource[];
beforeAll(async () => {
  base = await componentResources({ platform: PLATFORM, agents: [agent("alpha"), charlie] });
}, 120_000);
const run = (extra: Resource, config: object = {}) => runPack([...base, extra], undefined, config);

describe("a KMS grant is judged as the key-policy statement it is equivalent to", () => {
  it("passes the stack without a grant", { timeout: 120_000 }, async () => {
    expect(ruleIds(await runPack(base))).toEqual([]);
  });

  it.each<[string, Resource]>([
    ["a grant on the key by ARN", grant({})],
    ["a grant on the key by its bare key id", grant({ keyId: KEY_ID })],
    ["a grant whose key id is unknown at preview", grant({ keyId: UNKNOWN })],
    ["a grant of every operation (unknown at preview)", grant({ operations: UNKNOWN })],
    ["the same access as a KeyPolicy", keyPolicy(MALLORY)],
  ])("refuses another principal's decrypt on an agent's key: %s", { timeout: 120_000 }, async (_name, extra) => {
    expect(ruleIds(await run(extra))).toContain(SHARE);
  });

  it("refuses a grant to *", { timeout: 120_000 }, async () => {
    expect(ruleIds(await run(grant({ granteePrincipal: "*" })))).toContain("iam/resource-policy");
  });

  it("refuses a grant whose grantee is unknown at preview", { timeout: 120_000 }, async () => {
    expect(ruleIds(await run(grant({ granteePrincipal: UNKNOWN })))).toContain("iam/resource-policy");
  });

  it("passes a grant to the owning agent's execution role of what its plan holds, as the KeyPolicy", { timeout: 120_000 }, async () => {
    // The key is not the stack's, so the KeyPolicy replacing its policy is declared (iam/resource-policy).
    expect(ruleIds(await run(keyPolicy(OWN_ROLE), declaring(keyPolicy(OWN_ROLE))))).toEqual([]);
    expect(ruleIds(await run(grant({ granteePrincipal: OWN_ROLE })))).toEqual([]);
  });

  it("refuses a grant to the owning agent's role of what its plan does not hold (another operation, the key in any region)", { timeout: 120_000 }, async () => {
    expect(ruleIds(await run(grant({ granteePrincipal: OWN_ROLE, operations: ["Decrypt", "CreateGrant"] })))).toContain(SHARE);
    expect(ruleIds(await run(grant({ granteePrincipal: OWN_ROLE, keyId: KEY_ID })))).toContain(SHARE);
  });

  it("passes a grant declared as a share the way a KeyPolicy share is declared, and only that one", { timeout: 120_000 }, async () => {
    const share = { name: "mallory-decrypt", principal: MALLORY, resources: [KEY], access: ["decrypt"], reason: "mallory reviews charlie's data" };
    expect(ruleIds(await run(keyPolicy(MALLORY), { shares: [share] }))).not.toContain(SHARE);
    expect(ruleIds(await run(grant({}), { shares: [share] }))).not.toContain(SHARE);
    expect(ruleIds(await run(grant({}), { shares: [{ ...share, principal: `arn:aws:iam::${ACCOUNT}:user/eve` }] }))).toContain(SHARE);
    expect(ruleIds(await run(grant({ operations: ["Decrypt", "ReEncryptFrom"] }), { shares: [share] }))).toContain(SHARE);
  });

  it("does not read the retiring principal as a grantee (it can only delete the grant)", { timeout: 120_000 }, async () => {
    expect(ruleIds(await run(grant({ granteePrincipal: OWN_ROLE, retiringPrincipal: MALLORY })))).toEqual([]);
  });
});
