/**
 * AgentPlatform (issue #12, part 1) under Pulumi mocks, with every RegisterResource request also
 * recorded as it crosses to the (mock) engine: its wire form (secrets still wrapped) and its
 * dependencies. Bootstrap on creates the auth backends, mounts, connections, audit device and
 * namespace guards with the documented inputs and the agents' roles reference the created mounts;
 * bootstrap off creates none; the root password is secret on the wire; the dependency depth does
 * not grow with the number of agents; the namespace objects validate against the Kubernetes schema.
 */
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { MockMonitor } from "@pulumi/pulumi/runtime/mocks";
import { LimitRange, ResourceQuota } from "kubernetes-models/v1";
import { NetworkPolicy } from "kubernetes-models/networking.k8s.io/v1";
import { describe, expect, it } from "vitest";
import { AgentFleet, type AgentInput, type DeclarationInput } from "../components";
import { TODAY_DATE, stackDeclaration } from "./helpers/fixtures";
import { plainTextStrings, isSecret, type WireObject } from "./engine/wire";

const PASSWORD = "root-password-never-in-plain-text-7f3a";

interface Recorded {
  readonly urn: string;
  readonly type: string;
  readonly name: string;
  readonly custom: boolean;
  readonly inputs: Record<string, unknown>;
  readonly wire: WireObject;
  readonly dependencies: string[];
  /** Provider reference (`urn::id`) the resource is registered with; "" for the default provider. */
  readonly provider: string;
}

async function run(
  declaration: DeclarationInput,
  rootPasswords: Record<string, pulumi.Input<string>> = { ledgerRootPassword: pulumi.secret(PASSWORD) },
  clusterProviders = false,
): Promise<{ fleet: AgentFleet; recorded: Recorded[] }> {
  const recorded: Recorded[] = [];
  pulumi.runtime.setMocks(
    {
      newResource(args) {
        const state: Record<string, unknown> = { ...args.inputs };
        if (args.type === "aws:iam/role:Role") state.arn = `arn:aws:iam::111122223333:role/${args.inputs.name}`;
        return { id: `${args.name}-id`, state };
      },
      call() {
        throw new Error("no invokes");
      },
    },
    "agent-identity",
    "sandbox",
    true,
  );
  const monitor = (pulumi.runtime as unknown as { getMonitor(): MockMonitor }).getMonitor();
  const original = monitor.registerResource.bind(monitor);
  monitor.registerResource = async (req: never, callback: never) => {
    const request = req as {
      getType(): string;
      getName(): string;
      getParent(): string;
      getCustom(): boolean;
      getProvider(): string;
      getObject(): { toJavaScript(): WireObject } | undefined;
      getDependenciesList(): string[];
      getPropertydependenciesMap(): { forEach(f: (deps: { getUrnsList(): string[] }) => void): void };
    };
    const deps = new Set(request.getDependenciesList());
    request.getPropertydependenciesMap().forEach((d) => d.getUrnsList().forEach((u) => deps.add(u)));
    const wire = request.getObject()?.toJavaScript() ?? {};
    recorded.push({
      urn: (monitor as unknown as { newUrn(parent: string, type: string, name: string): string }).newUrn(
        request.getParent(),
        request.getType(),
        request.getName(),
      ),
      type: request.getType(),
      name: request.getName(),
      custom: request.getCustom(),
      inputs: {},
      wire,
      dependencies: [...deps],
      provider: request.getProvider(),
    });
    return original(req, callback);
  };
  const settle = async () => {
    let count = -1;
    while (count !== recorded.length) {
      count = recorded.length;
      for (let i = 0; i < 30; i++) await new Promise((resolve) => setImmediate(resolve));
    }
  };
  let fleet: AgentFleet;
  try {
    const kubernetesProviders = clusterProviders
      ? Object.fromEntries((declaration.platform.clusters ?? []).map((c) => [c.name, new k8s.Provider(`cluster-${c.name}`, { context: c.name })]))
      : undefined;
    fleet = new AgentFleet(
      "platform",
      { ...(declaration as never as { platform: never; agents: never }), validationDate: TODAY_DATE, rootPasswords },
      { kubernetesProviders },
    );
  } catch (error) {
    // Let what was registered before the failure finish on this monitor, not the next test's.
    await settle();
    throw error;
  }
  await settle();
  return { fleet, recorded };
}

