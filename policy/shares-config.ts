/**
 * Shares with principals that are not agent identities, declared by the security team in CrossGuard
 * policy configuration (`configSchema`), set on the policy group outside the pull request under
 * review: a hand-written resource cannot declare its own share, as it could with a tag, a label,
 * an annotation or a component's registered outputs (any program can register a component of the
 * same type, or parent a resource under one). A finding of separation/undeclared-share or
 * separation/agent-data-copy is dropped only when one declared share names the principal, covers
 * every agent resource the finding reports, gives every action it grants by a named access
 * (`access`, components/rules/data/share-access.ts: the same names as platform.shared[].access) and,
 * for a copy, names every destination it sends the data to. A configuration that does not parse
 * declares nothing.
 */
import { z } from "zod";
import type { PolicyConfigSchema } from "@pulumi/policy";
import { globMatches } from "../components/core/patterns";
import { SHARE_ACCESS_NAMES } from "../components/rules/data/share-access";
import { accessesGive, accessesGiving } from "../components/rules/ownable";

const pattern = z.string().min(1).max(2048);
export const principalShareSchema = z.strictObject({
  name: z.string().regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, "a DNS label"),
  /** The principal as the finding names it: `iam:role/<name>`, `iam:user/<name>`, `iam:group/<name>`, `sso:permission-set/<arn>`, a principal ARN or service a resource policy admits, `resource:<type>/<name>` for a copy, or `agent:<agent>/<identity>` for what an agent identity reaches beyond what compile derives for it (a Vault path, a role in the agents' account, a database connection `vault:database/<name>`, an AWS resource outside its `owns`). */
  principal: pattern,
  /** ARN patterns (or `k8s:namespace/<name>`) of the agent resources shared; `*` only at the end of a concrete prefix. */
  resources: z
    .array(pattern.refine((value) => !/[*?]/.test(value.replace(/\/\*$/, "")), "no wildcard but a trailing /*"))
    .min(1)
    .max(100),
  /** What the principal may do, by name (components/rules/data/share-access.ts: `read-objects` is s3:GetObject and s3:GetObjectVersion); a grant of any other action is still refused. */
  access: z.array(z.enum(SHARE_ACCESS_NAMES)).min(1).max(50).optional(),
  /** For a copy (`resource:…`): every place it sends the data, exactly as its inputs name them (a bucket ARN, an account id, a destination name). */
  destinations: z
    .array(pattern.refine((value) => !/[*?]/.test(value), "no wildcard"))
    .min(1)
    .max(100)
    .optional(),
  reason: z.string().min(10).max(500),
});
export type PrincipalShare = z.output<typeof principalShareSchema>;

const sharesSchema = z.array(principalShareSchema).max(1000);
const { $schema: _drop, ...sharesJsonSchema } = z.toJSONSchema(sharesSchema, { io: "input" }) as Record<string, unknown>;
void _drop;

export const SHARES_CONFIG_PROPERTIES: PolicyConfigSchema["properties"] = { shares: sharesJsonSchema as PolicyConfigSchema["properties"][string] };

/** Parsed shares by the configuration's list: a finding is judged against it once per finding, the list parsed once. */
const parsedShares = new WeakMap<object, readonly PrincipalShare[]>();

/** The declared shares of a policy's configuration; none when absent or unparsable. */
export function sharesDeclared(config: unknown): readonly PrincipalShare[] {
  const raw = config && typeof config === "object" ? (config as { shares?: unknown }).shares : undefined;
  if (raw === undefined) return [];
  const known = raw !== null && typeof raw === "object" ? parsedShares.get(raw) : undefined;
  if (known) return known;
  const parsed = sharesSchema.safeParse(raw);
  const shares = parsed.success ? parsed.data : [];
  if (raw !== null && typeof raw === "object") parsedShares.set(raw, shares);
  return shares;
}

/** A finding that carries what a share must cover (separation/undeclared-share, separation/agent-data-copy). */
export interface ShareScope {
  readonly principals: readonly string[];
  readonly resources: readonly string[];
  /** The actions granted, as written (a managed policy's reach by its access levels, which no named access gives); absent where the finding grants no AWS action (a Kubernetes namespace, a copy). */
  readonly actions?: readonly string[];
  /** Where a copy sends the data, as its inputs name it; absent for a grant. */
  readonly destinations?: readonly string[];
}

/** Whether a finding is declared, and if a share names its principal and resources but not all it does, what the security team would add. */
export type ShareDecision = { readonly declared: true } | { readonly declared: false; readonly missing?: string };

const SHOWN = 4;
const list = (values: readonly string[]) => `${values.slice(0, SHOWN).join(", ")}${values.length > SHOWN ? ` and ${values.length - SHOWN} more` : ""}`;

/** What one share lacks for a scope; empty when it covers it. */
function lacks(scope: ShareScope, share: PrincipalShare): string[] {
  const out: string[] = [];
  const beyond = (scope.actions ?? []).filter((action) => !accessesGive(share.access ?? [], action));
  if (beyond.length) {
    const names = [...new Set(beyond.flatMap(accessesGiving))];
    out.push(
      `${share.access ? `its access (${share.access.join(", ")}) does not give` : "it lists no access (named actions) for"} ${list(beyond)}: ` +
        (names.length && beyond.every((action) => accessesGiving(action).length > 0)
          ? `if intended, the security team adds access: [${names.join(", ")}]`
          : "no named access gives it (components/rules/data/share-access.ts names the exact actions; a pattern or a managed policy must be written as exact actions)"),
    );
  }
  const away = (scope.destinations ?? []).filter((destination) => !(share.destinations ?? []).includes(destination));
  if (away.length) out.push(`it does not name the destination ${list(away)}: if intended, the security team adds destinations: [${away.join(", ")}]`);
  return out;
}

/**
 * Declared when one share names one of the principal's ids (case-insensitively), covers every
 * resource reached, gives every action granted and names every destination of a copy.
 */
export function shareDecision(scope: ShareScope, shares: readonly PrincipalShare[]): ShareDecision {
  const candidates = shares.filter(
    (share) =>
      scope.principals.some((id) => id.toLowerCase() === share.principal.toLowerCase()) &&
      scope.resources.every((resource) => share.resources.some((declared) => declared === resource || globMatches(declared, resource))),
  );
  if (candidates.length === 0) return { declared: false };
  const gaps = candidates.map((share) => ({ share, lacking: lacks(scope, share) }));
  if (gaps.some((gap) => gap.lacking.length === 0)) return { declared: true };
  const { share, lacking } = gaps[0]!;
  return { declared: false, missing: `declared share "${share.name}" names this principal and these resources, but ${lacking.join("; ")}` };
}

/** True when a declared share covers the finding (shareDecision). */
export const isDeclaredShare = (scope: ShareScope, shares: readonly PrincipalShare[]): boolean => shareDecision(scope, shares).declared;
