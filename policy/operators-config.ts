/**
 * Platform operators the security team declares for the pack, in CrossGuard policy configuration
 * (`kubernetesOperators`, beside `exceptions`): set on the policy group outside the pull request, so
 * a change cannot declare its own subject. A declared subject (a User, Group or ServiceAccount that
 * is not an agent) may hold read-only rights over agents' namespaces (get, list, watch on objects
 * other than Secrets, tokens and pod connections); anything more is refused whatever the
 * declaration says. A configuration that does not parse declares nothing.
 */
import { z } from "zod";

/** `User:<name>`, `Group:<name>` or `ServiceAccount:<namespace>/<name>`: how findings name a subject. */
const SUBJECT = /^(?:(?:User|Group):[^\s]{1,253}|ServiceAccount:[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?\/[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?)$/;

export const operatorSchema = z
  .object({
    subject: z.string().max(300).regex(SUBJECT, "User:<name>, Group:<name> or ServiceAccount:<namespace>/<name>"),
    reason: z.string().min(10).max(500),
    approvedBy: z.string().min(1).max(200),
  })
  .strict();
const operatorsSchema = z.array(operatorSchema).max(200);

const { $schema: _drop, ...operatorsJsonSchema } = z.toJSONSchema(operatorsSchema, { io: "input" }) as Record<string, unknown>;
void _drop;

/** The `kubernetesOperators` property of every policy's configuration schema. */
export const OPERATORS_CONFIG_PROPERTY = operatorsJsonSchema;

/** How a binding's subject is named in findings and in the declaration. */
export function subjectKey(subject: Readonly<Record<string, string | undefined>>, bindingNamespace: string): string {
  const kind = subject.kind ?? "?";
  return kind === "ServiceAccount" ? `ServiceAccount:${subject.namespace ?? bindingNamespace}/${subject.name ?? ""}` : `${kind}:${subject.name ?? ""}`;
}

/** The subjects declared in a policy's configuration (none when it does not parse). */
export function declaredOperators(config: unknown): ReadonlySet<string> {
  const raw = config && typeof config === "object" ? (config as { kubernetesOperators?: unknown }).kubernetesOperators : undefined;
  if (raw === undefined) return new Set();
  const parsed = operatorsSchema.safeParse(raw);
  return parsed.success ? new Set(parsed.data.map((operator) => operator.subject)) : new Set();
}
