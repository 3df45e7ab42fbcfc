/**
 * One measurement of a Pulumi program under the SDK's mock monitor, in a process of its own (the
 * mock runtime is process-global). Usage: `pulumi-child <components|handwritten|structure|floor|pack> <agents> [count]`.
 * Prints one JSON line: registrations, wall time from the first resource until every registration
 * has settled, and the depth of the graph of parent and dependency edges the monitor received.
 *
 * - components: the library's `AgentFleet` from the compiled package (dist/), with validation.
 * - handwritten: the same custom resources with the same inputs, written directly with
 *   @pulumi/aws, @pulumi/kubernetes and @pulumi/vault from a plan computed beforehand; no
 *   components, no validation.
 * - structure: the hand-written resources under bare component resources of the same types and
 *   names as the library's (fleet, agent, identity: the same URNs), each with empty registerOutputs:
 *   what the component structure itself costs, apart from the library's own code.
 * - floor: `count` bare custom resources with no inputs and no logic: what the SDK itself costs.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as vault from "@pulumi/vault";
import type { PolicyResource, ResourceValidationArgs, ResourceValidationPolicy, StackValidationArgs, StackValidationPolicy } from "@pulumi/policy";
import { unknownCheckingProxy } from "@pulumi/policy";
import { AgentFleet, planDeclaration } from "../components";
import type { FleetPlan, IdentityPlan } from "../components/core/plan-types";
import { ROLE_PLAN_ANNOTATION, VAULT_PLAN_ANNOTATION } from "../components/core/compile";
import { rolePlanRecordText } from "../components/core/role-plan";
import { authRoleInputs, awsSecretRoleInputs, databaseSecretRoleInputs, vaultPlanRecordText, vaultPolicyInputs } from "../components/core/vault-plan";
import { createPolicies } from "../policy/policies";
import { BENCH_DATE, benchAgents, benchPackConfig, benchPlatform } from "./fleet";

interface Registration {
  readonly custom: boolean;
  readonly parent: string;
  readonly dependencies: readonly string[];
}

const registrations = new Map<string, Registration>();
let count = 0;
/** Custom resources with their inputs, as a policy pack sees them (kept for the `pack` mode). */
const inputs: Array<{ type: string; name: string; props: Record<string, unknown> }> = [];
/** The pack's configuration, as the security team would set it for the bench fleet (benchPackConfig). */
let packConfig: object = {};

async function installMocks(): Promise<void> {
  await pulumi.runtime.setMocks(
    {
      newResource: (args) => {
        if (args.custom !== false) inputs.push({ type: args.type, name: args.name, props: args.inputs });
        const state: Record<string, unknown> = { ...args.inputs };
        if (args.type === "aws:iam/role:Role") state.arn = `arn:aws:iam::111122223333:role/${args.inputs.name}`;
        return { id: `${args.name}-id`, state };
      },
      call: (args) => {
        throw new Error(`unexpected invoke ${args.token}`);
      },
    },
    "agent-identity",
    "bench",
    true,
  );
  // Observe what the monitor receives: the parent and dependency URNs of every registration.
  type Request = { getParent(): string; getDependenciesList(): string[]; getCustom(): boolean };
  type Response = { getUrn(): string } | undefined;
  const monitor = pulumi.runtime.getMonitor() as unknown as { registerResource(req: Request, callback: (err: unknown, res: Response) => void): unknown };
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req, callback) =>
    register(req, (err, res) => {
      count++;
      if (res) registrations.set(res.getUrn(), { custom: req.getCustom(), parent: req.getParent(), dependencies: req.getDependenciesList() });
      callback(err, res);
    });
}

/** Wait until every registration made so far (and what it triggers in turn) has gone through. */
async function settle(): Promise<void> {
  let seen = -1;
  while (seen !== count) {
    seen = count;
    for (let i = 0; i < 50; i++) await new Promise((resolve) => setImmediate(resolve));
  }
}

/** Longest chain of parent/dependency edges, counted in resources (a lone resource has depth 1). */
function graphDepth(): number {
  const depth = new Map<string, number>();
  const visit = (urn: string): number => {
    const known = depth.get(urn);
    if (known !== undefined) return known;
    const node = registrations.get(urn);
    if (!node) return 0;
    depth.set(urn, 1); // guards against a cycle (there should be none)
    const value = 1 + Math.max(0, ...[node.parent, ...node.dependencies].filter(Boolean).map(visit));
    depth.set(urn, value);
    return value;
  };
  return Math.max(0, ...[...registrations.keys()].map(visit));
}

