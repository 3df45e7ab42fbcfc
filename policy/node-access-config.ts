/**
 * Node access the security team declares for the pack, in CrossGuard policy configuration
 * (`kubernetesNodeAccess`, beside `exceptions`, `kubernetesOperators` and
 * `kubernetesPlatformResources`): set on the policy group outside the pull request, so a change
 * cannot declare its own workload. A declaration names one workload (type token and Pulumi name),
 * the namespace it runs in, and the exact grants it may hold beyond the Pod Security Standards
 * baseline (`hostPath:/var/log`, `capability:NET_ADMIN`, `privileged` ...: the grants
 * kubernetes/node-access names in its findings). A grant not listed, the same workload in another
 * namespace, or a field unknown at preview stays refused. A configuration that does not parse
 * declares nothing.
 */
import { z } from "zod";

/** `<Pulumi type token>::<Pulumi resource name>` of a workload kind (policy/adapters/workloads.ts). */
const WORKLOAD = /^kubernetes:(?:core|apps|batch)\/v1:[A-Za-z]{1,40}::[^\s]{1,253}$/;
const NAMESPACE = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
/** The grants policy/checks/node-access.ts names. */
const GRANT =
  /^(?:privileged|hostNetwork|hostPID|hostIPC|windowsHostProcess|hostPath:\/[^\s]{0,4095}|hostPort:\d{1,5}|capability:[A-Za-z_]{1,64}|procMount:[A-Za-z]{1,32}|seLinux(?:Type|User|Role):[^\s]{1,253}|seccomp:[A-Za-z]{1,32}|appArmor:[^\s]{1,300}|sysctl:[A-Za-z0-9_./-]{1,253}|probeHost:[^\s]{1,253})$/;

const nodeAccessSchema = z
  .object({
    workload: z.string().max(400).regex(WORKLOAD, "<type token>::<resource name>, e.g. kubernetes:apps/v1:DaemonSet::node-exporter"),
    namespace: z.string().regex(NAMESPACE, "the workload's metadata.namespace"),
    grants: z.array(z.string().max(4200).regex(GRANT, "a grant as kubernetes/node-access names it, e.g. hostPath:/proc or capability:SYS_TIME")).min(1).max(50),
    reason: z.string().min(10).max(500),
    approvedBy: z.string().min(1).max(200),
  })
  .strict();
const nodeAccessListSchema = z.array(nodeAccessSchema).max(200);

const { $schema: _drop, ...jsonSchema } = z.toJSONSchema(nodeAccessListSchema, { io: "input" }) as Record<string, unknown>;
void _drop;

/** The `kubernetesNodeAccess` property of every policy's configuration schema. */
export const NODE_ACCESS_CONFIG_PROPERTY = jsonSchema;

/** How a finding names one grant of one workload in one namespace, as a declaration would cover it. */
export const nodeAccessKey = (type: string, name: string, namespace: string, grant: string) => `${type}::${name}@${namespace}#${grant}`;

/** Every declared grant in a policy's configuration, as nodeAccessKey names it (none when it does not parse). */
export function declaredNodeAccess(config: unknown): ReadonlySet<string> {
  const raw = config && typeof config === "object" ? (config as { kubernetesNodeAccess?: unknown }).kubernetesNodeAccess : undefined;
  if (raw === undefined) return new Set();
  const parsed = nodeAccessListSchema.safeParse(raw);
  if (!parsed.success) return new Set();
  return new Set(
    parsed.data.flatMap((entry) => {
      const at = entry.workload.indexOf("::");
      return entry.grants.map((grant) => nodeAccessKey(entry.workload.slice(0, at), entry.workload.slice(at + 2), entry.namespace, grant));
    }),
  );
}
