/**
 * What a pod template reaches on its node beyond the Pod Security Standards baseline profile
 * (pod-security-baseline.ts): privileged containers, host namespaces, hostPath volumes, host ports,
 * added capabilities, unmasked /proc, SELinux, seccomp and AppArmor overrides, unsafe sysctls, Windows
 * HostProcess and probe hosts. Any of these reads the node's files or processes, and with them every
 * pod's projected ServiceAccount and Vault tokens under /var/lib/kubelet/pods. Each is named as a
 * grant (`hostPath:/var/log`, `capability:NET_ADMIN`) that the security team may declare for one
 * workload (policy/node-access-config.ts). A relevant field unknown at preview is a grant of its own
 * that no declaration covers.
 */
import {
  APPARMOR_ANNOTATION_PREFIX,
  BASELINE_CAPABILITIES,
  BASELINE_PROC_MOUNT,
  BASELINE_PROFILE_TYPES,
  BASELINE_SELINUX_TYPES,
  BASELINE_SYSCTLS,
  baselineAppArmorAnnotation,
} from "./pod-security-baseline";

/** One thing a pod template reaches beyond baseline: the declarable grant, the field that sets it, and what it does. */
export interface NodeGrant {
  /** `privileged`, `hostPath:/var/log` ...: what a declaration lists; undefined for an unknown field (never declarable). */
  readonly grant: string | undefined;
  /** The field, from the resource's inputs (e.g. `spec.template.spec.volumes[0].hostPath`). */
  readonly field: string;
  readonly what: string;
  /** The containers it reaches: the one it is set on, those mounting the volume, or every container (pod-level). */
  readonly containers: readonly string[];
  /** The image of each container it reaches, as written (absent: none, or not a string). */
  readonly images: Readonly<Record<string, string>>;
}

const CONTAINER_LISTS = ["containers", "initContainers", "ephemeralContainers"] as const;
const PROBES = ["livenessProbe", "readinessProbe", "startupProbe"] as const;

type Obj = Record<string, unknown>;
const obj = (value: unknown): Obj => (value && typeof value === "object" && !Array.isArray(value) ? (value as Obj) : {});
const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const text = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined);

/**
 * Fields whose value decides node access, as segment patterns under the pod template (`*` any one
 * segment; a pattern ending in `**` covers everything below). An unknown path that is an ancestor of,
 * equal to, or inside one of these hides a grant.
 */
const RELEVANT: readonly (readonly string[])[] = [
  ["metadata", "annotations", "**"],
  ["spec", "hostNetwork"],
  ["spec", "hostPID"],
  ["spec", "hostIPC"],
  ["spec", "volumes", "*", "hostPath", "**"],
  ["spec", "volumes", "*", "csi", "**"],
  ["spec", "volumes", "*", "flexVolume", "**"],
  ["spec", "volumes", "*", "name"],
  ["spec", "securityContext", "**"],
  ...CONTAINER_LISTS.flatMap((c) => [
    ["spec", c, "*", "name"],
    ["spec", c, "*", "volumeMounts", "**"],
    ["spec", c, "*", "securityContext", "**"],
    ["spec", c, "*", "ports", "*", "hostPort"],
    ...PROBES.flatMap((p) => [["spec", c, "*", p, "*", "host"]]),
    ["spec", c, "*", "lifecycle", "*", "*", "host"],
  ]),
];

function relevantUnknown(segments: readonly string[]): boolean {
  return RELEVANT.some((pattern) => {
    for (let i = 0; i < segments.length; i++) {
      const want = pattern[i];
      if (want === undefined) return false; // below a leaf field: not this pattern
      if (want === "**") return true;
      if (want !== "*" && want !== segments[i]) return false;
    }
    return true; // the unknown path is the field itself or one of its ancestors
  });
}

/** `spec.template.spec.volumes.0.hostPath` → `spec.template.spec.volumes[0].hostPath`. */
const fieldName = (segments: readonly string[]) => segments.map((s, i) => (/^\d+$/.test(s) ? `[${s}]` : `${i ? "." : ""}${s}`)).join("");

/**
 * Grants of one pod template. `at` is where the template sits in the resource's inputs (`[]` for a
 * Pod, `["spec", "template"]` for a Deployment); `unknown` are the resource's unknown input paths.
 */
