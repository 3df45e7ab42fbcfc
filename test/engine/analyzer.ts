/**
 * Starts the policy pack the way the Pulumi engine starts a Node.js pack, and sends it the recorded
 * resources over the Analyzer gRPC service. Mirrored from pulumi/pulumi tag v3.248.0 (a88168d865b7):
 * - sdk/go/common/resource/plugin/analyzer_plugin.go NewPolicyAnalyzer: with the nodejs language
 *   plugin present (it ships with the CLI) the pack runs through the language host's RunPlugin;
 * - sdk/nodejs/cmd/pulumi-language-nodejs/main.go RunPlugin (kind analyzer): `node
 *   <require.resolve('@pulumi/pulumi/cmd/run-policy-pack')> <engine address> <pack folder>` in the pack
 *   folder, PULUMI_NODEJS_TYPESCRIPT from PulumiPolicy.yaml, and from the stack configuration
 *   (sdk/policy_proxy.go) PULUMI_NODEJS_ORGANIZATION/PROJECT/STACK/DRY_RUN and PULUMI_CONFIG; the pack
 *   prints its port on stdout, then receives ConfigureStack, GetAnalyzerInfo, Analyze, AnalyzeStack;
 * - pkg/resource/deploy/step_generator.go: Analyze gets each resource's inputs, AnalyzeStack every
 *   resource's outputs, parent, dependencies and provider; plugin.MarshalProperties with KeepUnknowns,
 *   KeepSecrets, SkipInternalKeys (output values flattened, resource references reduced).
 * Not modelled: provider Check (a real provider may add defaults to the inputs before Analyze).
 */
import * as grpc from "@grpc/grpc-js";
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parse } from "yaml";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import * as analyzerRpc from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import * as analyzerPb from "@pulumi/pulumi/proto/analyzer_pb";
import { inheritedEnvironment, locateModule } from "./language-host";
import type { RecordedResource } from "./monitor";
import { OUTPUT_VALUE_SIG, RESOURCE_REFERENCE_SIG, SECRET_SIG, SIG_KEY, UNKNOWN, toStruct, type WireObject, type WireValue } from "./wire";

export interface PolicyDiagnostic {
  readonly policyName: string;
  readonly policyPackName: string;
  readonly enforcementLevel: "advisory" | "mandatory" | "remediate" | "disabled";
  readonly message: string;
  readonly urn: string;
  readonly phase: "Analyze" | "AnalyzeStack";
}

export interface PackSession {
  readonly stack: string;
  readonly project: string;
  readonly organization?: string;
  readonly dryRun: boolean;
  /** Stack config `namespace:key` → string, as the engine holds it. */
  readonly config: Readonly<Record<string, string>>;
  readonly secretKeys?: readonly string[];
  /** Extra environment (e.g. a fresh TS_NODE_CACHE_DIRECTORY). */
  readonly env?: Readonly<Record<string, string>>;
}

const LEVELS: Record<number, PolicyDiagnostic["enforcementLevel"]> = {
  [analyzerPb.EnforcementLevel.ADVISORY]: "advisory",
  [analyzerPb.EnforcementLevel.MANDATORY]: "mandatory",
  [analyzerPb.EnforcementLevel.REMEDIATE]: "remediate",
  [analyzerPb.EnforcementLevel.DISABLED]: "disabled",
};

/** plugin.MarshalProperties(KeepUnknowns, KeepSecrets, SkipInternalKeys) of what the SDK sent. */
export function engineProperties(value: WireValue): WireValue {
  if (Array.isArray(value)) return value.map(engineProperties);
  if (typeof value !== "object" || value === null) return value;
  const sig = value[SIG_KEY];
  if (sig === SECRET_SIG) return { [SIG_KEY]: SECRET_SIG, value: engineProperties(value.value ?? null) };
  if (sig === OUTPUT_VALUE_SIG) {
    const inner = "value" in value ? engineProperties(value.value) : UNKNOWN;
    return value.secret === true ? { [SIG_KEY]: SECRET_SIG, value: inner } : inner;
  }
  if (sig === RESOURCE_REFERENCE_SIG) return typeof value.id === "string" && value.id !== "" ? value.id : (value.urn ?? null);
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => !key.startsWith("__"))
      .map(([key, inner]) => [key, engineProperties(inner)]),
  );
}

