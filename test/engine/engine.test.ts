/**
 * The stack program and the policy pack run the way the Pulumi CLI runs them (see language-host.ts
 * and analyzer.ts for what is mirrored, from pulumi/pulumi v3.248.0), against a loopback engine:
 * `node @pulumi/pulumi/cmd/run` from `stacks/` with ts-node type-checking the program, every
 * RegisterResource recorded as it crosses the wire, and the pack started by
 * `@pulumi/pulumi/cmd/run-policy-pack` and fed those resources over the Analyzer gRPC service.
 *
 * What it caught on main (5199101), before stacks/tsconfig.json existed: every preview and update
 * stopped before a single resource was registered, because Pulumi runs `main: stacks/index.ts` from
 * `stacks/`, found no tsconfig.json there and type-checked with its loose defaults:
 *   error: Running program '…/stacks/index.ts' failed with an unhandled exception:
 *   TSError: ⨯ Unable to compile TypeScript:
 *   ../components/agent-identity.ts(74,9): error TS2322: Type 'Output<any>' is not assignable to type 'Output<string>'.
 *   ../components/agent-identity.ts(75,9): error TS2322: …
 * (exit code 32, one resource registered: the root stack). vitest does not type-check and
 * `npm run typecheck` uses the root tsconfig, so nothing else noticed.
 */
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, it } from "vitest";
import { runPlan } from "../../cli/plan-command";
import type { DeclarationInput } from "../../components/core/schema";
import { policyName } from "../../policy/policies";
import { componentResources } from "../helpers/component-resources";
import { PolicyPackProcess, type PackSession, type PolicyDiagnostic } from "./analyzer";
import { EXIT_ALREADY_REPORTED, runProgram, stackConfig, type ProgramRun } from "./language-host";
import { EngineMonitor } from "./monitor";
import { SECRET_SIG, SIG_KEY, UNKNOWN, isSecret, plain, plainTextStrings, type WireObject } from "./wire";

const ROOT = resolve(__dirname, "../..");
const PROJECT = "agent-identity";
const TODAY = new Date().toISOString().slice(0, 10);

// A fresh ts-node cache, as on a fresh clone: ts-node 7 skips type-checking files it has cached.
let cacheDir: string;
beforeAll(() => {
  cacheDir = mkdtempSync(join(tmpdir(), "engine-harness-ts-node-"));
});
afterAll(() => rmSync(cacheDir, { recursive: true, force: true }));

/** What a provider would compute on create in an update (the program exports each role's ARN). */
function computed(type: string, _name: string, inputs: WireObject): WireObject {
  const name = plain(inputs.name ?? null);
  if (type === "aws:iam/role:Role" && typeof name === "string") return { arn: `arn:aws:iam::111122223333:role/${name}` };
  if (type === "aws:iam/policy:Policy" && typeof name === "string") return { arn: `arn:aws:iam::111122223333:policy/${name}` };
  return {};
}

interface Deployment {
  readonly run: ProgramRun;
  readonly diagnostics: PolicyDiagnostic[];
}

/**
 * Program runs are child processes dominated by ts-node type-checking: run a few at once (the tests
 * are concurrent) but not all, so a shared 2-core CI machine is not swamped.
 */
const MAX_RUNS = 3;
let running = 0;
const waiting: Array<() => void> = [];
async function limited<T>(work: () => Promise<T>): Promise<T> {
  while (running >= MAX_RUNS) await new Promise<void>((wake) => waiting.push(wake));
  running++;
  try {
    return await work();
  } finally {
    running--;
    waiting.shift()?.();
  }
}