export function nodeGrants(template: unknown, at: readonly string[], unknown: readonly string[]): NodeGrant[] {
  const grants: NodeGrant[] = [];
  const field = (...rest: (string | number)[]) => fieldName([...at, ...rest.map(String)]);
  const t = obj(template);
  const spec = obj(t.spec);
  // Container names (index when unnamed), and which containers mount each volume: a grant reaches exactly those.
  const containers: string[] = [];
  const imageOf = new Map<string, string>();
  const mounting = new Map<string, string[]>();
  for (const c of CONTAINER_LISTS)
    list(spec[c]).forEach((container, i) => {
      const name = text(obj(container).name) ?? `${c}[${i}]`;
      containers.push(name);
      const image = text(obj(container).image);
      if (image !== undefined) imageOf.set(name, image);
      for (const mount of list(obj(container).volumeMounts)) {
        const volume = text(obj(mount).name) ?? "";
        mounting.set(volume, [...(mounting.get(volume) ?? []), name]);
      }
    });
  let reach: readonly string[] = containers;
  // With one process namespace every container reaches the others' files (/proc/<pid>/root): a grant reaches them all.
  const shared = spec.shareProcessNamespace === true;
  const add = (grant: string | undefined, where: string, what: string) => {
    const reached = shared ? containers : reach;
    const images: Record<string, string> = {};
    for (const container of reached) {
      const image = imageOf.get(container);
      if (image !== undefined) images[container] = image;
    }
    grants.push({ grant, field: where, what, containers: reached, images });
  };

  for (const path of unknown) {
    const segments = path.split(".");
    if (at.every((key, i) => segments[i] === key) && relevantUnknown(segments.slice(at.length)))
      add(undefined, fieldName(segments), "is unknown at preview, so what it reaches on the node cannot be checked");
    else if (segments.length < at.length && at.slice(0, segments.length).every((key, i) => segments[i] === key))
      add(undefined, fieldName(segments), "is unknown at preview, so the pod template cannot be checked");
  }

  for (const [key, value] of Object.entries(obj(obj(t.metadata).annotations)))
    if (key.startsWith(APPARMOR_ANNOTATION_PREFIX) && typeof value === "string" && !baselineAppArmorAnnotation(value))
      add(`appArmor:${value}`, field("metadata", "annotations", key), `sets AppArmor profile ${value}`);
  for (const hostNamespace of ["hostNetwork", "hostPID", "hostIPC"] as const)
    if (spec[hostNamespace] === true)
      add(
        hostNamespace,
        field("spec", hostNamespace),
        `shares the node's ${hostNamespace.slice(4)} namespace${hostNamespace === "hostPID" ? " (every process on the node, its files through /proc)" : ""}`,
      );
  list(spec.volumes).forEach((volume, i) => {
    const v = obj(volume);
    reach = mounting.get(text(v.name) ?? "") ?? [];
    const mountedBy = reach.length ? ` into container${reach.length > 1 ? "s" : ""} ${reach.join(", ")}` : "";
    if (v.hostPath !== undefined) {
      const path = text(obj(v.hostPath).path) ?? "(no path)";
      add(`hostPath:${path}`, field("spec", "volumes", i, "hostPath"), `mounts the node's ${path} (hostPath)${mountedBy}`);
    }
    if (v.csi !== undefined) {
      const driver = text(obj(v.csi).driver) ?? "(no driver)";
      if (!INLINE_CSI_DRIVERS.has(driver))
        add(
          `csi:${driver}`,
          field("spec", "volumes", i, "csi", "driver"),
          `mounts an inline CSI volume of driver ${driver}${mountedBy}, which is not on the list of drivers that expose no node path (a hostpath or local driver hands over the node's files)`,
        );
    }
    if (v.flexVolume !== undefined) {
      const driver = text(obj(v.flexVolume).driver) ?? "(no driver)";
      add(
        `flexVolume:${driver}`,
        field("spec", "volumes", i, "flexVolume"),
        `mounts a FlexVolume of driver ${driver}${mountedBy}: a binary on the node mounts whatever its options say`,
      );
    }
  });
  reach = containers;
  securityContextGrants(obj(spec.securityContext), (...rest) => field("spec", "securityContext", ...rest), add, true);
  for (const c of CONTAINER_LISTS)
    list(spec[c]).forEach((container, i) => {
      const ct = obj(container);
      const name = text(ct.name) ?? `${c}[${i}]`;
      reach = [name];
      const at = (...rest: (string | number)[]) => field("spec", c, i, ...rest);
      const sc = obj(ct.securityContext);
      if (sc.privileged === true)
        add("privileged", at("securityContext", "privileged"), `runs container ${name} privileged (every device and capability of the node)`);
      for (const capability of list(obj(sc.capabilities).add))
        if (typeof capability !== "string" || !BASELINE_CAPABILITIES.has(capability))
          add(
            `capability:${String(capability)}`,
            at("securityContext", "capabilities", "add"),
            `adds capability ${String(capability)} to container ${name}, beyond baseline's list`,
          );
      if (sc.procMount !== undefined && sc.procMount !== BASELINE_PROC_MOUNT)
        add(
          `procMount:${String(sc.procMount)}`,
          at("securityContext", "procMount"),
          `gives container ${name} an unmasked /proc (procMount ${String(sc.procMount)})`,
        );
      securityContextGrants(sc, (...rest) => at("securityContext", ...rest), add, false);
      list(ct.ports).forEach((port, p) => {
        const hostPort = obj(port).hostPort;
        if (hostPort !== undefined && hostPort !== 0)
          add(`hostPort:${String(hostPort)}`, at("ports", p, "hostPort"), `binds the node's port ${String(hostPort)} for container ${name}`);
      });
      const handlers: [string[], unknown][] = [
        ...PROBES.flatMap((probe) => ["httpGet", "tcpSocket"].map((kind): [string[], unknown] => [[probe, kind], obj(obj(ct[probe])[kind]).host])),
        ...["postStart", "preStop"].flatMap((hook) =>
          ["httpGet", "tcpSocket"].map((kind): [string[], unknown] => [["lifecycle", hook, kind], obj(obj(obj(ct.lifecycle)[hook])[kind]).host]),
        ),
      ];
      for (const [path, host] of handlers)
        if (host !== undefined && host !== "")
          add(`probeHost:${String(host)}`, at(...path, "host"), `has the kubelet connect from the node to host ${String(host)} for container ${name}`);
    });
  return grants;
}