/** The sandbox declaration, reduced to one cluster so the default Kubernetes provider serves it. */
function oneCluster(agents?: AgentInput[]): DeclarationInput {
  const sandbox = stackDeclaration("sandbox");
  const platform = { ...sandbox.platform, clusters: sandbox.platform.clusters!.filter((c) => c.name === "blue") };
  platform.bootstrap = { ...platform.bootstrap!, kubernetesAuth: platform.bootstrap!.kubernetesAuth.filter((a) => a.cluster === "blue") };
  return { platform, agents: (agents ?? sandbox.agents).map((a) => ({ ...a, clusters: undefined })) };
}

const plainWire = (r: Recorded) =>
  JSON.parse(JSON.stringify(r.wire, (_k, v) => (v && typeof v === "object" && "value" in v && Object.keys(v).length === 2 ? v.value : v))) as Record<
    string,
    unknown
  >;
const ofType = (recorded: Recorded[], type: string) => recorded.filter((r) => r.type === type);

describe("bootstrap on: AgentPlatform creates the platform and the agents use it", () => {
  it("creates the auth backend and its config, the mounts, the connection, the AWS engine and the audit device with the documented inputs", async () => {
    const { recorded } = await run(oneCluster());
    const one = (type: string) => {
      const found = ofType(recorded, type);
      expect(found, type).toHaveLength(1);
      return plainWire(found[0]);
    };
    expect(one("vault:index/audit:Audit")).toMatchObject({ type: "file", path: "file", options: { file_path: "/vault/audit/audit.log" } });
    expect(one("vault:index/authBackend:AuthBackend")).toMatchObject({ type: "kubernetes", path: "kubernetes-blue" });
    const config = one("vault:kubernetes/authBackendConfig:AuthBackendConfig");
    expect(config).toMatchObject({
      backend: "kubernetes-blue",
      kubernetesHost: "https://EXAMPLED539D4633E53DE1B71EXAMPLE.gr7.us-east-1.eks.amazonaws.com",
      disableLocalCaJwt: true,
    });
    expect(String(config.kubernetesCaCert)).toMatch(/^-----BEGIN CERTIFICATE-----/);
    const mounts = ofType(recorded, "vault:index/mount:Mount").map(plainWire);
    expect(mounts).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: "kv", type: "kv", options: { version: "2" } }),
        expect.objectContaining({ path: "database", type: "database" }),
      ]),
    );
    const connection = one("vault:database/secretBackendConnection:SecretBackendConnection");
    expect(connection).toMatchObject({
      backend: "database",
      name: "ledger",
      pluginName: "postgresql-database-plugin",
      allowedRoles: ["sandbox.invoice-triage.ledger"],
      rootRotationStatements: [`ALTER ROLE "{{username}}" WITH PASSWORD '{{password}}';`],
      verifyConnection: true,
      postgresql: {
        connectionUrl: "postgresql://{{username}}:{{password}}@ledger.sandbox.internal:5432/ledger?sslmode=verify-full",
        username: "vault_admin",
        password: PASSWORD,
      },
    });
    const awsEngine = one("vault:aws/secretBackend:SecretBackend");
    expect(awsEngine).toMatchObject({
      path: "aws",
      roleArn: "arn:aws:iam::111122223333:role/vault-aws-secrets-engine",
      identityTokenAudience: "vault-plugin-wif",
    });
    expect(awsEngine.accessKey).toBeUndefined();
    expect(awsEngine.secretKey).toBeUndefined();
  });

  it("the agents' Vault roles and secret roles name the created mounts and depend on them (the path stays readable at preview)", async () => {
    const { recorded } = await run(oneCluster());
    const urn = (type: string) => ofType(recorded, type).map((r) => r.urn);
    const [backend] = urn("vault:index/authBackend:AuthBackend");
    const [config] = urn("vault:kubernetes/authBackendConfig:AuthBackendConfig");
    const roles = ofType(recorded, "vault:kubernetes/authBackendRole:AuthBackendRole");
    expect(roles.length).toBe(6);
    for (const role of roles) {
      expect(plainWire(role).backend).toBe("kubernetes-blue");
      expect(role.dependencies).toEqual(expect.arrayContaining([backend, config]));
    }
    const [connection] = urn("vault:database/secretBackendConnection:SecretBackendConnection");
    const database = ofType(recorded, "vault:index/mount:Mount").find((r) => plainWire(r).path === "database")!.urn;
    const [secretRole] = ofType(recorded, "vault:database/secretBackendRole:SecretBackendRole");
    expect(plainWire(secretRole).backend).toBe("database");
    expect(secretRole.dependencies).toEqual(expect.arrayContaining([database, connection]));
  });

  it("the root password is a secret on the wire and in the component, and nowhere in plain text", async () => {
    const { fleet, recorded } = await run(oneCluster());
    const connection = ofType(recorded, "vault:database/secretBackendConnection:SecretBackendConnection")[0];
    expect(isSecret(connection.wire.postgresql) || isSecret((connection.wire.postgresql as WireObject).password)).toBe(true);
    for (const r of recorded)
      expect(
        plainTextStrings(r.wire).filter((s) => s.includes(PASSWORD)),
        r.urn,
      ).toEqual([]);
    const resource = fleet.platform!.wiring.connections.ledger as unknown as { postgresql: pulumi.Output<unknown> };
    expect(await pulumi.isSecret(resource.postgresql)).toBe(true);
    expect(JSON.stringify(fleet.plan)).not.toContain(PASSWORD);
  });

  it("a plain-text root password handed to the component is still sent as a secret", async () => {
    const { recorded } = await run(oneCluster(), { ledgerRootPassword: PASSWORD });
    for (const r of recorded)
      expect(
        plainTextStrings(r.wire).filter((s) => s.includes(PASSWORD)),
        r.urn,
      ).toEqual([]);
  });

  it("a connection without its root password fails before any child", async () => {
    await expect(run(oneCluster(), {})).rejects.toThrow(/no root password for connection "ledger" \(config key ledgerRootPassword\)/);
  });

  it("every agent namespace gets a default-deny NetworkPolicy, a ResourceQuota and a LimitRange that validate against the Kubernetes schema", async () => {
    const { fleet, recorded } = await run(oneCluster());
    const namespaces = ofType(recorded, "kubernetes:core/v1:Namespace").map(plainWire);
    expect(namespaces).toHaveLength(fleet.plan.agents.length);
    for (const ns of namespaces) expect((ns.metadata as { labels: Record<string, string> }).labels["pod-security.kubernetes.io/enforce"]).toBe("restricted");
    const policies = ofType(recorded, "kubernetes:networking.k8s.io/v1:NetworkPolicy").map(plainWire);
    const quotas = ofType(recorded, "kubernetes:core/v1:ResourceQuota").map(plainWire);
    const limits = ofType(recorded, "kubernetes:core/v1:LimitRange").map(plainWire);
    expect([policies.length, quotas.length, limits.length]).toEqual([2, 2, 2]);
    for (const policy of policies) {
      expect(() => new NetworkPolicy(policy as never).validate()).not.toThrow();
      const spec = policy.spec as {
        podSelector: object;
        policyTypes: string[];
        ingress: unknown[];
        egress: Array<{ to: Array<{ ipBlock?: { cidr: string } }>; ports: Array<{ port: number }> }>;
      };
      expect(spec.podSelector).toEqual({});
      expect(spec.policyTypes).toEqual(["Ingress", "Egress"]);
      expect(spec.ingress).toEqual([]);
      const cidrs = spec.egress.flatMap((rule) => rule.to.flatMap((peer) => (peer.ipBlock ? [peer.ipBlock.cidr] : [])));
      expect(cidrs.sort()).toEqual(["10.20.16.0/24", "10.20.8.0/24"]);
      expect(spec.egress.flatMap((rule) => rule.ports.map((p) => p.port)).sort()).toEqual([443, 53, 53, 8200]);
    }
    for (const quota of quotas) expect(() => new ResourceQuota(quota as never).validate()).not.toThrow();
    for (const limit of limits) expect(() => new LimitRange(limit as never).validate()).not.toThrow();
  });

  it("the validator is not a rubber stamp: egress to a bad CIDR type fails", () => {
    expect(() =>
      new NetworkPolicy({ metadata: { name: "x" }, spec: { podSelector: {}, egress: [{ to: [{ ipBlock: { cidr: 42 as never } }] }] } }).validate(),
    ).toThrow();
  });
});

