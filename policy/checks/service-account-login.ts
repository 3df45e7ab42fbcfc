/**
 * Could a Vault JWT/OIDC auth role accept a Kubernetes ServiceAccount token of a given namespace?
 * Read as hashicorp/vault-plugin-auth-jwt reads a login (path_login.go, claims.go): `bound_subject`
 * must equal `sub`; every `bound_claims` key must be present in the token (a key starting with `/`
 * is a JSON pointer, any other a top-level claim) and one of its values must equal the claim, or
 * glob-match it with `bound_claims_type: glob`; `user_claim` must name a string claim (a top-level
 * one, or a JSON pointer with `user_claim_json_pointer`). Bound audiences are not read: a pod of an
 * agent namespace may project a token for any audience.
 *
 * A ServiceAccount token carries `iss`, `sub` (`system:serviceaccount:<ns>:<name>`), `aud`, `exp`,
 * `iat`, `nbf`, `jti` and a `kubernetes.io` object (namespace, serviceaccount, pod, node, ...). Only
 * `sub` and `kubernetes.io/namespace` are predictable per namespace; every other claim the token
 * carries is read as "may hold any value" (a ServiceAccount name included: any ServiceAccount of an
 * agent namespace counts), and a claim it does not carry excludes the token.
 */
import { globMatches, globsIntersect } from "../../components/core/patterns";

export interface JwtRoleBindings {
  readonly boundSubject?: string;
  readonly boundClaims: Readonly<Record<string, string>>;
  readonly boundClaimsType?: string;
  readonly userClaim?: string;
  readonly userClaimJsonPointer?: boolean;
}

/** Whether the role may accept such a token, and whether it did so by naming the namespace (its subject or namespace claim). */
export interface LoginReach {
  readonly accepts: boolean;
  readonly namesNamespace: boolean;
}

/** A claim key as path segments: a JSON pointer (`/kubernetes.io/namespace`, `~1` for `/`) or one top-level key. */
function claimPath(key: string): string[] {
  if (!key.startsWith("/")) return [key];
  return key
    .slice(1)
    .split("/")
    .map((segment) => segment.replace(/~1/g, "/").replace(/~0/g, "~"));
}

type ClaimValue = "subject" | "namespace" | "any" | "absent";

/** What a ServiceAccount token holds at a path. */
function tokenClaim(path: readonly string[]): ClaimValue {
  const [head, ...rest] = path;
  if (head === "sub" && rest.length === 0) return "subject";
  if (head === "kubernetes.io") {
    if (rest.length === 0) return "absent"; // an object: Vault compares only strings, numbers, booleans and lists
    return rest.length === 1 && rest[0] === "namespace" ? "namespace" : "any";
  }
  if (["iss", "jti", "exp", "iat", "nbf"].includes(head) && rest.length === 0) return "any";
  if (head === "aud" && (rest.length === 0 || (rest.length === 1 && /^\d{1,4}$/.test(rest[0])))) return "any";
  return "absent";
}

/** String claims `user_claim` may name (Vault refuses a login whose user claim is missing or not a string). */
function stringClaim(path: readonly string[]): boolean {
  const [head, ...rest] = path;
  if (["sub", "iss", "jti"].includes(head) && rest.length === 0) return true;
  if (head === "aud") return rest.length === 1;
  return head === "kubernetes.io" && rest.length >= 1;
}

/** Whether a namespace's ServiceAccount tokens may pass a role's bindings. */
export function loginReach(role: JwtRoleBindings, namespace: string): LoginReach {
  const subjectPrefix = `system:serviceaccount:${namespace}:`;
  const glob = role.boundClaimsType === "glob";
  const matchesSubject = (value: string, asGlob: boolean) =>
    asGlob ? globsIntersect(value, `${subjectPrefix}*`) : value.startsWith(subjectPrefix) && value.length > subjectPrefix.length;
  let namesNamespace = false;
  const userClaim = role.userClaim ?? "sub";
  if (!stringClaim(role.userClaimJsonPointer ? claimPath(userClaim) : [userClaim])) return { accepts: false, namesNamespace };
  if (role.boundSubject) {
    if (!matchesSubject(role.boundSubject, false)) return { accepts: false, namesNamespace };
    namesNamespace = true;
  }
  for (const [key, raw] of Object.entries(role.boundClaims)) {
    // A comma-separated value is a list (the provider splits it).
    const values = raw.split(",").map((value) => value.trim());
    const claim = tokenClaim(claimPath(key));
    if (claim === "absent") return { accepts: false, namesNamespace };
    if (claim === "any") continue;
    const matches = values.some((value) => (claim === "subject" ? matchesSubject(value, glob) : glob ? globMatches(value, namespace) : value === namespace));
    if (!matches) return { accepts: false, namesNamespace };
    namesNamespace = true;
  }
  return { accepts: true, namesNamespace };
}