function options(resource: RecordedResource): analyzerPb.AnalyzerResourceOptions {
  return new analyzerPb.AnalyzerResourceOptions()
    .setProtect(resource.protect)
    .setIgnorechangesList([...resource.ignoreChanges])
    .setDeletebeforereplace(resource.deleteBeforeReplace ?? false)
    .setDeletebeforereplacedefined(resource.deleteBeforeReplace !== undefined)
    .setAdditionalsecretoutputsList([...resource.additionalSecretOutputs])
    .setAliasesList([...resource.aliases])
    .setCustomtimeouts(
      new analyzerPb.AnalyzerResourceOptions.CustomTimeouts()
        .setCreate(Number(resource.customTimeouts.create) || 0)
        .setUpdate(Number(resource.customTimeouts.update) || 0)
        .setDelete(Number(resource.customTimeouts.delete) || 0),
    )
    .setParent(resource.parent);
}

/**
 * The provider the engine names for a resource: the explicit one it was given, or the default
 * provider `pulumi:providers:<pkg>::default_<version>` configured from the stack's `<pkg>:` config.
 */
function providerFor(resource: RecordedResource, all: readonly RecordedResource[], session: PackSession): analyzerPb.AnalyzerProviderResource | undefined {
  if (!resource.custom || resource.type.startsWith("pulumi:providers:")) return undefined;
  if (resource.provider) {
    const urn = resource.provider.split("::").slice(0, -1).join("::");
    const explicit = all.find((r) => r.urn === urn);
    if (!explicit) throw new Error(`engine harness: ${resource.urn} names unregistered provider ${resource.provider}`);
    return new analyzerPb.AnalyzerProviderResource()
      .setUrn(explicit.urn)
      .setType(explicit.type)
      .setName(explicit.name)
      .setProperties(toStruct(engineProperties(explicit.inputs) as WireObject));
  }
  const pkg = resource.type.split(":")[0];
  const name = `default${resource.version ? `_${resource.version.replace(/[.-]/g, "_")}` : ""}`;
  const properties: WireObject = Object.fromEntries(
    Object.entries(session.config)
      .filter(([key]) => key.startsWith(`${pkg}:`))
      .map(([key, value]) => [key.slice(pkg.length + 1), session.secretKeys?.includes(key) ? { [SIG_KEY]: SECRET_SIG, value } : value]),
  );
  if (resource.version) properties.version = resource.version;
  return new analyzerPb.AnalyzerProviderResource()
    .setUrn(`urn:pulumi:${session.stack}::${session.project}::pulumi:providers:${pkg}::${name}`)
    .setType(`pulumi:providers:${pkg}`)
    .setName(name)
    .setProperties(toStruct(properties));
}

function diagnostics(response: analyzerPb.AnalyzeResponse, phase: PolicyDiagnostic["phase"]): PolicyDiagnostic[] {
  return response.getDiagnosticsList().map((d) => ({
    policyName: d.getPolicyname(),
    policyPackName: d.getPolicypackname(),
    enforcementLevel: LEVELS[d.getEnforcementlevel()] ?? "mandatory",
    message: d.getMessage(),
    urn: d.getUrn(),
    phase,
  }));
}

function call<Req, Res>(method: (req: Req, callback: (error: grpc.ServiceError | null, res: Res) => void) => unknown, request: Req): Promise<Res> {
  return new Promise((done, fail) => method(request, (error, response) => (error ? fail(error) : done(response))));
}

export class PolicyPackProcess {
  private stdout = "";
  private stderr = "";

  private constructor(
    private readonly child: ChildProcessWithoutNullStreams,
    private readonly client: analyzerRpc.AnalyzerClient,
  ) {}