/** One pack process per stack and mode, as one `pulumi preview` / `pulumi up` starts it once. */
const packs = new Map<string, Promise<{ pack: PolicyPackProcess; engine: EngineMonitor; session: PackSession }>>();
function packFor(session: PackSession) {
  const key = `${session.stack}:${session.dryRun}`;
  if (!packs.has(key)) {
    packs.set(
      key,
      (async () => {
        const engine = new EngineMonitor({ project: PROJECT, stack: session.stack, organization: "organization", dryRun: session.dryRun });
        const pack = await PolicyPackProcess.start(join(ROOT, "policy"), await engine.start(), session);
        return { pack, engine, session };
      })(),
    );
  }
  return packs.get(key)!;
}
afterAll(async () => {
  for (const started of packs.values()) {
    const { pack, engine } = await started;
    await pack.stop();
    engine.stop();
  }
});

interface DeployOptions {
  readonly stack: string;
  readonly dryRun: boolean;
  readonly main?: string;
  readonly config?: Record<string, string>;
  readonly secretKeys?: string[];
}

/** Each distinct program run happens once; tests that look at the same run share it. */
const runs = new Map<string, Promise<ProgramRun>>();
function programRun(options: DeployOptions): Promise<ProgramRun> {
  const key = JSON.stringify(options);
  if (!runs.has(key)) {
    const config = options.config ?? stackConfig(ROOT, options.stack);
    const env = { TS_NODE_CACHE_DIRECTORY: cacheDir };
    runs.set(
      key,
      limited(() => runProgram({ projectDir: ROOT, ...options, config, computed, env })),
    );
  }
  return runs.get(key)!;
}

/** One `pulumi preview` (dryRun) or `pulumi up` with the pack: run the program, then analyze what it registered. */
async function deploy(options: DeployOptions): Promise<Deployment> {
  const run = await programRun(options);
  const config = options.config ?? stackConfig(ROOT, options.stack);
  const { pack, session } = await packFor({
    stack: options.stack,
    project: PROJECT,
    dryRun: options.dryRun,
    config,
    env: { TS_NODE_CACHE_DIRECTORY: cacheDir },
  });
  return { run, diagnostics: await pack.analyzeAll(run.monitor.resources, session) };
}

// Type-check the components and the pack once (into the fresh cache) before the concurrent tests.
beforeAll(() => deploy({ stack: "dev", dryRun: true }), 240_000);

/** A clean run: exit 0, no error logged to the engine, nothing but resource registrations asked for. */
const CLEAN = { exitCode: 0, errors: [], unexpected: [] };
function outcome(run: ProgramRun) {
  return { exitCode: run.exitCode, errors: run.monitor.errors().map((log) => log.message), unexpected: run.monitor.unexpected };
}

/** The rule a diagnostic names, and whether the policy that reported it is that rule's own. */
function ruleOf(diagnostic: PolicyDiagnostic): { rule: string; ownPolicy: boolean } {
  const rule = /(?:^|: )([a-z]+\/[a-z-]+): /.exec(diagnostic.message)?.[1];
  if (!rule) throw new Error(`diagnostic names no rule: ${diagnostic.message}`);
  return { rule, ownPolicy: [policyName(rule, "resource"), policyName(rule, "stack")].includes(diagnostic.policyName) };
}

function declarationOf(stack: string): DeclarationInput {
  const config = stackConfig(ROOT, stack);
  const platform = JSON.parse(config["agent-identity:platform"]) as DeclarationInput["platform"];
  const agents = JSON.parse(config["agent-identity:agents"] ?? "[]") as DeclarationInput["agents"];
  return { platform, agents };
}

const SLOW = { timeout: 240_000 };
const MODES: Array<[string, boolean]> = [
  ["preview", true],
  ["update", false],
];

