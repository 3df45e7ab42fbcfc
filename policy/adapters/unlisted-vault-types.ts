/**
 * Closed world over Vault type tokens (stack/unread-package): every type @pulumi/vault exports is read
 * or named out of scope by an adapter (test/policy/type-classification.test.ts), but a program may
 * send a token the package no longer exports, such as a legacy alias the provider still serves
 * (`vault:appRole/authBackendRoleSecretID:AuthBackendRoleSecretID`, the old spelling of the AppRole
 * SecretID type), by writing `new pulumi.CustomResource(token, …)`. No adapter reads it, so it is
 * refused unless declared, like a resource of a package the pack does not read.
 */
import { platformResourceKey } from "../platform-resources-config";
import type { Adapter, ResourceProblem } from "../types";

const RULE = "stack/unread-package";

/** The adapter, given every type token the other adapters list or read by name (the legacy token role type, vault-deploy-time-tokens.ts). */
export function unlistedVaultTypes(listed: ReadonlySet<string>): Adapter {
  return {
    family: "unlisted-vault-types",
    holdings: "none: a Vault type token no adapter lists is unread",
    types: [],
    matchesType: (type) => type.startsWith("vault:") && !listed.has(type),
    check: (resource): ResourceProblem[] => [
      {
        rule: RULE,
        platformResource: platformResourceKey(resource.type, resource.name),
        message: `${resource.type} ${resource.name} is a Vault type the pack does not list (not exported by the installed @pulumi/vault, such as a legacy alias): what it writes is unread`,
        fix: "use the type @pulumi/vault exports today, or have the security team declare this resource (kubernetesPlatformResources)",
      },
    ],
  };
}