describe("bootstrap off", () => {
  it("creates no auth backend, mount, connection, audit device or namespace guard; roles use the configured paths", async () => {
    const { fleet, recorded } = await run(stackDeclaration("dev"));
    expect(fleet.platform).toBeUndefined();
    expect(fleet.plan.bootstrap).toBeNull();
    const none = [
      "vault:index/audit:Audit",
      "vault:index/authBackend:AuthBackend",
      "vault:kubernetes/authBackendConfig:AuthBackendConfig",
      "vault:index/mount:Mount",
      "vault:database/secretBackendConnection:SecretBackendConnection",
      "vault:aws/secretBackend:SecretBackend",
      "kubernetes:networking.k8s.io/v1:NetworkPolicy",
      "kubernetes:core/v1:ResourceQuota",
      "kubernetes:core/v1:LimitRange",
      "agent-identity:index:AgentPlatform",
    ];
    expect(recorded.filter((r) => none.includes(r.type)).map((r) => r.type)).toEqual([]);
    for (const role of ofType(recorded, "vault:kubernetes/authBackendRole:AuthBackendRole")) expect(plainWire(role).backend).toBe("kubernetes");
  });
});

describe("agents never wait on each other", () => {
  /** Longest chain of dependencies among custom resources. */
  function depth(recorded: Recorded[]): number {
    const byUrn = new Map(recorded.map((r) => [r.urn, r]));
    const memo = new Map<string, number>();
    const of = (urn: string, seen: Set<string>): number => {
      if (memo.has(urn)) return memo.get(urn)!;
      if (seen.has(urn)) throw new Error(`cycle at ${urn}`);
      const r = byUrn.get(urn);
      if (!r) return 0;
      const d = 1 + Math.max(0, ...r.dependencies.map((dep) => of(dep, new Set([...seen, urn]))));
      memo.set(urn, d);
      return d;
    };
    return Math.max(...recorded.filter((r) => r.custom).map((r) => of(r.urn, new Set())));
  }

  function agents(count: number): AgentInput[] {
    const [template] = stackDeclaration("sandbox").agents!;
    return Array.from({ length: count }, (_, i) => ({
      ...template,
      name: `agent-${i}`,
      owns: [`arn:aws:s3:::acme-invoices-sandbox/a${i}/*`],
      tools: template.tools!.map((tool) =>
        tool.aws ? { ...tool, aws: [{ actions: ["s3:GetObject"], resources: [`arn:aws:s3:::acme-invoices-sandbox/a${i}/*`] }] } : tool,
      ),
    }));
  }

  /** The agents share the one ledger connection, declared as a platform share. */
  function fleetOf(count: number): DeclarationInput {
    const declaration = oneCluster(agents(count));
    const shared = count > 1 ? [{ name: "ledger", databaseConnection: "ledger", agents: declaration.agents!.map((a) => a.name) }] : [];
    return { ...declaration, platform: { ...declaration.platform, shared } };
  }

  it("the dependency depth with 12 agents is the depth with 1", async () => {
    const small = await run(fleetOf(1));
    const large = await run(fleetOf(12));
    // allowed_roles lists every agent's role, and still no agent waits on another.
    expect(plainWire(ofType(large.recorded, "vault:database/secretBackendConnection:SecretBackendConnection")[0]).allowedRoles).toHaveLength(12);
    expect(ofType(large.recorded, "vault:kubernetes/authBackendRole:AuthBackendRole")).toHaveLength(36);
    expect(depth(small.recorded)).toBeGreaterThanOrEqual(3);
    expect(depth(large.recorded)).toBe(depth(small.recorded));
  });
});

