/** platform.bootstrap: the widest thing each field lets someone say is refused, and the plan is exactly what the declaration and the agents imply. */
import { describe, expect, it } from "vitest";
import { compileFleet } from "../components/core/compile";
import { DeclarationError, parseDeclaration, type DeclarationInput } from "../components/core/schema";
import { agent, stackDeclaration } from "./helpers/fixtures";

const sandbox = stackDeclaration("sandbox");
type Bootstrap = NonNullable<DeclarationInput["platform"]["bootstrap"]>;

function withBootstrap(change: (b: Bootstrap) => Bootstrap, platform: Partial<DeclarationInput["platform"]> = {}): DeclarationInput {
  return { ...sandbox, platform: { ...sandbox.platform, ...platform, bootstrap: change(structuredClone(sandbox.platform.bootstrap!)) } };
}

function issues(declaration: DeclarationInput): string {
  try {
    parseDeclaration(declaration);
    return "";
  } catch (error) {
    if (!(error instanceof DeclarationError)) throw error;
    return error.issues.map((i) => `${i.path}: ${i.message}`).join("\n");
  }
}

describe("platform.bootstrap refuses", () => {
  const connection = (b: Bootstrap) => b.databaseConnections![0];
  it.each<[string, (b: Bootstrap) => Bootstrap, RegExp, Partial<DeclarationInput["platform"]>?]>([
    ["egress to the internet (0.0.0.0/0)", (b) => ({ ...b, network: { ...b.network, vaultCidrs: ["0.0.0.0/0"] } }), /vaultCidrs\.0: \/0 is wider than \/16/],
    ["egress to a /8", (b) => ({ ...b, network: { ...b.network, awsEndpointCidrs: ["10.0.0.0/8"] } }), /awsEndpointCidrs\.0: \/8 is wider than \/16/],
    ["a CIDR with host bits", (b) => ({ ...b, network: { ...b.network, vaultCidrs: ["10.20.8.7/24"] } }), /host bits are set/],
    [
      "a root password inline",
      (b) => ({ ...b, databaseConnections: [{ ...connection(b), password: "hunter2" } as never] }),
      /databaseConnections\.0.*password/,
    ],
    [
      "credentials inline in the connection URL",
      (b) => ({ ...b, databaseConnections: [{ ...connection(b), connectionUrl: "postgresql://vault_admin:hunter2@db:5432/ledger" }] }),
      /connectionUrl: postgresql:\/\/\{\{username\}\}/,
    ],
    [
      "root rotation statements that do more than change the password (run as the root user)",
      (b) => ({
        ...b,
        databaseConnections: [
          { ...connection(b), rootRotationStatements: [`ALTER ROLE "{{username}}" WITH PASSWORD '{{password}}'; GRANT pg_read_all_data TO public;`] },
        ],
      }),
      /rootRotationStatements\.0: only ALTER ROLE/,
    ],
    [
      "a connection not declared under vault.databaseConnections",
      (b) => ({ ...b, databaseConnections: [...b.databaseConnections!, { ...connection(b), name: "other" }] }),
      /"other" is not in platform\.vault\.databaseConnections/,
    ],
    [
      "a declared connection without bootstrap configuration",
      (b) => ({ ...b, databaseConnections: [] }),
      /connection "ledger" .* has no bootstrap configuration/,
    ],
    [
      "a cluster without its auth configuration",
      (b) => ({ ...b, kubernetesAuth: b.kubernetesAuth.slice(0, 1) }),
      /cluster "green" has no Kubernetes auth configuration/,
    ],
    [
      "auth configuration for a cluster that does not exist",
      (b) => ({ ...b, kubernetesAuth: [...b.kubernetesAuth, { ...b.kubernetesAuth[0], cluster: "purple" }] }),
      /no cluster "purple"/,
    ],
    [
      "an API server over plain http",
      (b) => ({ ...b, kubernetesAuth: [{ ...b.kubernetesAuth[0], host: "http://api.internal" }, b.kubernetesAuth[1]] }),
      /kubernetesAuth\.0\.host/,
    ],
    // Found by an attack round on clusters and bootstrap:
    [
      "egress to a public /16 (AWS service space)",
      (b) => ({ ...b, network: { ...b.network, awsEndpointCidrs: ["52.94.0.0/16"] } }),
      /awsEndpointCidrs\.0: not a private address range/,
    ],
    [
      "Vault egress to a public resolver on another port",
      (b) => ({ ...b, network: { ...b.network, vaultCidrs: ["8.8.8.8/32"], vaultPort: 53 } }),
      /vaultCidrs\.0: not a private address range/,
    ],
    [
      "a password in the connection URL's query",
      (b) => ({ ...b, databaseConnections: [{ ...connection(b), connectionUrl: `${connection(b).connectionUrl.split("?")[0]}?password=hunter2` }] }),
      /sslmode=verify-full or verify-ca, and otherwise only sslrootcert/,
    ],
    [
      "TLS turned off for the root login",
      (b) => ({ ...b, databaseConnections: [{ ...connection(b), connectionUrl: `${connection(b).connectionUrl.split("?")[0]}?sslmode=disable` }] }),
      /and otherwise only sslrootcert, connect_timeout/,
    ],
    [
      "another host in the connection URL's query",
      (b) => ({ ...b, databaseConnections: [{ ...connection(b), connectionUrl: `${connection(b).connectionUrl.split("?")[0]}?host=attacker` }] }),
      /and otherwise only sslrootcert, connect_timeout/,
    ],
    [
      "an API server that is not an EKS endpoint",
      (b) => ({ ...b, kubernetesAuth: [{ ...b.kubernetesAuth[0], host: "https://evil.example.com" }, b.kubernetesAuth[1]] }),
      /kubernetesAuth\.0\.host: an EKS API server endpoint/,
    ],
    [
      "an EKS endpoint with a suffix of the attacker's",
      (b) => ({ ...b, kubernetesAuth: [{ ...b.kubernetesAuth[0], host: `${b.kubernetesAuth[0].host}.evil.com` }, b.kubernetesAuth[1]] }),
      /kubernetesAuth\.0\.host: an EKS API server endpoint/,
    ],
    [
      "another cluster's API server for the green mount",
      (b) => ({ ...b, kubernetesAuth: [b.kubernetesAuth[0], { ...b.kubernetesAuth[1], host: b.kubernetesAuth[0].host }] }),
      /kubernetesAuth\.1\.host: the endpoint is in us-east-1, but cluster "green" is in us-west-2|kubernetesAuth\.1\.host: the same API server/,
    ],
    [
      "an API server of another EKS cluster than the one the IRSA trust names",
      (b) => ({
        ...b,
        kubernetesAuth: [{ ...b.kubernetesAuth[0], host: "https://0123456789ABCDEF0123456789ABCDEF.gr7.us-east-1.eks.amazonaws.com" }, b.kubernetesAuth[1]],
      }),
      /kubernetesAuth\.0\.host: the API server 0123456789ABCDEF0123456789ABCDEF is not the cluster of the OIDC provider/,
    ],
    [
      "a service account issuer of another cluster",
      (b) => ({
        ...b,
        kubernetesAuth: [
          { ...b.kubernetesAuth[0], issuer: "https://oidc.eks.us-east-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF" },
          b.kubernetesAuth[1],
        ],
      }),
      /kubernetesAuth\.0\.host: issuer .* is not the service account issuer of the cluster at this host/,
    ],
    [
      "an AWS engine role in another account",
      (b) => ({ ...b, aws: { ...b.aws!, roleArn: "arn:aws:iam::999999999999:role/vault" } }),
      /aws\.roleArn: the role must be in the platform account/,
    ],
    ["static AWS keys for the engine", (b) => ({ ...b, aws: { ...b.aws!, accessKey: "AKIA..." } as never }), /bootstrap\.aws.*accessKey/],
    [
      "the AWS engine on Vault Community (no plugin workload identity)",
      (b) => b,
      /bootstrap\.aws: .*Vault Enterprise 1\.16\+/,
      { vault: { ...sandbox.platform.vault, edition: "community" } },
    ],
    ["the AWS engine on Vault 1.15", (b) => b, /bootstrap\.aws: .*Vault Enterprise 1\.16\+/, { vault: { ...sandbox.platform.vault, version: "1.15.6" } }],
    ["one shared namespace for all agents", (b) => b, /set kubernetes\.namespacePerAgent true/, { kubernetes: { namespacePerAgent: false } }],
  ])("%s", (_label, change, message, platform) => {
    expect(issues(withBootstrap(change, platform))).toMatch(message);
  });

  it("refuses two cluster names that give the same trust statement id (IAM refuses equal Sids)", () => {
    const green = sandbox.platform.clusters!.find((c) => c.name === "green")!;
    const declaration = {
      ...sandbox,
      platform: {
        ...sandbox.platform,
        clusters: [
          ...sandbox.platform.clusters!,
          { ...green, name: "green-1", vaultAuthPath: "kubernetes-green-a" },
          { ...green, name: "green1", vaultAuthPath: "kubernetes-green-b" },
        ],
      },
    };
    expect(issues(declaration)).toMatch(/clusters\.3\.name: cluster "green1" and cluster "green-1" give the same IAM statement id/);
  });

  it("accepts the sandbox declaration", () => {
    expect(issues(sandbox)).toBe("");
  });
});

