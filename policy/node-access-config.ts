/**
 * Node access the security team declares for the pack, in CrossGuard policy configuration
 * (`kubernetesNodeAccess`, beside `exceptions`, `kubernetesOperators` and
 * `kubernetesPlatformResources`): set on the policy group outside the pull request, so a change
 * cannot declare its own workload. A declaration names one workload as the cluster knows it (kind,
 * namespace and metadata.name, not the Pulumi name), the containers it covers with the image of each, and the exact grants
 * they may hold beyond the Pod Security Standards baseline (`hostPath:/var/log`,
 * `capability:NET_ADMIN`, `privileged`, `csi:<driver>` ...: the grants kubernetes/node-access names
 * in its findings). A grant not listed, a grant reaching a container not listed (an added sidecar
 * mounting the declared hostPath; a pod-level grant such as hostPID, or any grant with
 * shareProcessNamespace, reaches every container), another image in a declared container, the
 * same workload in another namespace or under another name, or a field unknown at preview stays
 * refused. A configuration that does not parse
 * declares nothing.
 */
import { z } from "zod";

/** A workload kind (policy/adapters/workloads.ts) or a custom resource's kind carrying a pod template (Rollout ...). */
const KIND = /^[A-Z][A-Za-z0-9]{0,62}$/;
const DNS_NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;
const NAMESPACE = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const CONTAINER = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
/** The grants policy/checks/node-access.ts names. */
const GRANT =
  /^(?:privileged|hostNetwork|hostPID|hostIPC|windowsHostProcess|hostPath:\/[^\s]{0,4095}|hostPort:\d{1,5}|capability:[A-Za-z_]{1,64}|procMount:[A-Za-z]{1,32}|seLinux(?:Type|User|Role):[^\s]{1,253}|seccomp:[A-Za-z]{1,32}|appArmor:[^\s]{1,300}|sysctl:[A-Za-z0-9_./-]{1,253}|probeHost:[^\s]{1,253}|csi:[A-Za-z0-9._-]{1,253}|flexVolume:[^\s]{1,253})$/;

const nodeAccessSchema = z
  .object({
    kind: z.string().regex(KIND, "the workload's kind as its type token ends, e.g. DaemonSet (DaemonSetPatch for a patch)"),
    namespace: z.string().regex(NAMESPACE, "the workload's metadata.namespace"),
    name: z.string().regex(DNS_NAME, "the workload's metadata.name (set explicitly: a generated name is never declared)"),
    containers: z
      .array(z.string().regex(CONTAINER, "a container name"))
      .min(1)
      .max(50)
      .describe("every container the grants may reach: a grant reaching any other container (an added one) stays refused"),
    images: z
      .record(
        z.string().regex(CONTAINER, "a container name"),
        z
          .string()
          .min(1)
          .max(1024)
          .refine((image) => !/[\s\p{Cc}\p{Cf}]/u.test(image), "no whitespace, control or format characters"),
      )
      .describe("the image of every listed container, as the workload writes it (pin a digest): another image in a declared container stays refused"),
    grants: z
      .array(
        z
          .string()
          .max(4200)
          .regex(GRANT, "a grant as kubernetes/node-access names it, e.g. hostPath:/proc or capability:SYS_TIME")
          // No control or format character (NUL, bidi controls) in a path or label.
          .refine((grant) => !/[\p{Cc}\p{Cf}]/u.test(grant), "no control or format characters"),
      )
      .min(1)
      .max(50),
    reason: z.string().min(10).max(500),
    approvedBy: z.string().min(1).max(200),
  })
  .strict()
  .refine(
    (entry) => entry.containers.length === Object.keys(entry.images).length && entry.containers.every((c) => Object.hasOwn(entry.images, c)),
    "images names exactly the listed containers",
  );
const nodeAccessListSchema = z.array(nodeAccessSchema).max(200);

const { $schema: _drop, ...jsonSchema } = z.toJSONSchema(nodeAccessListSchema, { io: "input" }) as Record<string, unknown>;
void _drop;

/** The `kubernetesNodeAccess` property of every policy's configuration schema. */
export const NODE_ACCESS_CONFIG_PROPERTY = jsonSchema;

/** One grant of one workload (kind, namespace, metadata.name) as a finding names it, with the containers it reaches. */
export interface NodeAccessGrant {
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  readonly grant: string;
  /** The containers the grant reaches: the one it is set on, those mounting a hostPath volume, every container for a pod-level grant. */
  readonly containers: readonly string[];
  /** The image of each container reached (a container without a known image is never declared). */
  readonly images: Readonly<Record<string, string>>;
}

/** Declarations by workload (`<kind>/<namespace>/<name>`): each with its grants and containers. */
export type DeclaredNodeAccess = ReadonlyMap<
  string,
  ReadonlyArray<{ readonly grants: ReadonlySet<string>; readonly containers: ReadonlySet<string>; readonly images: ReadonlyMap<string, string> }>
>;

const workloadKey = (kind: string, namespace: string, name: string) => `${kind}/${namespace}/${name}`;
const NONE: DeclaredNodeAccess = new Map();
const parsedOf = new WeakMap<object, DeclaredNodeAccess>();

/** Every declaration in a policy's configuration (none when it does not parse), parsed once per configuration object. */
export function declaredNodeAccess(config: unknown): DeclaredNodeAccess {
  if (!config || typeof config !== "object") return NONE;
  const known = parsedOf.get(config);
  if (known) return known;
  const raw = (config as { kubernetesNodeAccess?: unknown }).kubernetesNodeAccess;
  const parsed = raw === undefined ? undefined : nodeAccessListSchema.safeParse(raw);
  const out = new Map<string, Array<{ grants: ReadonlySet<string>; containers: ReadonlySet<string>; images: ReadonlyMap<string, string> }>>();
  if (parsed?.success)
    for (const entry of parsed.data) {
      const key = workloadKey(entry.kind, entry.namespace, entry.name);
      out.set(key, [
        ...(out.get(key) ?? []),
        { grants: new Set(entry.grants), containers: new Set(entry.containers), images: new Map(Object.entries(entry.images)) },
      ]);
    }
  parsedOf.set(config, out);
  return out;
}

/** Whether one declaration of the workload lists the grant and every container it reaches. */
export function isDeclaredNodeAccess(declared: DeclaredNodeAccess, grant: NodeAccessGrant): boolean {
  return (declared.get(workloadKey(grant.kind, grant.namespace, grant.name)) ?? []).some(
    (entry) =>
      entry.grants.has(grant.grant) &&
      grant.containers.every(
        (container) => entry.containers.has(container) && Object.hasOwn(grant.images, container) && entry.images.get(container) === grant.images[container],
      ),
  );
}
