/**
 * Outputs in, typed errors out: platform fields may be other resources' outputs (an `@pulumi/eks`
 * cluster's `oidcProviderArn`), validated when they resolve and before any child exists; declaration
 * errors are `InputPropertiesError`s with one property path per problem.
 */
import * as pulumi from "@pulumi/pulumi";
import { ComponentProvider } from "@pulumi/pulumi/provider/experimental";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Agent, AgentFleet } from "../components";
import { providerOptions } from "../provider/options";
import { PLATFORM, TODAY_DATE, agent, stackDeclaration } from "./helpers/fixtures";
import { installMocks, outputValue, resources, settle } from "./helpers/pulumi-mocks";

const OIDC = PLATFORM.aws.oidcProviderArn!;
const OTHER_ACCOUNT_OIDC = OIDC.replace("111122223333", "999988887777");
const errorOf = (build: () => unknown): unknown => {
  try {
    build();
  } catch (error) {
    return error;
  }
  throw new Error("expected an error");
};

/** The shape of an `@pulumi/eks` Cluster for this test: a resource whose `oidcProviderArn` is an output. */
class EksLikeCluster extends pulumi.CustomResource {
  declare readonly oidcProviderArn: pulumi.Output<string>;
  constructor(name: string) {
    super("eks:index:Cluster", name, { oidcProviderArn: undefined });
  }
}

describe("declaration errors are InputPropertiesErrors", () => {
  it("one property path per problem, on a standalone agent", () => {
    installMocks();
    const error = errorOf(() => new Agent("bad", { ...agent("bad"), tier: "superuser", sponsor: "nobody", platform: PLATFORM, validationDate: TODAY_DATE }));
    expect(pulumi.InputPropertiesError.isInstance(error)).toBe(true);
    const { errors } = error as pulumi.InputPropertiesError;
    expect(errors.map((e) => e.propertyPath).sort()).toEqual(["sponsor", "tier"]);
    expect(errors.find((e) => e.propertyPath === "tier")!.reason).toMatch(/batch, assistant, high-risk/);
    // In a TypeScript program it is shown like a ResourceError: on the component, no stack.
    expect(pulumi.ResourceError.isInstance(error)).toBe(true);
    expect((error as pulumi.ResourceError).hideStack).toBe(true);
    expect(resources().filter((r) => r.custom)).toEqual([]);
  });

  it("fleet paths name the list entry and the platform field", () => {
    installMocks();
    const error = errorOf(
      () =>
        new AgentFleet("fleet", {
          platform: { ...PLATFORM, aws: { ...PLATFORM.aws, accountId: "12" } },
          agents: [agent("one"), { ...agent("two"), tools: [{ name: "Bad Name", kv: { path: "x" } }] }],
          validationDate: TODAY_DATE,
        }),
    ) as pulumi.InputPropertiesError;
    expect(error.errors.map((e) => e.propertyPath)).toEqual(expect.arrayContaining(["platform.aws.accountId", "agents[1].tools[0].name"]));
    expect(error.message).toContain("fleet fleet");
  });

  it("construct() rejects with the same InputPropertiesError (the engine shows it per input)", async () => {
    installMocks();
    const provider = new ComponentProvider(providerOptions());
    const rejection = await provider
      .construct("bad", "agent-identity:index:Agent", { ...agent("bad"), tier: "superuser", platform: PLATFORM, validationDate: TODAY_DATE }, {})
      .catch((e: unknown) => e);
    expect(pulumi.InputPropertiesError.isInstance(rejection)).toBe(true);
    expect((rejection as pulumi.InputPropertiesError).errors).toEqual([{ propertyPath: "tier", reason: expect.stringMatching(/one of/) }]);
  }, 120_000);
});