describe.concurrent.each(["dev", "prod"])("stack %s through the engine protocol", (stack) => {
  it.for(MODES)("%s registers exactly what plan prints, and the pack reports nothing", SLOW, async ([, dryRun], { expect }) => {
    const { run, diagnostics } = await deploy({ stack, dryRun });
    expect(outcome(run), run.stderr).toEqual(CLEAN);

    // The mock test's comparison (test/stack-program.test.ts), now across the wire.
    const plan = JSON.parse(runPlan({ stack, format: "json", date: TODAY }).stdout).plan;
    // Each identity's own role and, with tagged sessions, the execution identity's tool role.
    const planned = plan.agents
      .flatMap((a: { identities: Array<{ iamRole: { name: string }; toolRole: { name: string } | null }> }) =>
        a.identities.flatMap((i) => [i.iamRole.name, ...(i.toolRole ? [i.toolRole.name] : [])]),
      )
      .sort();
    const custom = run.monitor.resources.filter((r) => r.custom);
    expect(
      custom
        .filter((r) => r.type === "aws:iam/role:Role")
        .map((r) => plain(r.inputs.name ?? null))
        .sort(),
    ).toEqual(planned);
    // And every resource, input for input, equals what the components register under mocks.
    const wire = custom.map((r) => ({ type: r.type, name: r.name, props: plain(r.inputs) })).sort((a, b) => a.name.localeCompare(b.name));
    const mocked = (await componentResources(declarationOf(stack))).map((r) => JSON.parse(JSON.stringify(r))).sort((a, b) => a.name.localeCompare(b.name));
    expect(wire).toEqual(mocked);

    expect(diagnostics).toEqual([]);
    if (!dryRun) {
      const outputs = run.monitor.stackOutputs.get(`urn:pulumi:${stack}::${PROJECT}::pulumi:pulumi:Stack::${PROJECT}-${stack}`);
      expect(JSON.stringify(outputs?.identities)).toContain(":role/");
    }
  });
});

describe.concurrent("expiry is revocation", () => {
  /** The dev stack with invoice-triage past its `expires`. */
  function expiredConfig(): Record<string, string> {
    const config = stackConfig(ROOT, "dev");
    const agents = JSON.parse(config["agent-identity:agents"]) as Array<{ name: string; expires: string }>;
    const expired = agents.map((a) => (a.name === "invoice-triage" ? { ...a, expires: "2020-01-31" } : a));
    return { ...config, "agent-identity:agents": JSON.stringify(expired) };
  }

  it("update: the expired agent is revoked with a warning naming its sponsor, the other agents deploy, the pack reports nothing", SLOW, async ({ expect }) => {
    const config = expiredConfig();
    const run = await programRun({ stack: "dev", dryRun: false, config });
    expect(outcome(run), run.stderr).toEqual(CLEAN);
    const warnings = run.monitor.logs.filter((log) => log.severity === "warning").map((log) => log.message);
    expect(warnings).toEqual(
      expect.arrayContaining([expect.stringMatching(/invoice-triage\/\*: lifecycle\/revoked-on-expiry: expired on 2020-01-31 .*jane\.doe@example\.com/)]),
    );
    const custom = run.monitor.resources.filter((r) => r.custom);
    const vaultRoles = custom.filter((r) => r.type === "vault:kubernetes/authBackendRole:AuthBackendRole").map((r) => String(plain(r.inputs.roleName ?? null)));
    expect(vaultRoles.filter((name) => name.includes("invoice-triage"))).toEqual([]);
    // Every other agent of the stack gets its Vault roles, as when nothing has expired.
    const others = (declarationOf("dev").agents as Array<{ name: string; revoked?: unknown }>).filter((a) => a.name !== "invoice-triage" && !a.revoked);
    expect(others.length).toBeGreaterThan(0);
    for (const agent of others)
      expect(
        vaultRoles.filter((name) => name.includes(agent.name)),
        agent.name,
      ).toHaveLength(3);
    // The expired agent's roles stay (so its sessions can be ended): they carry the revocation policy.
    const revokedPolicies = custom.filter(
      (r) => r.type === "aws:iam/rolePolicy:RolePolicy" && String(plain(r.inputs.name ?? null)) === "agent-identity-revoked",
    );
    expect(revokedPolicies.filter((r) => r.name.includes("invoice-triage"))).toHaveLength(3);
    const { pack, session } = await packFor({ stack: "dev", project: PROJECT, dryRun: false, config, env: { TS_NODE_CACHE_DIRECTORY: cacheDir } });
    expect(await pack.analyzeAll(run.monitor.resources, session)).toEqual([]);
  });
});