  /** Start `packDir` as the engine would, and configure it for the stack (as the language host's proxy does). */
  static async start(packDir: string, engineAddress: string, session: PackSession, timeoutMs = 90_000): Promise<PolicyPackProcess> {
    const dir = resolve(packDir);
    const project = parse(readFileSync(join(dir, "PulumiPolicy.yaml"), "utf8")) as { runtime: string | { options?: Record<string, unknown> } };
    const runtimeOptions = typeof project.runtime === "object" ? (project.runtime.options ?? {}) : {};
    const runPath = locateModule("@pulumi/pulumi/cmd/run-policy-pack", dir);
    const env: Record<string, string> = { ...(inheritedEnvironment() as Record<string, string>), ...session.env };
    if (runtimeOptions.typescript !== false) env.PULUMI_NODEJS_TYPESCRIPT = "true";
    env.PULUMI_NODEJS_ORGANIZATION = session.organization ?? "organization";
    env.PULUMI_NODEJS_PROJECT = session.project;
    env.PULUMI_NODEJS_STACK = session.stack;
    env.PULUMI_NODEJS_DRY_RUN = String(session.dryRun);
    env.PULUMI_CONFIG = JSON.stringify(session.config);
    const child = spawn(process.execPath, [runPath, engineAddress, dir], { cwd: dir, env, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    const port = await new Promise<number>((done, fail) => {
      const timer = setTimeout(() => fail(new Error(`policy pack did not print its port within ${timeoutMs} ms\n${stderr}`)), timeoutMs);
      child.stdout.on("data", (chunk: Buffer) => {
        stdout += chunk.toString();
        const line = /^(\d+)\n/.exec(stdout);
        if (line) {
          clearTimeout(timer);
          done(Number(line[1]));
        }
      });
      child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
      child.on("close", (code) => {
        clearTimeout(timer);
        fail(new Error(`policy pack exited (${code}) before printing its port\nstdout: ${stdout}\nstderr: ${stderr}`));
      });
    }).catch((error: unknown) => {
      child.kill("SIGKILL");
      throw error;
    });
    const client = new analyzerRpc.AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    const pack = new PolicyPackProcess(child, client);
    pack.stdout = stdout;
    child.stdout.on("data", (chunk: Buffer) => (pack.stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (pack.stderr += chunk.toString()));
    pack.stderr = stderr;
    const configure = new analyzerPb.AnalyzerStackConfigureRequest()
      .setStack(session.stack)
      .setProject(session.project)
      .setOrganization(session.organization ?? "organization")
      .setDryRun(session.dryRun)
      .setConfigSecretKeysList([...(session.secretKeys ?? [])]);
    for (const [key, value] of Object.entries(session.config)) configure.getConfigMap().set(key, value);
    await call(client.configureStack.bind(client), configure);
    return pack;
  }

  async info(): Promise<analyzerPb.AnalyzerInfo> {
    return call(this.client.getAnalyzerInfo.bind(this.client), new Empty());
  }

  /** step_generator.go analyzeAll: one Analyze per registered resource, on its inputs. */
  async analyze(resource: RecordedResource, all: readonly RecordedResource[], session: PackSession): Promise<PolicyDiagnostic[]> {
    const request = new analyzerPb.AnalyzeRequest()
      .setUrn(resource.urn)
      .setType(resource.type)
      .setName(resource.name)
      .setProperties(toStruct(engineProperties(resource.inputs) as WireObject))
      .setOptions(options(resource));
    const provider = providerFor(resource, all, session);
    if (provider) request.setProvider(provider);
    return diagnostics(await call(this.client.analyze.bind(this.client), request), "Analyze");
  }

  /** step_generator.go AnalyzeResources: the whole stack, on each resource's outputs. */
  async analyzeStack(all: readonly RecordedResource[], session: PackSession): Promise<PolicyDiagnostic[]> {
    const resources = all.map((resource) => {
      const entry = new analyzerPb.AnalyzerResource()
        .setUrn(resource.urn)
        .setType(resource.type)
        .setName(resource.name)
        .setProperties(toStruct(engineProperties(resource.outputs) as WireObject))
        .setOptions(options(resource))
        .setParent(resource.parent)
        .setDependenciesList([...resource.dependencies]);
      for (const [key, urns] of Object.entries(resource.propertyDependencies)) {
        if (urns.length > 0) entry.getPropertydependenciesMap().set(key, new analyzerPb.AnalyzerPropertyDependencies().setUrnsList([...urns]));
      }
      const provider = providerFor(resource, all, session);
      if (provider) entry.setProvider(provider);
      return entry;
    });
    const request = new analyzerPb.AnalyzeStackRequest().setResourcesList(resources);
    return diagnostics(await call(this.client.analyzeStack.bind(this.client), request), "AnalyzeStack");
  }

  /** Analyze every resource, then the stack, as one preview or update would. */
  async analyzeAll(all: readonly RecordedResource[], session: PackSession): Promise<PolicyDiagnostic[]> {
    const found: PolicyDiagnostic[] = [];
    for (const resource of all) found.push(...(await this.analyze(resource, all, session)));
    found.push(...(await this.analyzeStack(all, session)));
    return found;
  }

  get output(): { stdout: string; stderr: string } {
    return { stdout: this.stdout, stderr: this.stderr };
  }

  stop(): Promise<void> {
    this.client.close();
    if (this.child.exitCode !== null || this.child.signalCode !== null) return Promise.resolve();
    return new Promise((done) => {
      const timer = setTimeout(() => this.child.kill("SIGKILL"), 5_000);
      this.child.on("close", () => {
        clearTimeout(timer);
        done();
      });
      this.child.kill("SIGTERM");
    });
  }
}
