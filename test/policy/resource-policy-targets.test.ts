/**
 * iam/resource-policy on the object a standalone resource policy replaces the policy of: beside the dev
 * stack (agents), a SecretPolicy or KeyPolicy on an object the stack does not create is refused until
 * declared; on an object of the stack (named by its output) it is judged by its statements only.
 */
import { describe, expect, it } from "vitest";
import { devBaseline } from "../helpers/dev-baseline";
import { declaring, ruleIds, runPack, UNKNOWN, type Resource } from "../helpers/policy-args";

const RULE = "iam/resource-policy";
const dev = devBaseline();
const ACC = "111122223333";
const readBy = (resource: string) =>
  JSON.stringify({
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Principal: { AWS: `arn:aws:iam::${ACC}:role/ops` }, Action: "secretsmanager:GetSecretValue", Resource: resource }],
  });
const secretPolicy = (props: Record<string, unknown>, dependsOn?: Record<string, string[]>): Resource => ({
  type: "aws:secretsmanager/secretPolicy:SecretPolicy",
  name: "unseal-policy",
  props: { policy: readBy("*"), ...props },
  ...(dependsOn ? { dependsOn } : {}),
});

describe("a standalone resource policy replaces the policy of an object of the stack, or is declared", () => {
  it("refuses a SecretPolicy on Vault's existing unseal secret until declared", async () => {
    const existing = secretPolicy({ secretArn: `arn:aws:secretsmanager:us-east-1:${ACC}:secret:vault/unseal-AbCdEf` });
    expect(await dev.added([existing])).toContain(RULE);
    expect(await dev.added([existing], declaring(existing))).not.toContain(RULE);
  }, 120_000);
  it("passes one on a secret of this stack, named by its output", async () => {
    const secret: Resource = { type: "aws:secretsmanager/secret:Secret", name: "app", props: { name: "app" } };
    expect(await dev.added([secret, secretPolicy({ secretArn: UNKNOWN }, { secretArn: ["app"] })])).not.toContain(RULE);
  }, 120_000);
  it("refuses a KeyPolicy on a key the stack does not create, and asks nothing of a stack without agents", async () => {
    const keyPolicy: Resource = {
      type: "aws:kms/keyPolicy:KeyPolicy",
      name: "k",
      props: { keyId: "1234abcd-12ab-34cd-56ef-1234567890ab", policy: readBy("*") },
    };
    expect(await dev.added([keyPolicy])).toContain(RULE);
    expect(ruleIds(await runPack([keyPolicy]))).not.toContain(RULE);
  }, 120_000);
});
