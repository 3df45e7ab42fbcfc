/**
 * Volumes bound by hand into agents' namespaces: a PersistentVolume reserved (claimRef) for a claim
 * there, or a claim there naming its volumeName, is refused; dynamic provisioning and volumes for
 * other namespaces pass. Each case changes one property of a passing input beside the dev stack.
 */
import { describe, expect, it } from "vitest";
import { devBaseline } from "../helpers/dev-baseline";
import { UNKNOWN, declaringKeys, type Resource } from "../helpers/policy-args";

const NS = "acme-dev-support-assistant";

const dev = devBaseline();

const { added } = dev;

const volume = (claimRef: Record<string, unknown> | undefined): Resource => ({
  type: "kubernetes:core/v1:PersistentVolume",
  name: "pv",
  props: {
    metadata: { name: "shared-data" },
    spec: { capacity: { storage: "10Gi" }, accessModes: ["ReadWriteMany"], nfs: { server: "203.0.113.9", path: "/export" }, ...(claimRef ? { claimRef } : {}) },
  },
});
const claim = (namespace: unknown, spec: Record<string, unknown> = {}): Resource => ({
  type: "kubernetes:core/v1:PersistentVolumeClaim",
  name: "pvc",
  props: {
    metadata: { name: "work", namespace },
    spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } }, storageClassName: "gp3", ...spec },
  },
});

describe("volumes bound by hand into agent namespaces", () => {
  it("a provisioned claim in an agent namespace and a volume reserved for another namespace pass (the happy path)", async () => {
    expect(await added([claim(NS), volume({ namespace: "ci", name: "work" })])).toEqual([]);
  }, 60_000);

  it("a volume without claimRef passes (the cluster binds it to any matching claim, as for any volume)", async () => {
    expect(await added([volume(undefined)])).toEqual([]);
  }, 60_000);

  it.each([
    ["its claimRef names a claim in an agent namespace", volume({ namespace: NS, name: "work" })],
    ["its claimRef namespace is unknown at preview", volume({ namespace: UNKNOWN, name: "work" })],
    ["its claimRef is unknown at preview", volume(UNKNOWN as unknown as Record<string, unknown>)],
  ])(
    "a PersistentVolume is refused when %s",
    async (_what, resource) => {
      expect(await added([resource])).toContain("kubernetes/agent-namespace-objects");
    },
    60_000,
  );

  it.each([
    ["names its volumeName", claim(NS, { volumeName: "shared-data" })],
    ["names a volumeName unknown at preview", claim(NS, { volumeName: UNKNOWN })],
  ])(
    "a claim in an agent namespace is refused when it %s",
    async (_what, resource) => {
      expect(await added([resource])).toContain("kubernetes/agent-namespace-objects");
    },
    60_000,
  );

  it("a claim naming its volume outside agent namespaces passes", async () => {
    // Only where it lands is judged there (an object in an existing namespace may be an imported twin).
    expect(await added([claim("ci", { volumeName: "shared-data" })])).toEqual(["kubernetes/object-placement"]);
  }, 60_000);

  const hostVolume = (source: Record<string, unknown>): Resource => ({
    type: "kubernetes:core/v1:PersistentVolume",
    name: "node-files",
    props: { metadata: { name: "node-files" }, spec: { capacity: { storage: "1Gi" }, accessModes: ["ReadWriteOnce"], ...source } },
  });
  it.each([
    ["EBS CSI", { csi: { driver: "ebs.csi.aws.com", volumeHandle: "vol-1" } }],
    ["EFS CSI", { csi: { driver: "efs.csi.aws.com", volumeHandle: "fs-1" } }],
    ["NFS", { nfs: { server: "10.0.0.5", path: "/exports" } }],
  ])(
    "a PersistentVolume of network storage on the allowlist (%s) passes",
    async (_what, source) => {
      expect(await added([hostVolume(source)])).toEqual([]);
    },
    60_000,
  );
  it.each([
    ["a CSI driver not on the list (hostpath)", { csi: { driver: "hostpath.csi.k8s.io", volumeHandle: "h" } }],
    ["FlexVolume", { flexVolume: { driver: "acme/bind", options: { path: "/" } } }],
    ["a source the pack does not know", { futureSource: { path: "/" } }],
    ["a source unknown at preview", { csi: UNKNOWN }],
  ])(
    "a PersistentVolume of %s is node access (the sources are an allowlist)",
    async (_what, source) => {
      expect(await added([hostVolume(source)])).toEqual(["kubernetes/node-access"]);
    },
    60_000,
  );

  const storageClass = (provisioner: unknown): Resource => ({
    type: "kubernetes:storage.k8s.io/v1:StorageClass",
    name: "sc",
    props: { metadata: { name: "sc" }, provisioner, parameters: { nodePath: "/var/lib/kubelet" } },
  });
  it("a StorageClass of the EBS CSI driver passes; a local-path, hostpath or unknown provisioner is node access until declared", async () => {
    expect(await added([storageClass("ebs.csi.aws.com")])).toEqual([]);
    for (const provisioner of ["rancher.io/local-path", "hostpath.csi.k8s.io", "openebs.io/local"])
      expect(await added([storageClass(provisioner)]), provisioner).toEqual(["kubernetes/node-access"]);
    expect(await added([storageClass(UNKNOWN)])).toContain("kubernetes/node-access");
    const localPath = storageClass("rancher.io/local-path");
    expect(await added([localPath], declaringKeys([localPath], "kubernetes:storage.k8s.io/v1:StorageClass::sc"))).toEqual([]);
  }, 120_000);
  it.each([
    ["hostPath", { hostPath: { path: "/var/lib/kubelet" } }],
    ["local", { local: { path: "/" }, nodeAffinity: { required: { nodeSelectorTerms: [] } } }],
  ])(
    "a %s PersistentVolume is node access wherever it is claimed, until declared",
    async (_what, source) => {
      expect(await added([hostVolume(source)])).toEqual(["kubernetes/node-access"]);
      const declared = declaringKeys([hostVolume(source)], "kubernetes:core/v1:PersistentVolume::node-files");
      expect(await added([hostVolume(source)], declared)).toEqual([]);
    },
    60_000,
  );

  it("a network-storage PersistentVolume is no node access", async () => {
    expect(await added([hostVolume({ csi: { driver: "efs.csi.aws.com", volumeHandle: "fs-1" } })])).toEqual([]);
  }, 60_000);
});
