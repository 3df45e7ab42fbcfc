/**
 * vault/platform-object-declared: beside the dev stack (agents), a Vault plugin registration, a pinned
 * plugin version and a raft snapshot agent configuration are refused until the security team declares
 * them: a plugin runs inside Vault for every mount of its name, a snapshot carries all of its storage.
 */
import { describe, expect, it } from "vitest";
import { devBaseline } from "../helpers/dev-baseline";
import { declaring, ruleIds, runPack, type Resource } from "../helpers/policy-args";

const RULE = "vault/platform-object-declared";
const dev = devBaseline();

const plugin: Resource = {
  type: "vault:index/plugin:Plugin",
  name: "k8s-override",
  props: { type: "auth", name: "kubernetes", command: "vault-plugin-auth-kubernetes", sha256: "ab".repeat(32), version: "v0.20.0" },
};
const pin: Resource = {
  type: "vault:index/pluginPinnedVersion:PluginPinnedVersion",
  name: "k8s-pin",
  props: { type: "auth", name: "kubernetes", version: "v0.20.0" },
};
const snapshot: Resource = {
  type: "vault:index/raftSnapshotAgentConfig:RaftSnapshotAgentConfig",
  name: "hourly",
  props: { name: "hourly", intervalSeconds: 3600, storageType: "aws-s3", pathPrefix: "vault/", awsS3Bucket: "elsewhere-backups", awsS3Region: "us-east-1" },
};

describe("Vault plugins and snapshots beside agents are declared", () => {
  for (const [what, resource] of [
    ["a plugin registered under a builtin's name (it would replace the agents' Kubernetes auth backend)", plugin],
    ["a pinned plugin version (every mount of it runs that binary after a reload)", pin],
    ["a raft snapshot agent copying all of Vault's storage to a bucket", snapshot],
  ] as const) {
    it(`refuses ${what} until declared, and again once it changes`, async () => {
      expect(await dev.added([resource])).toEqual([RULE]);
      expect(await dev.added([resource], declaring(resource))).toEqual([]);
      const changed = { ...resource, props: { ...resource.props, version: "v9.9.9", awsS3Bucket: "other" } };
      expect(await dev.added([changed], declaring(resource))).toEqual([RULE]);
    }, 120_000);
  }
  it("asks nothing of a stack without agents", async () => {
    expect(ruleIds(await runPack([plugin, pin, snapshot]))).not.toContain(RULE);
  }, 120_000);
});