describe("platform fields from other resources", () => {
  const unhandled: unknown[] = [];
  const record = (error: unknown) => unhandled.push(error);
  beforeEach(() => {
    unhandled.length = 0;
    process.on("unhandledRejection", record);
  });
  afterEach(() => {
    process.off("unhandledRejection", record);
  });

  // Sorted: children that wait on the resolved plan register in a different order.
  const customRegistrations = () =>
    resources()
      .filter((r) => r.custom && r.type !== "eks:index:Cluster")
      .map((r) => ({ type: r.type, name: r.name, inputs: r.inputs }))
      .sort((a, b) => a.name.localeCompare(b.name));

  it("an @pulumi/eks-shaped oidcProviderArn output builds exactly what the plain string builds", async () => {
    const declaration = stackDeclaration("dev");
    installMocks();
    new AgentFleet("platform", { platform: declaration.platform, agents: declaration.agents ?? [], validationDate: TODAY_DATE });
    await settle();
    const plain = customRegistrations();

    const devOidc = declaration.platform.aws.oidcProviderArn;
    installMocks("dev", "agent-identity", { "eks:index:Cluster": () => ({ oidcProviderArn: devOidc }) });
    const cluster = new EksLikeCluster("acme-dev");
    const fleet = new AgentFleet("platform", {
      platform: { ...declaration.platform, aws: { ...declaration.platform.aws, oidcProviderArn: cluster.oidcProviderArn } },
      agents: declaration.agents ?? [],
      validationDate: TODAY_DATE,
    });
    await settle();
    expect(customRegistrations()).toEqual(plain);
    const trust = JSON.parse(customRegistrations().find((r) => r.type === "aws:iam/role:Role")!.inputs.assumeRolePolicy as string);
    expect(trust.Statement[0].Principal.Federated).toBe(devOidc);
    expect(JSON.stringify(customRegistrations())).not.toContain("UNRESOLVED");
    expect((await outputValue(fleet.roleArns))["invoice-triage"].execution).toMatch(/role\/acme-dev-invoice-triage-execution$/);
    // (Earlier tests' failed components can still report "unknown resource" to the replaced mock monitor.)
    expect(unhandled.filter((e) => !/^unknown resource /.test((e as Error).message))).toEqual([]);
  }, 60_000);

  it("a bad ARN from an output fails when it resolves, before any child resource is created", async () => {
    installMocks("dev", "agent-identity", { "eks:index:Cluster": () => ({ oidcProviderArn: OTHER_ACCOUNT_OIDC }) });
    const cluster = new EksLikeCluster("other");
    // Everything that can be checked now is: the placeholder passes, so construction succeeds.
    new Agent("solo", {
      ...agent("solo"),
      platform: { ...PLATFORM, aws: { ...PLATFORM.aws, oidcProviderArn: cluster.oidcProviderArn } },
      validationDate: TODAY_DATE,
    });
    await settle();
    expect(customRegistrations()).toEqual([]);
    const error = unhandled.find((e) => pulumi.InputPropertiesError.isInstance(e)) as pulumi.InputPropertiesError | undefined;
    expect(error?.errors).toEqual([
      { propertyPath: "platform.aws.oidcProviderArn", reason: expect.stringMatching(/account 999988887777, not the platform account 111122223333/) },
    ]);
    // Shown away from the line that built the component: the message names its URN, and the run loop prints no stack.
    expect(error?.message).toMatch(/^urn:pulumi:dev::agent-identity::agent-identity:index:Agent::solo: agent solo: /);
    expect((error as unknown as pulumi.ResourceError).hideStack).toBe(true);
  }, 60_000);

  it("a bad plain field still fails at once, with the output pending", () => {
    installMocks("dev", "agent-identity", { "eks:index:Cluster": () => ({ oidcProviderArn: OIDC }) });
    const cluster = new EksLikeCluster("c");
    const error = errorOf(
      () =>
        new Agent("solo", {
          ...agent("solo"),
          tier: "superuser",
          platform: { ...PLATFORM, aws: { ...PLATFORM.aws, oidcProviderArn: cluster.oidcProviderArn } },
          validationDate: TODAY_DATE,
        }),
    );
    expect((error as pulumi.InputPropertiesError).errors.map((e) => e.propertyPath)).toEqual(["tier"]);
  });
});