describe.concurrent("hand-written bad programs are refused by the pack over gRPC", () => {
  const cases: Array<{ program: string; rules: string[]; modes: boolean[] }> = [
    { program: "role-trusts-everyone.ts", rules: ["trust/principal-wildcard"], modes: [true, false] },
    { program: "role-policy-action-star.ts", rules: ["iam/action-wildcard"], modes: [true, false] },
    { program: "kube-system-automount.ts", rules: ["kubernetes/automount-token", "kubernetes/system-namespace"], modes: [true, false] },
    { program: "vault-policy-sudo.ts", rules: ["vault/policy-sudo"], modes: [true, false] },
    // Routes around the components (issue #9 part 6): an attached customer policy traced through
    // property dependencies, aws-auth, and a raw Vault write of a policy.
    { program: "customer-policy-attachment.ts", rules: ["iam/passrole-wildcard"], modes: [true, false] },
    { program: "aws-auth-configmap.ts", rules: ["kubernetes/eks-access"], modes: [true, false] },
    { program: "vault-generic-sys-policy.ts", rules: ["vault/generic-write"], modes: [true, false] },
    // Issue #19: platform resources per resource, Vault judged by path across the stack.
    {
      program: "platform-resources.ts",
      rules: [
        "vault/audit-device",
        "database/connection-tls",
        "database/connection-allowed-roles",
        "vault/aws-engine",
        "kubernetes/egress-private",
        "kubernetes/pod-security",
      ],
      modes: [true, false],
    },
    { program: "vault-path-reach.ts", rules: ["vault/agent-path-reach", "vault/generic-write"], modes: [true, false] },
    // Unknown only at preview: the pack must report it, not wave it through.
    { program: "unknown-policy-document.ts", rules: ["stack/unknown-input"], modes: [true] },
  ];
  for (const { program, rules, modes } of cases) {
    const label = modes.map((dryRun) => (dryRun ? "preview" : "update")).join(" and ");
    it(`${program} (${label}): ${rules.join(", ")}`, SLOW, async ({ expect }) => {
      // In order: the update run reuses the type-checked program from the preview run.
      for (const dryRun of modes) {
        const { run, diagnostics } = await deploy({ stack: "dev", dryRun, main: `test/engine/programs/${program}` });
        expect(outcome(run), run.stderr).toEqual(CLEAN);
        const mandatory = diagnostics.filter((d) => d.enforcementLevel === "mandatory").map(ruleOf);
        const report = JSON.stringify(diagnostics, null, 2);
        expect(mandatory.length, report).toBeGreaterThan(0);
        expect(
          mandatory.filter((d) => !d.ownPolicy),
          report,
        ).toEqual([]);
        for (const rule of rules)
          expect(
            mandatory.map((d) => d.rule),
            report,
          ).toContain(rule);
      }
    });
  }

  it(
    "pod-identity-laundered-role.ts: a role ARN computed from the stack's role passes preview and is refused at update by the association's own Analyze, before creation",
    SLOW,
    async ({ expect }) => {
      const main = "test/engine/programs/pod-identity-laundered-role.ts";
      const ASSOCIATION = "aws:eks/podIdentityAssociation:PodIdentityAssociation";
      for (const dryRun of [true, false]) {
        const run = await programRun({ stack: "dev", dryRun, main });
        expect(outcome(run), run.stderr).toEqual(CLEAN);
        const association = run.monitor.resources.find((r) => r.type === ASSOCIATION)!;
        const role = run.monitor.resources.find((r) => r.type === "aws:iam/role:Role")!;
        expect(association.propertyDependencies.roleArn).toEqual([role.urn]);
        expect(plain(association.inputs.roleArn ?? null)).toBe(dryRun ? "<unknown>" : "arn:aws:iam::111122223333:role/platform-admin");
        const { pack, session } = await packFor({
          stack: "dev",
          project: PROJECT,
          dryRun,
          config: stackConfig(ROOT, "dev"),
          env: { TS_NODE_CACHE_DIRECTORY: cacheDir },
        });
        // As step_generator.go: one Analyze per resource in registration order (the role before the association).
        let own: PolicyDiagnostic[] = [];
        for (const resource of run.monitor.resources) {
          const found = await pack.analyze(resource, run.monitor.resources, session);
          if (resource === association) own = found;
        }
        const stackWide = await pack.analyzeStack(run.monitor.resources, session);
        const rules = (list: PolicyDiagnostic[]) => list.filter((d) => d.enforcementLevel === "mandatory").map((d) => ruleOf(d).rule);
        const report = JSON.stringify({ own, stackWide }, null, 2);
        if (dryRun) {
          expect(rules(own), report).not.toContain("kubernetes/eks-access");
          expect(rules(stackWide), report).not.toContain("kubernetes/eks-access");
        } else expect(rules(own), report).toContain("kubernetes/eks-access");
      }
    },
  );

  it("the unknown policy document really crossed the wire as unknown at preview", SLOW, async ({ expect }) => {
    const run = await programRun({ stack: "dev", dryRun: true, main: "test/engine/programs/unknown-policy-document.ts" });
    expect(outcome(run), run.stderr).toEqual(CLEAN);
    const policy = run.monitor.resources.find((r) => r.type === "aws:iam/rolePolicy:RolePolicy");
    expect(plain(policy?.inputs.policy ?? null)).toBe("<unknown>");
    expect(JSON.stringify(policy?.inputs.policy)).toContain(UNKNOWN);
  });
});

