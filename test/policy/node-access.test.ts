/**
 * kubernetes/node-access: a workload of any kind, in any namespace, whose pods reach the node beyond
 * the Pod Security Standards baseline profile is refused before it is created, unless the security
 * team declared that grant for that workload in that namespace (kubernetesNodeAccess). Each case
 * changes one property of a baseline-compatible workload, checked alone through every policy of the
 * pack (the check needs no other resource).
 */
import { describe, expect, it } from "vitest";
import { WORKLOAD_TYPES } from "../../policy/adapters/workloads";
import { declaredNodeAccess } from "../../policy/node-access-config";
import { compileFleet } from "../../components/core/compile";
import { parseDeclaration } from "../../components/core/schema";
import { workloadIdentity } from "../../components/core/workload";
import { PLATFORM, agent } from "../helpers/fixtures";
import { UNKNOWN, ruleIds, runPack, type Resource } from "../helpers/policy-args";

const RULE = "kubernetes/node-access";

/** A pod spec the baseline profile admits, touching every field the rule reads with an allowed value. */
const podSpec = (): Record<string, unknown> => ({
  hostNetwork: false,
  securityContext: { seccompProfile: { type: "RuntimeDefault" }, sysctls: [{ name: "net.ipv4.ip_local_port_range", value: "1024 65535" }] },
  volumes: [{ name: "scratch", emptyDir: {} }],
  containers: [
    {
      name: "shipper",
      image: "registry.example.com/shipper:1.0",
      ports: [{ containerPort: 8080 }],
      securityContext: { privileged: false, capabilities: { drop: ["ALL"], add: ["NET_BIND_SERVICE"] }, procMount: "Default" },
      livenessProbe: { httpGet: { path: "/healthz", port: 8080 } },
    },
  ],
});

type Spec = ReturnType<typeof podSpec>;
const container = (spec: Spec) => (spec.containers as Record<string, unknown>[])[0];

/** A workload of `type` in `namespace` with the pod spec after `change`. */
function workload(change: (spec: Spec) => void = () => {}, type = "kubernetes:apps/v1:DaemonSet", namespace = "kube-system"): Resource {
  const spec = podSpec();
  change(spec);
  const template = { metadata: { labels: { app: "shipper" } }, spec };
  const path = WORKLOAD_TYPES[type];
  let props: Record<string, unknown> = template;
  for (const key of [...path].reverse()) props = { [key]: props };
  if (path.length === 0) props = { ...props, metadata: { ...template.metadata, name: "shipper", namespace } };
  else props = { ...props, metadata: { name: "shipper", namespace } };
  return { type, name: "shipper", props };
}

const reportedFor = async (resource: Resource, config: object = {}) => runPack([resource], undefined, config);
/** The images the happy path's containers run (the shipper, and a sidecar some cases add). */
const IMAGES: Record<string, string> = { shipper: "registry.example.com/shipper:1.0", exfil: "evil/exfil" };
const declare = (
  grants: string[],
  namespace = "kube-system",
  kind = "DaemonSet",
  name = "shipper",
  containers = ["shipper"],
  images = Object.fromEntries(containers.map((c) => [c, IMAGES[c]])),
) => ({
  kubernetesNodeAccess: [
    { kind, namespace, name, containers, images, grants, reason: "node log shipper, reviewed by the security team", approvedBy: "security@acme.example" },
  ],
});

describe("a workload whose pods stay within the Pod Security baseline passes", () => {
  it.each(Object.keys(WORKLOAD_TYPES))(
    "%s (the happy path)",
    async (type) => {
      expect(ruleIds(await reportedFor(workload(() => {}, type)))).toEqual([]);
    },
    60_000,
  );
});