describe("the bootstrap plan", () => {
  it("allowedRoles are exactly the secret roles of the tools that use the connection, never '*', and none when no tool does", () => {
    const declaration = parseDeclaration(sandbox);
    const plan = compileFleet(declaration, "sandbox");
    expect(plan.bootstrap!.databaseConnections.map((c) => c.allowedRoles)).toEqual([["sandbox.invoice-triage.ledger"]]);
    const unused = parseDeclaration({ ...sandbox, agents: sandbox.agents!.filter((a) => a.name !== "invoice-triage") });
    expect(compileFleet(unused, "sandbox").bootstrap!.databaseConnections[0].allowedRoles).toEqual([]);
  });

  it("a revoked agent's roles leave allowedRoles", () => {
    const revoked = sandbox.agents!.map((a) => (a.name === "invoice-triage" ? { ...a, revoked: { at: "2026-11-01T00:00:00Z", reason: "retired" } } : a));
    expect(compileFleet(parseDeclaration({ ...sandbox, agents: revoked }), "sandbox").bootstrap!.databaseConnections[0].allowedRoles).toEqual([]);
  });

  it("holds the config key of the root password, never a password", () => {
    const plan = compileFleet(parseDeclaration(sandbox), "sandbox");
    expect(plan.bootstrap!.databaseConnections[0]).toMatchObject({ passwordConfigKey: "ledgerRootPassword", username: "vault_admin" });
    expect(Object.keys(plan.bootstrap!.databaseConnections[0])).not.toContain("password");
  });

  it("bootstrap off: no bootstrap plan and no namespace guards", () => {
    const { bootstrap: _b, ...platform } = sandbox.platform;
    void _b;
    const plan = compileFleet(parseDeclaration({ ...sandbox, platform }), "sandbox");
    expect(plan.bootstrap).toBeNull();
    expect(plan.agents.map((a) => a.namespace.guards)).toEqual([null, null]);
    const dev = compileFleet(parseDeclaration({ ...stackDeclaration("dev"), agents: [agent("x")] }), "dev");
    expect(dev.bootstrap).toBeNull();
  });
});
