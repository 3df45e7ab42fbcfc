/**
 * KMS aliases (stack/kms-alias), in a stack with agents. An alias is a name clients encrypt by
 * (`alias/vault-unseal` in Vault's awskms seal, `KmsKeyId: alias/…` in S3, Secrets Manager, EBS
 * ...): whoever points it picks the key their new ciphertexts are made with, so whoever that key's
 * policy admits reads them, and whoever can schedule the key's deletion can lose them.
 *
 * A new alias re-points nobody: KMS CreateAlias refuses a name that exists in the account and Region
 * (AlreadyExistsException, KMS API reference). But a policy cannot tell an alias the stack creates
 * from an existing one it imports (the import option is not sent to policies), and since
 * pulumi/pulumi PR #19339 an import whose inputs differ imports then updates: for an alias, a
 * changed `targetKeyId` is KMS UpdateAlias ("associates an existing alias with a different KMS key"),
 * the provider's in-place update. So `aws.kms.Alias("alias/vault-unseal" → a key of the stack)`
 * re-points the platform's alias to a key whose policy the stack writes. Judging the target key does
 * not help (it is the stack's, and passes as one); neither the name nor `namePrefix` proves the alias
 * new (an import keeps the name, or a prefix matching the existing one). Closed world: every KMS
 * alias is refused unless the security team declares it (kubernetesPlatformResources, by URN and
 * inputs digest), which vouches that the name is no alias anyone else encrypts by.
 */
import { asString } from "../inputs";
import type { Adapter } from "../types";
import { agentNamespaces } from "./agent-namespaces";
import { declarablePlatformFinding, readOfType } from "./shared";

const RULE = "stack/kms-alias";
export const KMS_ALIAS_TYPE = "aws:kms/alias:Alias";

export const kmsAliases: Adapter = {
  family: "kms-aliases",
  holdings: "none: an alias decides which key clients that encrypt by its name use, not who holds what",
  types: [
    {
      type: KMS_ALIAS_TYPE,
      route: "names the key clients encrypt with by name; imported, it re-points an existing alias (UpdateAlias) to a key of the stack",
      checkedBy: [RULE],
    },
  ],
  stack: (ix, pass) => {
    if (agentNamespaces(ix).size === 0) return;
    for (const r of readOfType(ix, KMS_ALIAS_TYPE)) {
      const name = asString(r.v.name) ?? (asString(r.v.namePrefix) !== undefined ? `${asString(r.v.namePrefix)}…` : "(a name unknown at preview)");
      pass.findings.push(
        declarablePlatformFinding(
          r.resource,
          RULE,
          `KMS alias ${r.resource.name} (${name}) in a stack with agents: a policy cannot tell an alias the stack creates from an existing one it imports (the import option is not sent to policies, and an import whose targetKeyId differs re-points the alias with UpdateAlias), so it may re-point a name the platform encrypts by (alias/vault-unseal, a bucket's or secret's key) to a key whose policy this stack writes`,
          "refer to the stack's keys by their ARN (key.arn) rather than by an alias",
        ),
      );
    }
  },
};