describe("an agent's own workload, built with the workload helper, passes", () => {
  it("a Deployment spreading agent.workload(kind)", async () => {
    const plan = compileFleet(parseDeclaration({ platform: PLATFORM, agents: [agent("alpha")] }), "test");
    const w = workloadIdentity(
      plan.agents[0].identities.find((identity) => identity.kind === "execution")!,
      { vaultAudience: "vault" },
    );
    const deployment: Resource = {
      type: "kubernetes:apps/v1:Deployment",
      name: "alpha",
      props: {
        metadata: w.metadata,
        spec: {
          selector: { matchLabels: w.labels },
          template: { metadata: { labels: w.labels }, spec: { ...w.podSpec, containers: [{ name: "agent", image: "agent:1", ...w.container }] } },
        },
      },
    };
    expect(ruleIds(await reportedFor(deployment)).filter((id) => id === RULE)).toEqual([]);
  }, 60_000);
});

describe("node access beyond baseline is refused, in any kind and namespace", () => {
  it.each(Object.keys(WORKLOAD_TYPES))(
    "%s mounting hostPath /var/lib/kubelet/pods",
    async (type) => {
      const reported = await reportedFor(
        workload((s) => (s.volumes as unknown[]).push({ name: "pods", hostPath: { path: "/var/lib/kubelet/pods" } }), type, "default"),
      );
      expect(ruleIds(reported)).toEqual([RULE]);
      expect(reported[0].message).toMatch(/volumes\[1\]\.hostPath mounts the node's \/var\/lib\/kubelet\/pods \(hostPath\)/);
      expect(reported[0].message).toMatch(
        /kubernetesNodeAccess: \[\{kind: "\w+", namespace: "default", name: "shipper", containers: \[\], images: \{\}, grants: \["hostPath:\/var\/lib\/kubelet\/pods"\]/,
      );
    },
    60_000,
  );

  const cases: Array<[string, (s: Spec) => void, RegExp]> = [
    ["hostPID", (s) => (s.hostPID = true), /spec\.template\.spec\.hostPID shares the node's PID namespace/],
    ["hostNetwork", (s) => (s.hostNetwork = true), /spec\.template\.spec\.hostNetwork shares the node's Network namespace/],
    ["hostIPC", (s) => (s.hostIPC = true), /spec\.template\.spec\.hostIPC shares the node's IPC namespace/],
    [
      "a privileged container",
      (s) => ((container(s).securityContext as Record<string, unknown>).privileged = true),
      /containers\[0\]\.securityContext\.privileged runs container shipper privileged/,
    ],
    [
      "a capability outside baseline's list",
      (s) => ((container(s).securityContext as { capabilities: { add: string[] } }).capabilities.add = ["SYS_ADMIN"]),
      /adds capability SYS_ADMIN to container shipper/,
    ],
    [
      "a baseline capability spelled with CAP_",
      (s) => ((container(s).securityContext as { capabilities: { add: string[] } }).capabilities.add = ["CAP_CHOWN"]),
      /adds capability CAP_CHOWN/,
    ],
    ["procMount Unmasked", (s) => ((container(s).securityContext as Record<string, unknown>).procMount = "Unmasked"), /unmasked \/proc \(procMount Unmasked\)/],
    [
      "seccomp Unconfined",
      (s) => ((s.securityContext as Record<string, unknown>).seccompProfile = { type: "Unconfined" }),
      /securityContext\.seccompProfile\.type sets seccompProfile Unconfined/,
    ],
    [
      "AppArmor Unconfined on a container",
      (s) => ((container(s).securityContext as Record<string, unknown>).appArmorProfile = { type: "Unconfined" }),
      /containers\[0\]\.securityContext\.appArmorProfile\.type sets appArmorProfile Unconfined/,
    ],
    ["an SELinux type spc_t", (s) => ((s.securityContext as Record<string, unknown>).seLinuxOptions = { type: "spc_t" }), /sets SELinux type spc_t/],
    ["an SELinux user", (s) => ((container(s).securityContext as Record<string, unknown>).seLinuxOptions = { user: "system_u" }), /sets SELinux user system_u/],
    ["a host port", (s) => (container(s).ports = [{ containerPort: 8080, hostPort: 8080 }]), /ports\[0\]\.hostPort binds the node's port 8080/],
    [
      "an unsafe sysctl",
      (s) => ((s.securityContext as Record<string, unknown>).sysctls = [{ name: "kernel.core_pattern", value: "|/x" }]),
      /sets sysctl kernel\.core_pattern/,
    ],
    [
      "a Windows HostProcess container",
      (s) => ((container(s).securityContext as Record<string, unknown>).windowsOptions = { hostProcess: true }),
      /runs as a Windows HostProcess container/,
    ],
    [
      "a probe host",
      (s) => (container(s).livenessProbe = { httpGet: { host: "169.254.169.254", path: "/", port: 80 } }),
      /kubelet connect from the node to host 169\.254\.169\.254/,
    ],
    [
      "an init container's privileged flag",
      (s) => (s.initContainers = [{ name: "init", image: "busybox", securityContext: { privileged: true } }]),
      /initContainers\[0\]\.securityContext\.privileged runs container init privileged/,
    ],
  ];
  it.each(cases)(
    "refuses %s",
    async (_name, change, message) => {
      const reported = await reportedFor(workload(change));
      expect(ruleIds(reported)).toEqual([RULE]);
      expect(reported.map((r) => r.message).join("\n")).toMatch(message);
    },
    60_000,
  );

  it("refuses an AppArmor unconfined annotation on the pod template", async () => {
    const resource = workload();
    const template = (resource.props.spec as { template: { metadata: Record<string, unknown> } }).template;
    template.metadata.annotations = { "container.apparmor.security.beta.kubernetes.io/shipper": "unconfined" };
    const reported = await reportedFor(resource);
    expect(ruleIds(reported)).toEqual([RULE]);
    expect(reported[0].message).toMatch(/sets AppArmor profile unconfined/);
  }, 60_000);

  it("refuses a Patch that turns on hostPID", async () => {
    const patch: Resource = {
      type: "kubernetes:apps/v1:DaemonSetPatch",
      name: "coredns-patch",
      props: { metadata: { name: "coredns", namespace: "kube-system" }, spec: { template: { spec: { hostPID: true } } } },
    };
    expect(ruleIds(await reportedFor(patch))).toEqual([RULE]);
  }, 60_000);

  it("fails closed on a field unknown at preview, whatever is declared", async () => {
    const resource = workload((s) => (s.hostPID = UNKNOWN));
    const reported = await reportedFor(resource, declare(["hostPID"]));
    expect(ruleIds(reported)).toEqual([RULE]);
    expect(reported[0].message).toMatch(/spec\.template\.spec\.hostPID is unknown at preview/);
  }, 60_000);

  it("does not fail on an unknown field the rule does not read (the image)", async () => {
    expect(ruleIds(await reportedFor(workload((s) => (container(s).image = UNKNOWN))))).toEqual([]);
  }, 60_000);
});

describe("pod specs inside custom resources and inline CSI volumes", () => {
  const rollout = (spec: Record<string, unknown>, namespace = "ci"): Resource => ({
    type: "kubernetes:argoproj.io/v1alpha1:Rollout",
    name: "ro",
    props: { metadata: { name: "ro", namespace }, spec: { selector: { matchLabels: { a: "b" } }, template: { metadata: { labels: { a: "b" } }, spec } } },
  });
  const plain = { containers: [{ name: "c", image: "busybox" }] };
  it("reads a pod template wherever a custom resource carries one: a baseline one passes, hostPID or privileged is refused", async () => {
    expect(ruleIds(await reportedFor(rollout(plain)))).toEqual([]);
    expect(ruleIds(await reportedFor(rollout({ ...plain, hostPID: true })))).toEqual([RULE]);
    const privileged = { containers: [{ name: "c", image: "busybox", securityContext: { privileged: true } }] };
    expect(ruleIds(await reportedFor(rollout(privileged)))).toEqual([RULE]);
  }, 60_000);
  it("reads a pod spec nested deeper (a job template inside a custom resource) and declares it by kind, namespace and name", async () => {
    const workflow: Resource = {
      type: "kubernetes:argoproj.io/v1alpha1:CronWorkflow",
      name: "cw",
      props: {
        metadata: { name: "cw", namespace: "ci" },
        spec: { workflowSpec: { podSpecs: [{ podSpec: { hostNetwork: true, containers: [{ name: "c", image: "x" }] } }] } },
      },
    };
    expect(ruleIds(await reportedFor(workflow))).toEqual([RULE]);
    expect(ruleIds(await reportedFor(workflow, declare(["hostNetwork"], "ci", "CronWorkflow", "cw", ["c"], { c: "x" })))).toEqual([]);
  }, 60_000);
  it("refuses an inline CSI volume of a driver not on the list, not the Secrets Store driver", async () => {
    const csi = (driver: string) => (s: Spec) => {
      (s.volumes as unknown[]).push({ name: "v", csi: { driver, volumeAttributes: { path: "/var/lib/kubelet/pods" } } });
      container(s).volumeMounts = [{ name: "v", mountPath: "/v" }];
    };
    expect(ruleIds(await reportedFor(workload(csi("secrets-store.csi.k8s.io"))))).toEqual([]);
    expect(ruleIds(await reportedFor(workload(csi("hostpath.csi.k8s.io"))))).toEqual([RULE]);
    expect(ruleIds(await reportedFor(workload(csi("hostpath.csi.k8s.io")), declare(["csi:hostpath.csi.k8s.io"])))).toEqual([]);
  }, 60_000);
});

describe("the security team declares a workload's exact grants (kubernetesNodeAccess)", () => {
  const hostPath = (s: Spec) => {
    (s.volumes as unknown[]).push({ name: "logs", hostPath: { path: "/var/log" } });
    container(s).volumeMounts = [{ name: "logs", mountPath: "/logs", readOnly: true }];
  };
  /** A second container, mounting `mounts` of the pod's volumes. */
  const sidecar = (mounts: string[]) => (s: Spec) =>
    (s.containers as unknown[]).push({ name: "exfil", image: "evil/exfil", volumeMounts: mounts.map((name) => ({ name, mountPath: `/${name}` })) });
  it("passes a declared grant", async () => {
    expect(ruleIds(await reportedFor(workload(hostPath), declare(["hostPath:/var/log"])))).toEqual([]);
  }, 60_000);
  it("refuses a grant the declaration does not list", async () => {
    expect(ruleIds(await reportedFor(workload(hostPath), declare(["hostPath:/var/log/pods"])))).toEqual([RULE]);
  }, 60_000);
  it("refuses the same workload in another namespace", async () => {
    expect(ruleIds(await reportedFor(workload(hostPath), declare(["hostPath:/var/log"], "monitoring")))).toEqual([RULE]);
  }, 60_000);
  it("refuses another workload under the declared name's kind", async () => {
    expect(ruleIds(await reportedFor(workload(hostPath), declare(["hostPath:/var/log"], "kube-system", "Deployment")))).toEqual([RULE]);
  }, 60_000);
  it("matches the workload by its metadata.name, not its Pulumi name", async () => {
    const renamed = { ...workload(hostPath), name: "pulumi-name" };
    expect(ruleIds(await reportedFor(renamed, declare(["hostPath:/var/log"])))).toEqual([]);
    expect(ruleIds(await reportedFor(renamed, declare(["hostPath:/var/log"], "kube-system", "DaemonSet", "pulumi-name")))).toEqual([RULE]);
  }, 60_000);
  it("refuses the declared hostPath mounted by a container the declaration does not name", async () => {
    const both = (s: Spec) => {
      hostPath(s);
      sidecar(["logs"])(s);
    };
    expect(ruleIds(await reportedFor(workload(both), declare(["hostPath:/var/log"])))).toEqual([RULE]);
    expect(ruleIds(await reportedFor(workload(both), declare(["hostPath:/var/log"], "kube-system", "DaemonSet", "shipper", ["shipper", "exfil"])))).toEqual([]);
    // A sidecar that does not mount the volume is not reached by the grant.
    const apart = (s: Spec) => {
      hostPath(s);
      sidecar([])(s);
    };
    expect(ruleIds(await reportedFor(workload(apart), declare(["hostPath:/var/log"])))).toEqual([]);
  }, 60_000);
  it("refuses a pod-level grant (hostPID) once a container the declaration does not name is added", async () => {
    const hostPid = (s: Spec) => (s.hostPID = true);
    expect(ruleIds(await reportedFor(workload(hostPid), declare(["hostPID"])))).toEqual([]);
    const added = (s: Spec) => {
      hostPid(s);
      sidecar([])(s);
    };
    expect(ruleIds(await reportedFor(workload(added), declare(["hostPID"])))).toEqual([RULE]);
  }, 60_000);
  it("refuses a declared container running another image than the declaration names", async () => {
    const swapped = (s: Spec) => {
      hostPath(s);
      container(s).image = "evil/shipper:1.0";
    };
    expect(ruleIds(await reportedFor(workload(swapped), declare(["hostPath:/var/log"])))).toEqual([RULE]);
    const unknownImage = (s: Spec) => {
      hostPath(s);
      container(s).image = UNKNOWN;
    };
    expect(ruleIds(await reportedFor(workload(unknownImage), declare(["hostPath:/var/log"])))).toEqual([RULE]);
  }, 60_000);
  it("with shareProcessNamespace, a container grant reaches every container (/proc/<pid>/root)", async () => {
    const shared = (s: Spec) => {
      hostPath(s);
      sidecar([])(s);
      s.shareProcessNamespace = true;
    };
    expect(ruleIds(await reportedFor(workload(shared), declare(["hostPath:/var/log"])))).toEqual([RULE]);
    expect(ruleIds(await reportedFor(workload(shared), declare(["hostPath:/var/log"], "kube-system", "DaemonSet", "shipper", ["shipper", "exfil"])))).toEqual(
      [],
    );
  }, 60_000);
  it("declares nothing when the configuration does not parse", () => {
    expect(
      declaredNodeAccess({
        kubernetesNodeAccess: [
          {
            kind: "DaemonSet",
            namespace: "kube-system",
            name: "x",
            containers: ["x"],
            images: { x: "x:1" },
            grants: ["everything"],
            reason: "too broad to parse",
            approvedBy: "x",
          },
        ],
      }).size,
    ).toBe(0);
    // The old shape (a workload by type token and Pulumi name, no containers) declares nothing.
    const legacy = {
      workload: "kubernetes:apps/v1:DaemonSet::shipper",
      namespace: "kube-system",
      grants: ["hostPath:/var/log"],
      reason: "node log shipper",
      approvedBy: "x",
    };
    expect(declaredNodeAccess({ kubernetesNodeAccess: [legacy] }).size).toBe(0);
    expect(declaredNodeAccess(declare(["hostPath:/var/log", "capability:SYS_TIME"])).get("DaemonSet/kube-system/shipper")?.[0]?.grants.size).toBe(2);
    // Images must name exactly the listed containers.
    expect(declaredNodeAccess(declare(["hostPath:/var/log"], "kube-system", "DaemonSet", "shipper", ["shipper"], {})).size).toBe(0);
    expect(declaredNodeAccess(declare(["hostPath:/var/log"], "kube-system", "DaemonSet", "shipper", ["shipper"], { ...IMAGES })).size).toBe(0);
    // A control or format character in a grant (NUL, a bidi override) declares nothing.
    for (const grant of ["hostPath:/var/log\u0000", "hostPath:/var/\u202elog"])
      expect(declaredNodeAccess(declare([grant])).size, JSON.stringify(grant)).toBe(0);
  });
});