/** A component resource with no code of its own: registers, parents its children, registers no outputs. */
class BareComponent extends pulumi.ComponentResource {
  constructor(type: string, name: string, parent: pulumi.Resource | undefined) {
    super(type, name, {}, { parent });
  }
  done(): void {
    this.registerOutputs({});
  }
}

/**
 * The same custom resources and inputs as components/agent.ts and agent-identity.ts, with no
 * components; `structured`: under bare components of the library's types and names.
 */
function handWritten(plan: FleetPlan, structured = false): void {
  const component = (type: string, name: string, parent?: pulumi.Resource) =>
    structured ? new BareComponent(`agent-identity:index:${type}`, name, parent) : undefined;
  const fleet = component("AgentFleet", "platform");
  for (const agent of plan.agents) {
    const name = `platform-${agent.name}`;
    const agentComponent = component("Agent", name, fleet);
    const opts = { parent: agentComponent };
    const namespace = agent.namespace.create
      ? new k8s.core.v1.Namespace(`${name}-namespace`, { metadata: { name: agent.namespace.name, labels: { ...agent.namespace.labels } } }, opts)
      : undefined;
    new aws.cloudwatch.LogGroup(
      `${name}-audit-log`,
      {
        name: agent.auditLogGroup.name,
        retentionInDays: agent.auditLogGroup.retentionDays,
        deletionProtectionEnabled: true,
        tags: { agent: agent.name, owner: agent.owner, tier: agent.tier, environment: plan.platform.environment, "managed-by": "pulumi-agent-identity" },
      },
      opts,
    );
    for (const identity of agent.identities) {
      const identityComponent = component("AgentIdentity", `${name}-${identity.kind}`, agentComponent);
      identityResources(`${name}-${identity.kind}`, identity, namespace, identityComponent);
      identityComponent?.done();
    }
    agentComponent?.done();
  }
  fleet?.done();
}

function identityResources(name: string, plan: IdentityPlan, namespace: pulumi.Resource | undefined, parent: pulumi.Resource | undefined): void {
  const opts = { parent };
  new k8s.core.v1.ServiceAccount(
    `${name}-service-account`,
    {
      metadata: {
        name: plan.serviceAccount.name,
        namespace: plan.serviceAccount.namespace,
        labels: { ...plan.serviceAccount.labels },
        // As the AgentIdentity component writes them: the plan's, and the role and Vault resources as planned.
        annotations: {
          ...plan.serviceAccount.annotations,
          [ROLE_PLAN_ANNOTATION]: rolePlanRecordText(plan.iamRole),
          [VAULT_PLAN_ANNOTATION]: vaultPlanRecordText(plan.vault),
        },
      },
      automountServiceAccountToken: plan.serviceAccount.automountServiceAccountToken,
    },
    { ...opts, dependsOn: namespace ? [namespace] : [] },
  );
  const role = new aws.iam.Role(
    `${name}-role`,
    {
      name: plan.iamRole.name,
      description: `${plan.kind} identity of agent ${plan.serviceAccount.labels["agent-identity.io/agent"]} (managed by pulumi-agent-identity)`,
      assumeRolePolicy: JSON.stringify(plan.iamRole.trustPolicy),
      maxSessionDuration: plan.iamRole.maxSessionDuration,
      permissionsBoundary: plan.iamRole.permissionsBoundary ?? undefined,
      forceDetachPolicies: true,
      tags: { ...plan.iamRole.tags },
    },
    opts,
  );
  for (const policy of plan.iamRole.policies)
    new aws.iam.RolePolicy(`${name}-${policy.name}`, { name: policy.name, role: role.name, policy: JSON.stringify(policy.document) }, opts);
  new aws.iam.RolePolicyAttachmentsExclusive(`${name}-role-attachments`, { roleName: role.name, policyArns: [] }, opts);
  new aws.iam.RolePoliciesExclusive(`${name}-role-inline`, { roleName: role.name, policyNames: plan.iamRole.policies.map((p) => p.name) }, opts);
  // Vault resources with the component's own input builders (components/core/vault-plan.ts).
  const vaultPlan = plan.vault;
  if (vaultPlan.policy && vaultPlan.role) {
    const policy = new vault.Policy(`${name}-vault-policy`, vaultPolicyInputs(vaultPlan.policy), opts);
    new vault.kubernetes.AuthBackendRole(`${name}-vault-role`, authRoleInputs(vaultPlan.role, [policy.name]), opts);
  }
  for (const s of vaultPlan.secretRoles) {
    if (s.type === "database") new vault.database.SecretBackendRole(`${name}-secret-${s.tool}`, databaseSecretRoleInputs(s), opts);
    else new vault.aws.SecretBackendRole(`${name}-secret-${s.tool}`, awsSecretRoleInputs(s), opts);
  }
}

