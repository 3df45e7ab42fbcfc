/**
 * `owns`, tool resources, orchestration models and share members may be outputs of other resources
 * (a bucket's `arn`), in TypeScript and through the provider's Construct: the components build exactly
 * what the plain strings build, a bad value fails when it resolves (naming the agent, the field and the
 * resource it came from) before any child exists, and an output where a name is needed fails at once.
 */
import * as pulumi from "@pulumi/pulumi";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { Agent, AgentFleet, type FleetAgent } from "../../components";
import { packagedProvider } from "../../provider/packaged";
import { PLATFORM, TODAY_DATE, agent, stackDeclaration } from "../helpers/fixtures";
import { installMocks, outputValue, resources, settle } from "../helpers/pulumi-mocks";

/** A resource with one output, `value`, the mock echoes from its input (a bucket and its arn). */
class Source extends pulumi.CustomResource {
  declare readonly value: pulumi.Output<string>;
  constructor(name: string, value: string) {
    super("test:index:Source", name, { value });
  }
}
let sources = 0;
const fromResource = (value: string) => new Source(`source-${sources++}`, value).value;

const built = () =>
  resources()
    .filter((r) => r.custom && r.type !== "test:index:Source")
    .map((r) => ({ type: r.type, name: r.name, inputs: r.inputs }))
    .sort((a, b) => a.name.localeCompare(b.name));

/** Every owns entry, tool resource and model of an agent as an output of a resource. */
function withOutputs(input: FleetAgent): FleetAgent {
  return {
    ...input,
    owns: (input.owns as string[] | undefined)?.map(fromResource),
    orchestration: input.orchestration && { ...input.orchestration, models: pulumi.output(input.orchestration.models as string[]) },
    tools: input.tools?.map((tool) => ({
      ...tool,
      aws: tool.aws?.map((statement) => ({ ...statement, resources: (statement.resources as string[]).map(fromResource) })),
    })),
  };
}

/**
 * A value that fails when it resolves rejects outside any test's promise chain; its component's own
 * outputs go on rejecting after the next test replaced the mock monitor ("unknown resource").
 */
let unhandled: unknown[] = [];
const record = (error: unknown) => unhandled.push(error);
beforeAll(() => process.on("unhandledRejection", record));
afterAll(() => process.off("unhandledRejection", record));
beforeEach(() => (unhandled = []));

describe("declaration values from outputs", () => {
  it("a fleet whose owns, resources and models are outputs builds exactly what the plain strings build", async () => {
    const declaration = stackDeclaration("dev");
    const agents = (declaration.agents ?? []) as FleetAgent[];
    installMocks("dev");
    new AgentFleet("platform", { platform: declaration.platform as never, agents, validationDate: TODAY_DATE });
    await settle();
    const plain = built();

    installMocks("dev");
    const fleet = new AgentFleet("platform", { platform: declaration.platform as never, agents: agents.map(withOutputs), validationDate: TODAY_DATE });
    await settle();
    expect(built()).toEqual(plain);
    expect(JSON.stringify(built())).not.toContain("unresolved-output");
    expect(Object.keys(await outputValue(fleet.roleArns)).sort()).toEqual(agents.map((a) => a.name).sort());
    expect(unhandled).toEqual([]);
  }, 120_000);

  it("a bad owns from an output fails when it resolves, naming the agent, the field and the resource; no child is created", async () => {
    installMocks("dev");
    const wildcard = fromResource("arn:aws:s3:::*");
    new Agent("solo", { ...agent("solo"), owns: [wildcard], platform: PLATFORM, validationDate: TODAY_DATE });
    await settle();
    expect(built()).toEqual([]);
    const message = unhandled.map((e) => (e as Error).message).join("\n");
    expect(message).toMatch(/solo/);
    expect(message).toContain("values from outputs: owns[0] (from urn:pulumi:dev::agent-identity::test:index:Source::source-");
  }, 60_000);

  it("an output where a name is needed fails at once, naming the field", () => {
    installMocks("dev");
    const base = agent("solo");
    const tools = [{ ...base.tools![0], name: pulumi.output("read-data") as never }];
    expect(() => new Agent("solo", { ...base, tools, platform: PLATFORM, validationDate: TODAY_DATE })).toThrow(
      /agent solo: tools\[0\]\.name is an output of another resource, which only owns, tools\[\]\.aws\[\]\.resources/,
    );
  });

  it("the provider's Construct accepts Output inputs (as another language passes a bucket's arn)", async () => {
    installMocks("dev");
    const input = agent("solo");
    const arn = (input.owns as string[])[0];
    const provider = packagedProvider();
    const result = await provider.construct!(
      "solo",
      "agent-identity:index:Agent",
      {
        ...input,
        owns: [fromResource(arn)],
        tools: [{ ...input.tools![0], aws: [{ ...input.tools![0].aws![0], resources: pulumi.output([arn]) }] }],
        platform: PLATFORM,
        validationDate: TODAY_DATE,
      },
      {},
    );
    await settle();
    expect(Object.keys(result.state).sort()).toEqual(["auditLogGroupName", "namespace", "roleArns", "serviceAccountNames"]);
    const policy = built().find((r) => r.type === "aws:iam/rolePolicy:RolePolicy" && String(r.inputs.policy).includes("s3:GetObject"));
    expect(JSON.parse(String(policy?.inputs.policy)).Statement.flatMap((s: { Resource: string[] }) => s.Resource)).toContain(arn);
    const serviceAccount = built().find((r) => r.type === "kubernetes:core/v1:ServiceAccount" && r.name.includes("execution"));
    expect(JSON.stringify(serviceAccount?.inputs)).toContain(arn.replace(/\//g, "\\/").slice(0, 10));
  }, 60_000);
});