/**
 * CSI drivers a pod may mount inline (`volumes[].csi`) without a declaration: they expose no node
 * path, only what they fetch with the pod's own identity. The Secrets Store CSI driver's documented
 * name (kubernetes-sigs/secrets-store-csi-driver, deploy/csidriver.yaml: `secrets-store.csi.k8s.io`)
 * and Mountpoint for Amazon S3's (awslabs/mountpoint-s3-csi-driver: `s3.csi.aws.com`). Every other
 * driver (`hostpath.csi.k8s.io`, local-path, a vendor's) is a grant the security team declares.
 */
export const INLINE_CSI_DRIVERS: ReadonlySet<string> = new Set(["secrets-store.csi.k8s.io", "s3.csi.aws.com"]);

/** SELinux, seccomp, AppArmor, Windows HostProcess (pod or container level) and sysctls (pod level). */
function securityContextGrants(
  sc: Obj,
  at: (...rest: (string | number)[]) => string,
  add: (grant: string | undefined, where: string, what: string) => void,
  pod: boolean,
): void {
  const se = obj(sc.seLinuxOptions);
  if (se.type !== undefined && !BASELINE_SELINUX_TYPES.has(String(se.type)))
    add(`seLinuxType:${String(se.type)}`, at("seLinuxOptions", "type"), `sets SELinux type ${String(se.type)}`);
  for (const key of ["user", "role"] as const)
    if (se[key] !== undefined && se[key] !== "")
      add(`seLinux${key === "user" ? "User" : "Role"}:${String(se[key])}`, at("seLinuxOptions", key), `sets SELinux ${key} ${String(se[key])}`);
  for (const profile of ["seccompProfile", "appArmorProfile"] as const) {
    const type = obj(sc[profile]).type;
    if (type !== undefined && !BASELINE_PROFILE_TYPES.has(String(type)))
      add(`${profile === "seccompProfile" ? "seccomp" : "appArmor"}:${String(type)}`, at(profile, "type"), `sets ${profile} ${String(type)}`);
  }
  if (obj(sc.windowsOptions).hostProcess === true)
    add("windowsHostProcess", at("windowsOptions", "hostProcess"), "runs as a Windows HostProcess container (the node's own processes)");
  if (pod)
    list(sc.sysctls).forEach((sysctl, i) => {
      const name = text(obj(sysctl).name) ?? "(no name)";
      if (!BASELINE_SYSCTLS.has(name)) add(`sysctl:${name}`, at("sysctls", i, "name"), `sets sysctl ${name}, outside baseline's namespaced list`);
    });
}
