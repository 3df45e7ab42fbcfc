/**
 * AgentPlatform for other languages (`agent-identity:index:AgentPlatform`): `construct()` builds it
 * from plain inputs exactly as `new AgentPlatform(...)` does, and creates the same resources as the
 * AgentPlatform that AgentFleet creates from the same declaration; what it cannot build (bootstrap
 * off, connections with no agents named, a bad field, a missing password, a bad ARN from an output)
 * is refused before any child resource.
 */
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { ComponentProvider } from "@pulumi/pulumi/provider/experimental";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { AgentFleet, AgentPlatform } from "../components";
import { FLEET_TOKEN, platformHandoff } from "../components/fleet-handoff";
import { providerOptions } from "../provider/options";
import { TODAY_DATE, stackDeclaration } from "./helpers/fixtures";
import { installMocks, outputValue, resources, settle } from "./helpers/pulumi-mocks";

const TOKEN = "agent-identity:index:AgentPlatform";
const PASSWORD = "root-password-for-the-construct-test";

interface PlatformInputs {
  platform: Record<string, unknown> & { aws: Record<string, unknown>; bootstrap?: { databaseConnections?: unknown[] } };
  agents?: unknown[];
  validationDate: string;
  rootPasswords?: Record<string, string>;
}

/** The sandbox stack (two clusters, full bootstrap) as plain data, as another language sends it. */
function sandboxInputs(): PlatformInputs {
  const declaration = stackDeclaration("sandbox");
  return JSON.parse(
    JSON.stringify({ platform: declaration.platform, agents: declaration.agents, validationDate: TODAY_DATE, rootPasswords: { ledgerRootPassword: PASSWORD } }),
  );
}

const registrations = () => resources().map((r) => ({ type: r.type, name: r.name, inputs: r.inputs }));
const customs = () => resources().filter((r) => r.custom && r.type !== "test:index:BoundaryPolicy");

/** What AgentPlatform creates for the sandbox: an audit device, per cluster an auth backend and its config, three mounts, one connection. */
const SANDBOX_TYPES = [
  "vault:aws/secretBackend:SecretBackend",
  "vault:database/secretBackendConnection:SecretBackendConnection",
  "vault:index/audit:Audit",
  "vault:index/authBackend:AuthBackend",
  "vault:index/authBackend:AuthBackend",
  "vault:index/mount:Mount",
  "vault:index/mount:Mount",
  "vault:kubernetes/authBackendConfig:AuthBackendConfig",
  "vault:kubernetes/authBackendConfig:AuthBackendConfig",
];

