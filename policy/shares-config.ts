/**
 * Shares with principals that are not agent identities, declared by the security team in CrossGuard
 * policy configuration (`configSchema`), set on the policy group outside the pull request under
 * review: a hand-written resource cannot declare its own share, as it could with a tag, a label,
 * an annotation or a component's registered outputs (any program can register a component of the
 * same type, or parent a resource under one). A finding of separation/undeclared-share or
 * separation/agent-data-copy is dropped only when one declared share names the principal and covers
 * every agent resource the finding reports. A configuration that does not parse declares nothing.
 */
import { z } from "zod";
import type { PolicyConfigSchema } from "@pulumi/policy";
import { globMatches } from "../components/core/patterns";

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
  reason: z.string().min(10).max(500),
});
export type PrincipalShare = z.output<typeof principalShareSchema>;

const sharesSchema = z.array(principalShareSchema).max(1000);
const { $schema: _drop, ...sharesJsonSchema } = z.toJSONSchema(sharesSchema, { io: "input" }) as Record<string, unknown>;
void _drop;

export const SHARES_CONFIG_PROPERTIES: PolicyConfigSchema["properties"] = { shares: sharesJsonSchema as PolicyConfigSchema["properties"][string] };

/** The declared shares of a policy's configuration; none when absent or unparsable. */
export function sharesDeclared(config: unknown): readonly PrincipalShare[] {
  const raw = config && typeof config === "object" ? (config as { shares?: unknown }).shares : undefined;
  if (raw === undefined) return [];
  const parsed = sharesSchema.safeParse(raw);
  return parsed.success ? parsed.data : [];
}

/** A finding that carries what a share must cover (separation/undeclared-share, separation/agent-data-copy). */
export interface ShareScope {
  readonly principals: readonly string[];
  readonly resources: readonly string[];
}

/** True when one declared share names one of the principal's ids and covers every resource reached (names compared as written, case-insensitively). */
export function isDeclaredShare(scope: ShareScope, shares: readonly PrincipalShare[]): boolean {
  return shares.some(
    (share) =>
      scope.principals.some((id) => id.toLowerCase() === share.principal.toLowerCase()) &&
      scope.resources.every((resource) => share.resources.some((declared) => declared === resource || globMatches(declared, resource))),
  );
}