describe.concurrent("secrets", () => {
  const TOKEN = "hvs.harness-secret-token-5f1c";
  const config = () => ({ ...stackConfig(ROOT, "dev"), "harness:vaultToken": TOKEN, "vault:token": TOKEN });
  const secretKeys = ["harness:vaultToken", "vault:token"];
  const programs: Array<[string, string | undefined]> = [
    ["stacks/index.ts", undefined],
    ["a program handing the secret to a provider", "test/engine/programs/secret-provider-token.ts"],
  ];
  for (const [label, main] of programs) {
    it(`a secret config value never crosses the wire in plain text: ${label} (preview and update)`, SLOW, async ({ expect }) => {
      for (const [, dryRun] of MODES) {
        const run = await programRun({ stack: "dev", dryRun, main, config: config(), secretKeys });
        expect(outcome(run), run.stderr).toEqual(CLEAN);
        expect(run.monitor.resources.length).toBeGreaterThan(1);
        for (const resource of run.monitor.resources) {
          expect(
            plainTextStrings(resource.inputs).filter((s) => s.includes(TOKEN)),
            resource.urn,
          ).toEqual([]);
        }
        if (main) {
          const provider = run.monitor.resources.find((r) => r.type === "pulumi:providers:vault");
          expect(isSecret(provider?.inputs.token)).toBe(true);
          expect(provider?.inputs.token).toMatchObject({ [SIG_KEY]: SECRET_SIG, value: TOKEN });
        }
      }
    });
  }
});