describe("the sandbox stack: an agent in two clusters (blue IRSA, green Pod Identity)", () => {
  it("gets a ServiceAccount and namespace per cluster on that cluster's provider, two Vault roles each in its own mount, and one Pod Identity association", async () => {
    const { recorded } = await run(stackDeclaration("sandbox"), undefined, true);
    const providerOf = (r: Recorded) => r.provider;
    const accounts = ofType(recorded, "kubernetes:core/v1:ServiceAccount").filter(
      (r) => (plainWire(r).metadata as { name: string }).name === "invoice-triage-execution",
    );
    expect(accounts.map((r) => r.name).sort()).toEqual([
      "platform-invoice-triage-execution-blue-service-account",
      "platform-invoice-triage-execution-green-service-account",
    ]);
    const annotations = (r: Recorded) => (plainWire(r).metadata as { annotations: Record<string, string> }).annotations;
    const blue = accounts.find((r) => r.name.includes("-blue-"))!;
    const green = accounts.find((r) => r.name.includes("-green-"))!;
    expect(annotations(blue)["eks.amazonaws.com/role-arn"]).toBe("arn:aws:iam::111122223333:role/acme-sandbox-invoice-triage-execution");
    expect(annotations(green)["eks.amazonaws.com/role-arn"]).toBeUndefined();
    expect(providerOf(blue)).toMatch(/pulumi:providers:kubernetes::cluster-blue::/);
    expect(providerOf(green)).toMatch(/pulumi:providers:kubernetes::cluster-green::/);
    const roles = ofType(recorded, "vault:kubernetes/authBackendRole:AuthBackendRole").filter(
      (r) => plainWire(r).roleName === "sandbox-invoice-triage-execution",
    );
    expect(roles.map((r) => plainWire(r).backend).sort()).toEqual(["kubernetes-blue", "kubernetes-green"]);
    const associations = ofType(recorded, "aws:eks/podIdentityAssociation:PodIdentityAssociation").map(plainWire);
    // invoice-triage (both clusters) and support-assistant (green only): one association per identity.
    expect(associations).toHaveLength(6);
    expect(associations.find((a) => a.serviceAccount === "invoice-triage-execution")).toMatchObject({
      clusterName: "sandbox-green",
      region: "us-west-2",
      namespace: "acme-sandbox-invoice-triage",
      serviceAccount: "invoice-triage-execution",
      disableSessionTags: false,
    });
    // The support assistant runs in green only: no IRSA-side objects, one Vault role in green.
    const assistantRoles = ofType(recorded, "vault:kubernetes/authBackendRole:AuthBackendRole").filter((r) =>
      String(plainWire(r).roleName).startsWith("sandbox-support-assistant-"),
    );
    expect(assistantRoles.map((r) => plainWire(r).backend)).toEqual(["kubernetes-green", "kubernetes-green", "kubernetes-green"]);
  });

  it("without a Kubernetes provider per cluster the fleet fails before creating the agent's children", async () => {
    await expect(run(stackDeclaration("sandbox"))).rejects.toThrow(/runs in 2 clusters but no Kubernetes provider is given for cluster "blue"/);
  });
});
