/**
 * Secrets Store CSI (secrets-store.csi.k8s.io): a pod mounts an inline `csi` volume naming a
 * SecretProviderClass of its namespace, and the driver's provider fetches what that class lists with
 * the pod's own identity (its ServiceAccount token for Vault's Kubernetes auth, its IRSA role for AWS
 * Secrets Manager and SSM). Happy path: the dev stack's components and, in a namespace the stack
 * creates, a SecretProviderClass logging in with that namespace's own Vault role and a Deployment
 * mounting it. Each case changes one thing: a class in an agent namespace (a custom resource there:
 * refused, stricter than judging it against the agent's holdings), a class elsewhere naming an
 * agent's Vault role, a volume handing the driver a Secret as credentials in a namespace the stack
 * does not create.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { componentResources } from "../helpers/component-resources";
import { stackDeclaration } from "../helpers/fixtures";
import { runPack, ruleIds, type Resource } from "../helpers/policy-args";

const RULE = "kubernetes/agent-namespace-objects";

let base: Resource[];
let agentRole: string;
let agentNamespace: string;
beforeAll(async () => {
  base = await componentResources(stackDeclaration("dev"));
  agentRole = String(base.find((r) => r.type === "vault:kubernetes/authBackendRole:AuthBackendRole")?.props.roleName);
  agentNamespace = String((base.find((r) => r.type === "kubernetes:core/v1:Namespace")?.props.metadata as { name: string }).name);
}, 120_000);
const rulesOf = async (extra: Resource[]) => ruleIds(await runPack([...base, ...extra]));

const namespace: Resource = { type: "kubernetes:core/v1:Namespace", name: "ns-web", props: { metadata: { name: "web" } } };
const providerClass = (ns: string, roleName: string): Resource => ({
  type: "kubernetes:secrets-store.csi.x-k8s.io/v1:SecretProviderClass",
  name: "spc",
  props: {
    metadata: { name: "vault-db", namespace: ns },
    spec: {
      provider: "vault",
      parameters: {
        roleName,
        vaultAddress: "https://vault.dev.acme.internal:8200",
        objects: '- objectName: "password"\n  secretPath: "kv/data/web/db"\n  secretKey: "password"\n',
      },
    },
  },
});
const pod = (ns: string): Resource => ({
  type: "kubernetes:apps/v1:Deployment",
  name: "web",
  props: {
    metadata: { name: "web", namespace: ns },
    spec: {
      selector: { matchLabels: { app: "web" } },
      template: {
        metadata: { labels: { app: "web" } },
        spec: {
          containers: [{ name: "web", image: "nginx", volumeMounts: [{ name: "secrets", mountPath: "/mnt/secrets", readOnly: true }] }],
          volumes: [{ name: "secrets", csi: { driver: "secrets-store.csi.k8s.io", readOnly: true, volumeAttributes: { secretProviderClass: "vault-db" } } }],
        },
      },
    },
  },
});

describe("Secrets Store CSI classes and volumes", () => {
  it("finds an agent's Vault role and namespace in the dev stack (the fixture itself)", () => {
    expect(agentRole).toMatch(/-/);
    expect(agentNamespace).not.toBe("undefined");
  });
  it("passes a class naming its own namespace's Vault role, mounted inline by a pod there (the happy path)", async () => {
    expect(await rulesOf([namespace, providerClass("web", "web-db"), pod("web")])).not.toContain(RULE);
  }, 120_000);
  it("refuses a class outside agents' namespaces that names an agent's Vault role", async () => {
    expect(await rulesOf([namespace, providerClass("web", agentRole), pod("web")])).toContain(RULE);
  }, 120_000);
  it("refuses a class in an agent namespace (its provider would fetch with the agent's token, to any vaultAddress)", async () => {
    expect(await rulesOf([providerClass(agentNamespace, agentRole)])).toContain(RULE);
  }, 120_000);
});
