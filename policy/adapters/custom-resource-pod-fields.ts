/**
 * Custom resources carrying node-reaching pod fields (kubernetes/agent-namespace-objects): an
 * operator turns a CR's pod fields into pods wherever it finds them (Argo's `container`, Tekton's
 * `steps`, Spark's `driver`, a `podSpecPatch` or runner patch written as a JSON or YAML string), so
 * node-access's read of `containers` lists misses most of them. In a stack with agents, a custom
 * resource anywhere whose fields, or any string among them that parses as JSON or YAML, hold a field
 * that reaches the node (host namespaces, hostPath, privileged, capabilities, a pod spec patch ...)
 * is refused unless declared (kubernetesPlatformResources). A plain container (image, command) passes.
 */
import { parse } from "yaml";
import { platformResourceKey } from "../platform-resources-config";
import type { Adapter } from "../types";
import { agentNamespaces } from "./agent-namespaces";
import { isCustomResource } from "./custom-resources";

const RULE = "kubernetes/agent-namespace-objects";

/** Pod fields beyond the Pod Security Standards baseline, or patches that may add them. */
const NODE_FIELDS = new Set([
  "hostpath",
  "hostpid",
  "hostnetwork",
  "hostipc",
  "hostport",
  "hostusers",
  "privileged",
  "capabilities",
  "procmount",
  "selinuxoptions",
  "seccompprofile",
  "apparmorprofile",
  "sysctls",
  "windowsoptions",
  "hostprocess",
  "flexvolume",
  "csi",
  "podspecpatch",
  "allowprivilegeescalation",
]);

const MAX_NODES = 20_000;
const MAX_DEPTH = 24;
const MAX_PARSED = 64 * 1024;

/** The first node-reaching field in `value` (strings parsed as JSON or YAML), `too large` past the bounds. */
export function nodeFieldIn(value: unknown): string | undefined {
  const stack: Array<{ node: unknown; depth: number; at: string }> = [{ node: value, depth: 0, at: "" }];
  for (let seen = 0; stack.length > 0; seen++) {
    const { node, depth, at } = stack.pop()!;
    if (seen > MAX_NODES || depth > MAX_DEPTH) return "fields too large to read";
    if (typeof node === "string") {
      if (!/[:{]/.test(node)) continue;
      if (node.length > MAX_PARSED) return `a string at ${at} too large to read`;
      let parsed: unknown;
      try {
        parsed = parse(node, { maxAliasCount: 10 });
      } catch {
        continue;
      }
      if (parsed && typeof parsed === "object") stack.push({ node: parsed, depth: depth + 1, at: `${at} (parsed)` });
    } else if (node && typeof node === "object")
      for (const [key, child] of Object.entries(node)) {
        if (!Array.isArray(node) && NODE_FIELDS.has(key.toLowerCase())) return `${at ? `${at}.` : ""}${key}`;
        stack.push({ node: child, depth: depth + 1, at: at ? `${at}.${key}` : key });
      }
  }
  return undefined;
}

export const customResourcePodFields: Adapter = {
  family: "custom-resource-pod-fields",
  holdings: "none: a pod an operator starts with node access reads every identity's tokens on its node",
  types: [],
  stack: (ix, pass) => {
    if (agentNamespaces(ix).size === 0) return;
    for (const x of ix.inputs) {
      if (!isCustomResource(x.resource.type)) continue;
      const field = nodeFieldIn(Object.fromEntries(Object.entries(x.value).filter(([key]) => key !== "metadata")));
      if (!field) continue;
      const kind = x.resource.type.split(":").pop();
      pass.findings.push({
        rule: RULE,
        agent: "platform",
        identity: null,
        urn: x.resource.urn,
        platformResource: platformResourceKey(x.resource.type, x.resource.name),
        message: `${kind} ${x.resource.name} is a custom resource in a stack with agents whose pod fields reach the node (${field}); its operator starts pods from them that read every pod's ServiceAccount and Vault tokens on that node`,
        fix: "give the custom resource's pods nothing beyond the Pod Security Standards baseline, or have the security team declare it (kubernetesPlatformResources)",
      });
    }
  },
};
