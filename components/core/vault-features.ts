/**
 * Which Vault server features the declaration's `platform.vault.version` and `edition` have.
 * A field a server does not know is silently dropped by Vault and then shows as a change on every
 * preview, so the plan only contains fields the declared server stores. An undeclared version has
 * none of the version-gated features (fail safe: leave the field out rather than emit it blind).
 */
import type { Platform } from "./schema";

export type VaultEdition = "community" | "enterprise";

export interface VaultFeature {
  /** Oldest Vault release with the feature, `major.minor.patch`. */
  readonly minVersion: string;
  /** Editions that have it. */
  readonly editions: readonly VaultEdition[];
  /** Where the requirement comes from. */
  readonly source: string;
}

export const VAULT_FEATURES = {
  /**
   * `alias_metadata` on Kubernetes-auth roles. terraform-provider-vault (which @pulumi/vault wraps)
   * added it in 5.5.0 for all auth roles, documents it as "Vault 1.21+" (vault/auth_token.go) and
   * runs its acceptance tests for it only against Vault Enterprise 1.21+. Emitted only there until
   * Community support is verified.
   */
  aliasMetadata: {
    minVersion: "1.21.0",
    editions: ["enterprise"],
    source: "terraform-provider-vault 5.5.0: alias_metadata, Vault 1.21+, tested against Enterprise only",
  },
  /**
   * Plugin workload identity federation: the AWS secrets engine assumes `role_arn` with a Vault
   * plugin identity token (`identity_token_audience`) instead of static keys. Vault 1.16 added it
   * as an Enterprise feature (Vault docs, "Plugin WIF"; @pulumi/vault aws.SecretBackend:
   * identityTokenAudience/roleArn "Requires Vault 1.16+").
   */
  pluginWorkloadIdentity: {
    minVersion: "1.16.0",
    editions: ["enterprise"],
    source: "Vault 1.16 plugin workload identity federation (Enterprise); @pulumi/vault aws.SecretBackend identityTokenAudience/roleArn",
  },
  /**
   * `session_tags` and `external_id` on AWS secret roles (assumed_role): hashicorp/vault#27620,
   * released in 1.17.2 (terraform-provider-vault#2290 added the role fields). An older Vault drops
   * both: sessions would carry no tags and every tool statement would deny.
   */
  awsSessionTags: {
    minVersion: "1.17.2",
    editions: ["community", "enterprise"],
    source: "hashicorp/vault#27620 (1.17.2): AWS secrets engine session_tags and external_id",
  },
} as const satisfies Record<string, VaultFeature>;

export type VaultFeatureName = keyof typeof VAULT_FEATURES;

/** Compare `a.b.c` versions numerically; a missing part counts as 0. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split(".").map(Number);
  const pb = b.split(".").map(Number);
  for (let i = 0; i < 3; i++) {
    const diff = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (diff !== 0) return diff < 0 ? -1 : 1;
  }
  return 0;
}

// Asked once per identity and feature across a fleet, of the same few versions: answered once each.
const answers = new Map<string, boolean>();

export function vaultSupports(vault: Pick<Platform["vault"], "version" | "edition">, feature: VaultFeatureName): boolean {
  if (vault.version === undefined) return false;
  const key = `${vault.version}\u0000${vault.edition}\u0000${feature}`;
  let answer = answers.get(key);
  if (answer === undefined) {
    const need: VaultFeature = VAULT_FEATURES[feature];
    answer = compareVersions(vault.version, need.minVersion) >= 0 && need.editions.includes(vault.edition);
    if (answers.size > 1_000) answers.clear();
    answers.set(key, answer);
  }
  return answer;
}
