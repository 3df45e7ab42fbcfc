/**
 * A workload's pod template: labelled as an agent's or in an agent namespace, it mounts no default
 * API token (`automountServiceAccountToken: true` would put a token valid for a year in every
 * container); and every projected ServiceAccount token any workload mounts is bounded, as
 * agent.workload() builds it (expirationSeconds at most TOKEN_EXPIRY_MAX; unset, the API server's
 * default is an hour but a cluster flag can make it much longer).
 */
import { TOKEN_EXPIRY_MAX } from "../../components/core/workload";
import type { Problem } from "../../components/rules/define";

const RULE = "kubernetes/projected-token";

/**
 * `automount`: judge automountServiceAccountToken (an agent's pod: labelled, or in an agent
 * namespace); `projected`: judge projected tokens (every pod: no token without a bounded lifetime).
 */
export function checkPodTokens(
  label: string,
  podSpec: unknown,
  judge: { automount: boolean; projected: boolean } = { automount: true, projected: true },
): Problem[] {
  if (!podSpec || typeof podSpec !== "object") return [];
  const spec = podSpec as { automountServiceAccountToken?: unknown; volumes?: unknown };
  const problems: Problem[] = [];
  if (judge.automount && spec.automountServiceAccountToken === true)
    problems.push({
      rule: RULE,
      message: `${label} sets automountServiceAccountToken: true: every container gets the ServiceAccount's API token`,
      fix: "leave it false and mount the bounded Vault token agent.workload(kind) builds",
    });
  const volumes = judge.projected && Array.isArray(spec.volumes) ? spec.volumes : [];
  for (const volume of volumes) {
    const sources = (volume as { projected?: { sources?: unknown } } | null)?.projected?.sources;
    for (const source of Array.isArray(sources) ? sources : []) {
      const token = (source as { serviceAccountToken?: { expirationSeconds?: unknown } } | null)?.serviceAccountToken;
      if (!token) continue;
      const seconds = token.expirationSeconds;
      if (typeof seconds !== "number" || !(seconds <= TOKEN_EXPIRY_MAX))
        problems.push({
          rule: RULE,
          message: `${label} projects a ServiceAccount token (volume ${String((volume as { name?: unknown }).name ?? "?")}) with expirationSeconds ${seconds === undefined ? "unset" : String(seconds)}, more than ${TOKEN_EXPIRY_MAX}s or unbounded`,
          fix: `set expirationSeconds to at most ${TOKEN_EXPIRY_MAX} (agent.workload(kind) uses 600)`,
        });
    }
  }
  return problems;
}