class Bare extends pulumi.CustomResource {
  constructor(name: string) {
    super("test:index:Bare", name, {});
  }
}

/** The provider SDKs load each resource class on first use: load them all before the clock starts. */
function loadResourceClasses(): unknown[] {
  return [
    aws.iam.Role,
    aws.iam.RolePolicy,
    aws.iam.RolePolicyAttachmentsExclusive,
    aws.iam.RolePoliciesExclusive,
    aws.cloudwatch.LogGroup,
    k8s.core.v1.Namespace,
    k8s.core.v1.ServiceAccount,
    vault.Policy,
    vault.kubernetes.AuthBackendRole,
    vault.database.SecretBackendRole,
    vault.aws.SecretBackendRole,
  ];
}

const urnOf = (r: { type: string; name: string }) => `urn:pulumi:bench::agent-identity::${r.type}::${r.name}`;
const opts = {
  protect: false,
  ignoreChanges: [],
  aliases: [],
  customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
  additionalSecretOutputs: [],
};
const notApplicable = (reason?: string): never => {
  throw new Error(`notApplicable: ${reason}`);
};

/**
 * The pack over every registered custom resource, the way the policy server calls it: for each
 * resource, every resource policy with freshly built args; then every stack policy once.
 */
/**
 * The same policies (names, kinds and count) doing nothing: what calling them the way the engine
 * does costs by itself (args, proxies, copies of every resource), to tell apart from the pack's own work.
 */
function idlePolicies(policies: ReturnType<typeof createPolicies>): ReturnType<typeof createPolicies> {
  return policies.map((policy) =>
    "validateStack" in policy ? { ...policy, validateStack: () => undefined } : { ...policy, validateResource: () => undefined },
  ) as ReturnType<typeof createPolicies>;
}

async function runPack(idle = false): Promise<{
  packMs: number;
  packResourceMs: number;
  packStackMs: number;
  packCpuMs: number;
  packResourceCpuMs: number;
  packStackCpuMs: number;
  violations: number;
  policies: number;
}> {
  // One date for every call, as the default `() => new Date()` costs no string parsing either.
  const today = new Date(`${BENCH_DATE}T12:00:00Z`);
  const policies = idle ? idlePolicies(createPolicies({ now: () => today })) : createPolicies({ now: () => today });
  let violations = 0;
  const report = () => void violations++;
  // The engine reads each URN from its request once (a flat string): not rebuilt per policy here either.
  const urns = inputs.map((r) => urnOf(r));
  const cpuMs = (since: NodeJS.CpuUsage) => {
    const used = process.cpuUsage(since);
    return (used.user + used.system) / 1000;
  };
  const cpuStart = process.cpuUsage();
  const start = performance.now();
  for (const [at, r] of inputs.entries()) {
    for (const policy of policies) {
      const validate = (policy as ResourceValidationPolicy).validateResource;
      if (!validate) continue;
      const args: ResourceValidationArgs = {
        type: r.type,
        name: r.name,
        urn: urns[at],
        props: unknownCheckingProxy(r.props),
        opts,
        stackTags: new Map(),
        isType: () => false,
        asType: () => undefined,
        getConfig: <T extends object>() => packConfig as T,
        notApplicable,
      };
      for (const validation of Array.isArray(validate) ? validate : [validate]) await validation(args, report);
    }
  }
  const resourcesDone = performance.now();
  const resourcesCpu = cpuMs(cpuStart);
  for (const policy of policies) {
    const validate = (policy as StackValidationPolicy).validateStack;
    if (!validate) continue;
    const resources = inputs.map(
      (r, at) =>
        ({
          type: r.type,
          name: r.name,
          urn: urns[at],
          props: unknownCheckingProxy(r.props),
          opts,
          dependencies: [],
          propertyDependencies: {},
          isType: () => false,
          asType: () => undefined,
        }) as unknown as PolicyResource,
    );
    const args: StackValidationArgs = { resources, stackTags: new Map(), getConfig: <T extends object>() => packConfig as T, notApplicable };
    await validate(args, report);
  }
  const end = performance.now();
  const totalCpu = cpuMs(cpuStart);
  return {
    packMs: end - start,
    packResourceMs: resourcesDone - start,
    packStackMs: end - resourcesDone,
    packCpuMs: totalCpu,
    packResourceCpuMs: resourcesCpu,
    packStackCpuMs: totalCpu - resourcesCpu,
    violations,
    policies: policies.length,
  };
}