describe.concurrent("the program is type-checked with the project's strict settings where Pulumi runs it", () => {
  /**
   * A copy of the project whose stacks/index.ts is a probe that type-checks only without
   * strictNullChecks. With stacks/tsconfig.json Pulumi's runtime must refuse it (TS2322); remove
   * that file and the same program runs, as agent-identity.ts's TS2322 showed on main. (The probe,
   * not agent-identity.ts, so the check stays meaningful once that file also passes loose checks.)
   */
  function probeProject(withStacksTsconfig: boolean): string {
    const dir = mkdtempSync(join(tmpdir(), "engine-harness-probe-"));
    cpSync(join(ROOT, "Pulumi.yaml"), join(dir, "Pulumi.yaml"));
    cpSync(join(ROOT, "tsconfig.json"), join(dir, "tsconfig.json"));
    mkdirSync(join(dir, "stacks"));
    if (withStacksTsconfig) cpSync(join(ROOT, "stacks/tsconfig.json"), join(dir, "stacks/tsconfig.json"));
    writeFileSync(join(dir, "stacks/index.ts"), 'const maybe = [undefined, "x"][Number(process.env.PROBE ?? 0)];\nexport const probe: string = maybe;\n');
    symlinkSync(join(ROOT, "node_modules"), join(dir, "node_modules"));
    return dir;
  }

  it.for([
    [true, "refused"],
    [false, "accepted"],
  ] as const)("with stacks/tsconfig.json present=%s a strict-only error is %s", SLOW, async ([present], { expect }) => {
    const dir = probeProject(present);
    try {
      const run = await limited(() =>
        runProgram({ projectDir: dir, stack: "dev", dryRun: true, config: {}, env: { TS_NODE_CACHE_DIRECTORY: join(dir, ".ts-node") } }),
      );
      const errors = run.monitor
        .errors()
        .map((log) => log.message)
        .join("\n");
      if (present) {
        expect(run.exitCode).toBe(EXIT_ALREADY_REPORTED);
        expect(errors).toMatch(/index\.ts\(2,14\): error TS2322: Type 'string \| undefined' is not assignable to type 'string'/);
      } else {
        expect({ exitCode: run.exitCode, errors }).toEqual({ exitCode: 0, errors: "" });
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe.concurrent("the sandbox stack: bootstrap on, two clusters (IRSA and Pod Identity)", () => {
  const PASSWORD = "sandbox-root-password-c41d";
  const config = () => ({ ...stackConfig(ROOT, "sandbox"), "agent-identity:ledgerRootPassword": PASSWORD });
  const secretKeys = ["agent-identity:ledgerRootPassword"];

  it.for(MODES)(
    "%s: the program registers the platform, the bindings and the agents; the pack reports nothing; the root password stays secret",
    SLOW,
    async ([, dryRun], { expect }) => {
      const run = await programRun({ stack: "sandbox", dryRun, config: config(), secretKeys });
      expect(outcome(run), run.stderr).toEqual(CLEAN);
      const types = run.monitor.resources.filter((r) => r.custom).map((r) => r.type);
      const count = (type: string) => types.filter((t) => t === type).length;
      expect({
        audit: count("vault:index/audit:Audit"),
        authBackends: count("vault:index/authBackend:AuthBackend"),
        authConfigs: count("vault:kubernetes/authBackendConfig:AuthBackendConfig"),
        mounts: count("vault:index/mount:Mount"),
        connections: count("vault:database/secretBackendConnection:SecretBackendConnection"),
        awsEngines: count("vault:aws/secretBackend:SecretBackend"),
        kubernetesProviders: count("pulumi:providers:kubernetes"),
        // invoice-triage in blue and green, support-assistant in green: 3 namespaces, 9 ServiceAccounts.
        namespaces: count("kubernetes:core/v1:Namespace"),
        serviceAccounts: count("kubernetes:core/v1:ServiceAccount"),
        networkPolicies: count("kubernetes:networking.k8s.io/v1:NetworkPolicy"),
        quotas: count("kubernetes:core/v1:ResourceQuota"),
        limitRanges: count("kubernetes:core/v1:LimitRange"),
        podIdentityAssociations: count("aws:eks/podIdentityAssociation:PodIdentityAssociation"),
        vaultRoles: count("vault:kubernetes/authBackendRole:AuthBackendRole"),
      }).toEqual({
        audit: 1,
        authBackends: 2,
        authConfigs: 2,
        mounts: 2,
        connections: 1,
        awsEngines: 1,
        kubernetesProviders: 2,
        namespaces: 3,
        serviceAccounts: 9,
        networkPolicies: 3,
        quotas: 3,
        limitRanges: 3,
        podIdentityAssociations: 6,
        vaultRoles: 9,
      });
      // Every agent Vault role waits for the auth backend of its own cluster (the mount it names).
      const backends = new Map(
        run.monitor.resources.filter((r) => r.type === "vault:index/authBackend:AuthBackend").map((r) => [plain(r.inputs.path ?? null), r.urn]),
      );
      for (const role of run.monitor.resources.filter((r) => r.type === "vault:kubernetes/authBackendRole:AuthBackendRole")) {
        expect(role.dependencies, role.urn).toContain(backends.get(plain(role.inputs.backend ?? null)));
      }
      for (const resource of run.monitor.resources)
        expect(
          plainTextStrings(resource.inputs).filter((s) => s.includes(PASSWORD)),
          resource.urn,
        ).toEqual([]);
      // Nor in what the engine answered, nor in any registered output (components' and the stack's).
      for (const resource of run.monitor.resources)
        expect(
          plainTextStrings(resource.outputs).filter((s) => s.includes(PASSWORD)),
          resource.urn,
        ).toEqual([]);
      for (const [urn, outputs] of run.monitor.stackOutputs)
        expect(
          plainTextStrings(outputs).filter((s) => s.includes(PASSWORD)),
          urn,
        ).toEqual([]);
      expect(run.monitor.stackOutputs.size).toBeGreaterThan(1);
      const connection = run.monitor.resources.find((r) => r.type === "vault:database/secretBackendConnection:SecretBackendConnection")!;
      const postgresql = connection.inputs.postgresql as WireObject | undefined;
      expect(isSecret(connection.inputs.postgresql) || isSecret(postgresql?.password)).toBe(true);
      const { pack, session } = await packFor({ stack: "sandbox", project: PROJECT, dryRun, config: config(), env: { TS_NODE_CACHE_DIRECTORY: cacheDir } });
      expect(await pack.analyzeAll(run.monitor.resources, session)).toEqual([]);
    },
  );

  it("a root password set in plain text (not --secret) is refused before anything is created", SLOW, async ({ expect }) => {
    const run = await programRun({ stack: "sandbox", dryRun: true, config: config(), secretKeys: [] });
    expect(run.exitCode).not.toBe(0);
    expect(
      run.monitor
        .errors()
        .map((log) => log.message)
        .join("\n"),
    ).toMatch(/agent-identity:ledgerRootPassword \(root password of connection ledger\) is not a secret: set it with `pulumi config set --secret/);
    expect(run.monitor.resources.filter((r) => r.custom)).toEqual([]);
  });

  it("a kubeContexts key naming no declared cluster (a typo) is refused before anything is created", SLOW, async ({ expect }) => {
    const typo = { ...config(), "agent-identity:kubeContexts": JSON.stringify({ blue: "sandbox-blue", gren: "sandbox-green" }) };
    const run = await programRun({ stack: "sandbox", dryRun: true, config: typo, secretKeys });
    expect(run.exitCode).not.toBe(0);
    expect(
      run.monitor
        .errors()
        .map((log) => log.message)
        .join("\n"),
    ).toMatch(/agent-identity:kubeContexts is refused:\n {2}- agent-identity:kubeContexts\.gren: no cluster "gren" in platform\.clusters \(blue, green\)/);
    // Not even the Kubernetes providers: nothing is registered but the stack itself.
    expect(run.monitor.resources.filter((r) => r.type !== "pulumi:pulumi:Stack")).toEqual([]);
  });
});