describe("AgentPlatform through the component provider", () => {
  // One provider: the first construct() analyses the sources (seconds), later ones reuse it.
  const provider = new ComponentProvider(providerOptions());

  it("construct() builds a platform from plain inputs exactly as `new AgentPlatform(...)` does", async () => {
    const inputs = sandboxInputs();
    installMocks("sandbox");
    const direct = new AgentPlatform("sandbox-platform", inputs as never);
    await settle();
    const fromConstructor = registrations();

    installMocks("sandbox");
    const result = await provider.construct("sandbox-platform", TOKEN, sandboxInputs(), {});
    await settle();
    const constructed = registrations();

    expect(
      customs()
        .map((r) => r.type)
        .sort(),
    ).toEqual(SANDBOX_TYPES);
    expect(constructed).toEqual(fromConstructor);
    const connection = customs().find((r) => r.type === "vault:database/secretBackendConnection:SecretBackendConnection")!;
    // allowed_roles: exactly the secret roles of the agents' tools on this connection, from the agents input.
    expect(connection.inputs.allowedRoles).toEqual(direct.plan.databaseConnections[0].allowedRoles);
    expect(connection.inputs.allowedRoles).toEqual(["sandbox.invoice-triage.ledger"]);
    expect(await outputValue(result.state.rotateRootCommands as pulumi.Output<string[]>)).toEqual(["vault write -f database/rotate-root/ledger"]);
  }, 120_000);

  it("creates the same resources as the AgentPlatform AgentFleet builds from the same declaration", async () => {
    const inputs = sandboxInputs();
    installMocks("sandbox");
    const kubernetesProviders = { blue: new k8s.Provider("blue", {}), green: new k8s.Provider("green", {}) };
    const fleet = new AgentFleet(
      "sandbox",
      { platform: inputs.platform as never, agents: inputs.agents as never, validationDate: TODAY_DATE, rootPasswords: inputs.rootPasswords },
      { kubernetesProviders },
    );
    await settle();
    const fromFleet = registrations().filter((r) => r.name.startsWith("sandbox-platform"));

    installMocks("sandbox");
    await provider.construct("sandbox-platform", TOKEN, sandboxInputs(), {});
    await settle();

    expect(
      fromFleet
        .filter((r) => r.type.startsWith("vault:"))
        .map((r) => r.type)
        .sort(),
    ).toEqual(SANDBOX_TYPES);
    expect(registrations()).toEqual(fromFleet);
    expect(fleet.platform!.plan).toEqual(fleet.plan.bootstrap);
  }, 120_000);

  it("with agents: [] it builds, and no role may use the connection", async () => {
    installMocks("sandbox");
    await provider.construct("p", TOKEN, { ...sandboxInputs(), agents: [] }, {});
    await settle();
    expect(customs().find((r) => r.type === "vault:database/secretBackendConnection:SecretBackendConnection")!.inputs.allowedRoles).toEqual([]);
  }, 120_000);

  const refusals: Array<[string, (inputs: PlatformInputs) => unknown, RegExp]> = [
    ["bootstrap off", (i) => ({ ...i, platform: { ...i.platform, bootstrap: undefined } }), /AgentPlatform p: platform\.bootstrap is not set/],
    ["connections with no agents named", (i) => ({ ...i, agents: undefined }), /database connections \(ledger\) but agents is not set/],
    ["a bad platform field", (i) => ({ ...i, platform: { ...i.platform, aws: { ...i.platform.aws, accountId: "12" } } }), /accountId/],
    ["a missing root password", (i) => ({ ...i, rootPasswords: {} }), /no root password for connection "ledger" \(config key ledgerRootPassword\)/],
    ["a bad agent", (i) => ({ ...i, agents: [{ ...(i.agents![0] as object), tier: "superuser" }] }), /tier/],
  ];
  for (const [what, edit, message] of refusals) {
    it(`refuses ${what} before any child`, async () => {
      installMocks("sandbox");
      await expect(provider.construct("p", TOKEN, edit(sandboxInputs()) as pulumi.Inputs, {})).rejects.toThrow(message);
      await settle();
      expect(customs()).toEqual([]);
    }, 120_000);
  }

  it("a bad field is reported per input path, as for the other components", async () => {
    installMocks("sandbox");
    const inputs = sandboxInputs();
    const rejection = await provider
      .construct("p", TOKEN, { ...inputs, platform: { ...inputs.platform, aws: { ...inputs.platform.aws, accountId: "12" } } }, {})
      .catch((e: unknown) => e);
    await settle();
    expect(pulumi.InputPropertiesError.isInstance(rejection)).toBe(true);
    expect((rejection as pulumi.InputPropertiesError).errors.map((e) => e.propertyPath)).toContain("platform.aws.accountId");
  }, 120_000);

  it("only the fleet's token skips validation: a look-alike token compiles the args (and refuses them)", async () => {
    installMocks("sandbox");
    const fleetPlan = new AgentFleet(
      "f",
      { ...(sandboxInputs() as never as { platform: never; agents: never }), validationDate: TODAY_DATE },
      {
        kubernetesProviders: { blue: new k8s.Provider("blue", {}), green: new k8s.Provider("green", {}) },
      },
    ).plan;
    await settle();
    installMocks("sandbox");
    const inputs = sandboxInputs();
    const forged = {};
    platformHandoff.set(forged, { token: Symbol("agent-identity.fleet") as never, plan: fleetPlan.bootstrap! });
    expect(() => new AgentPlatform("p", { ...inputs, platform: { ...inputs.platform, bootstrap: undefined } } as never, forged)).toThrow(
      /platform\.bootstrap is not set/,
    );
    // The real token is honoured (what AgentFleet passes).
    const real = {};
    platformHandoff.set(real, { token: FLEET_TOKEN, plan: fleetPlan.bootstrap! });
    expect(new AgentPlatform("q", inputs as never, real).plan).toBe(fleetPlan.bootstrap);
    await settle();
  });
});

describe("AgentPlatform with a platform field from another resource", () => {
  const unhandled: unknown[] = [];
  const record = (error: unknown) => unhandled.push(error);
  beforeEach(() => {
    unhandled.length = 0;
    process.on("unhandledRejection", record);
  });
  afterEach(() => {
    process.off("unhandledRejection", record);
  });

  /** A resource whose `arn` is an output, like an aws.iam.Policy. */
  class BoundaryPolicy extends pulumi.CustomResource {
    declare readonly arn: pulumi.Output<string>;
    constructor(name: string) {
      super("test:index:BoundaryPolicy", name, { arn: undefined });
    }
  }
  const sorted = () =>
    customs()
      .map((r) => ({ type: r.type, name: r.name, inputs: r.inputs }))
      .sort((a, b) => a.name.localeCompare(b.name));

  it("a good ARN from an output builds exactly what the plain string builds", async () => {
    const inputs = sandboxInputs();
    installMocks("sandbox");
    new AgentPlatform("p", inputs as never);
    await settle();
    const plain = sorted();

    installMocks("sandbox", "agent-identity", { "test:index:BoundaryPolicy": () => ({ arn: inputs.platform.aws.permissionsBoundaryArn }) });
    const policy = new BoundaryPolicy("boundary");
    new AgentPlatform("p", { ...inputs, platform: { ...inputs.platform, aws: { ...inputs.platform.aws, permissionsBoundaryArn: policy.arn } } } as never);
    await settle();
    expect(sorted()).toEqual(plain);
    expect(unhandled.filter((e) => !/^unknown resource /.test((e as Error).message))).toEqual([]);
  }, 60_000);

  it("a bad ARN from an output fails when it resolves, before any child resource is created", async () => {
    const inputs = sandboxInputs();
    installMocks("sandbox", "agent-identity", { "test:index:BoundaryPolicy": () => ({ arn: "arn:aws:iam::999988887777:policy/agent-boundary" }) });
    const policy = new BoundaryPolicy("boundary");
    new AgentPlatform("p", { ...inputs, platform: { ...inputs.platform, aws: { ...inputs.platform.aws, permissionsBoundaryArn: policy.arn } } } as never);
    await settle();
    expect(customs()).toEqual([]);
    const error = unhandled.find((e) => pulumi.InputPropertiesError.isInstance(e)) as pulumi.InputPropertiesError | undefined;
    expect(error?.errors.map((e) => e.propertyPath)).toEqual(["platform.aws.permissionsBoundaryArn"]);
  }, 60_000);
});