/**
 * The engine runs a policy pack as a plugin process of its own, holding only the pack: so does the
 * bench. The registered inputs go to a file and `pack-run` (below) checks them in a fresh process;
 * in this one they would share a heap with everything the mock run holds (1.8 GB at 1,000 agents),
 * and its garbage collection, not the pack, would dominate.
 */
function packInOwnProcess(): Awaited<ReturnType<typeof runPack>> & { packIdleCpuMs: number } {
  const dir = mkdtempSync(join(tmpdir(), "agent-identity-pack-"));
  try {
    const file = join(dir, "inputs.json");
    writeFileSync(file, JSON.stringify({ inputs, config: packConfig }));
    const runOnce = (mode: "pack-run" | "pack-run-idle") => {
      const run = spawnSync(process.execPath, [__filename, mode, file], { encoding: "utf8", maxBuffer: 1 << 26 });
      if (run.status !== 0) throw new Error(`${mode} failed (exit ${run.status}): ${run.stderr.slice(0, 2000)}`);
      return JSON.parse(run.stdout.trim().split("\n").pop()!) as Awaited<ReturnType<typeof runPack>>;
    };
    return { ...runOnce("pack-run"), packIdleCpuMs: runOnce("pack-run-idle").packCpuMs };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const [mode, agentsArg, countArg] = process.argv.slice(2);
  if (mode === "pack-run" || mode === "pack-run-idle") {
    const given = JSON.parse(readFileSync(agentsArg, "utf8")) as { inputs: typeof inputs; config: object };
    for (const input of given.inputs) inputs.push(input);
    packConfig = given.config;
    process.stdout.write(`${JSON.stringify(await runPack(mode === "pack-run-idle"))}\n`);
    return;
  }
  const agents = benchAgents(Number(agentsArg));
  const platform = benchPlatform(agents);
  const validationDate = new Date(`${BENCH_DATE}T12:00:00Z`);
  // Compiled code, as a user's program gets it from the package.
  loadResourceClasses();
  await installMocks();
  let plan: FleetPlan | undefined;
  if (mode === "handwritten" || mode === "pack" || mode === "structure") plan = planDeclaration({ platform: platform, agents }, "bench", validationDate).plan;

  const cpuStart = process.cpuUsage();
  const start = performance.now();
  if (mode === "components") new AgentFleet("platform", { platform: platform, agents, validationDate: BENCH_DATE });
  else if (mode === "handwritten" || mode === "pack" || mode === "structure") handWritten(plan!, mode === "structure");
  else if (mode === "floor") for (let i = 0; i < Number(countArg); i++) new Bare(`bare-${i}`);
  else throw new Error(`unknown mode ${mode}`);
  const constructed = performance.now();
  await settle();
  const ms = performance.now() - start;
  const cpu = process.cpuUsage(cpuStart);

  // Validation alone, measured after the run (warm caches): the share of `ms` that is not registration.
  let validationMs = 0;
  if (mode === "components") {
    const before = performance.now();
    planDeclaration({ platform: platform, agents }, "bench", validationDate);
    validationMs = performance.now() - before;
  }
  if (mode === "pack") packConfig = benchPackConfig(platform);
  const pack = mode === "pack" ? packInOwnProcess() : undefined;
  const nodes = [...registrations.values()];
  process.stdout.write(
    `${JSON.stringify({
      mode,
      agents: agents.length,
      custom: nodes.filter((n) => n.custom).length,
      components: nodes.filter((n) => !n.custom).length,
      ms,
      cpuMs: (cpu.user + cpu.system) / 1000,
      constructMs: constructed - start,
      validationMs,
      depth: graphDepth(),
      rssMiB: process.memoryUsage().rss / 2 ** 20,
      ...pack,
    })}\n`,
  );
}

main().catch((error) => {
  process.stderr.write(`${(error as Error).stack ?? error}\n`);
  process.exit(1);
});
