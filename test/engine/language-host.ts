/**
 * Starts a Pulumi program the way the Pulumi CLI and its Node.js language host start it, against an
 * EngineMonitor on loopback. Mirrored from pulumi/pulumi tag v3.248.0 (commit a88168d865b7), the
 * version of our @pulumi/pulumi:
 * - pkg/engine/project.go getPwdMain: a `main` naming a file runs from that file's folder, with the
 *   file's base name as the entry point;
 * - sdk/nodejs/cmd/pulumi-language-nodejs/main.go: parseOptions (typescript defaults to true,
 *   tsconfig, nodeargs), locateModule (`require.resolve('@pulumi/pulumi/cmd/run')` from the program
 *   folder), constructArguments (--monitor --engine --organization --project --root-directory --stack
 *   --pwd [--dry-run] --parallel <entry point>), constructConfig (`ns:config:key` JSON in PULUMI_CONFIG),
 *   PULUMI_CONFIG_SECRET_KEYS, PULUMI_NODEJS_TYPESCRIPT / PULUMI_NODEJS_TSCONFIG_PATH, exit code 32.
 * Not mirrored: `--sync` (FIFOs for synchronous invokes; this harness refuses every invoke anyway),
 * `--tracing`, debugger attach, and the language host's own monitor proxy (a pass-through).
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync, statSync } from "node:fs";
import { cpus } from "node:os";
import { basename, dirname, isAbsolute, join, resolve } from "node:path";
import { parse } from "yaml";
import { EngineMonitor, type MonitorOptions } from "./monitor";

/** The Node.js language host's exit code for "the program already reported an actionable error". */
export const EXIT_ALREADY_REPORTED = 32;

export interface ProjectFile {
  readonly name: string;
  readonly main?: string;
  readonly runtimeOptions: Readonly<Record<string, unknown>>;
}

export function readProjectFile(root: string): ProjectFile {
  const project = parse(readFileSync(join(root, "Pulumi.yaml"), "utf8")) as {
    name: string;
    main?: string;
    runtime: string | { name: string; options?: Record<string, unknown> };
  };
  const runtimeOptions = typeof project.runtime === "object" ? (project.runtime.options ?? {}) : {};
  return { name: project.name, main: project.main, runtimeOptions };
}

/** pkg/engine/project.go getPwdMain. */
export function programLocation(root: string, main: string | undefined): { pwd: string; entryPoint: string } {
  if (!main) return { pwd: root, entryPoint: "." };
  const target = isAbsolute(main) ? main : resolve(root, main);
  if (statSync(target).isDirectory()) return { pwd: target, entryPoint: "." };
  return { pwd: dirname(target), entryPoint: basename(target) };
}

/** main.go locateModule: resolve the module from the program folder with the same node. */
export function locateModule(module: string, programDir: string): string {
  const script = `try { console.log(require.resolve('${module}')); } catch (error) { console.error(error.message); process.exit(1); }`;
  const result = spawnSync(process.execPath, ["-e", script], { cwd: programDir, encoding: "utf8", timeout: 30_000 });
  if (result.status !== 0) throw new Error(`cannot locate ${module} from ${programDir}: ${result.stderr}`);
  return result.stdout.trim();
}

/** The environment a CLI run inherits, without what the test runner itself set. */
export function inheritedEnvironment(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^(VITEST|TS_NODE_|PULUMI_|TEST$|NODE_OPTIONS$)/.test(key)));
}

export interface ProgramRun {
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly monitor: EngineMonitor;
  readonly command: readonly string[];
  readonly cwd: string;
  readonly env: Readonly<Record<string, string>>;
  readonly durationMs: number;
}

export interface RunProgramOptions {
  /** The folder holding Pulumi.yaml. */
  readonly projectDir: string;
  readonly stack: string;
  readonly organization?: string;
  readonly dryRun: boolean;
  /** Stack config as the engine holds it: `namespace:key` → string (objects as JSON). */
  readonly config: Readonly<Record<string, string>>;
  readonly secretKeys?: readonly string[];
  readonly computed?: MonitorOptions["computed"];
  /** Override Pulumi.yaml `main` (the bad programs share one project file). */
  readonly main?: string;
  readonly timeoutMs?: number;
  /** Extra environment, as a user's shell would add (the tests use a fresh TS_NODE_CACHE_DIRECTORY). */
  readonly env?: Readonly<Record<string, string>>;
}

export async function runProgram(options: RunProgramOptions): Promise<ProgramRun> {
  const root = resolve(options.projectDir);
  const project = readProjectFile(root);
  const { pwd, entryPoint } = programLocation(root, options.main ?? project.main);
  const organization = options.organization ?? "organization";
  const monitor = new EngineMonitor({ project: project.name, stack: options.stack, organization, dryRun: options.dryRun, computed: options.computed });
  const address = await monitor.start();
  try {
    const runPath = locateModule("@pulumi/pulumi/cmd/run", pwd);
    const args = [runPath, "--monitor", address, "--engine", address, "--organization", organization, "--project", project.name];
    args.push("--root-directory", root, "--stack", options.stack, "--pwd", pwd);
    if (options.dryRun) args.push("--dry-run");
    args.push("--parallel", String(cpus().length * 4), entryPoint);

    const env: Record<string, string> = { ...(inheritedEnvironment() as Record<string, string>), ...options.env };
    // constructConfig: the language host hands config to the SDK in the old `ns:config:key` form.
    env.PULUMI_CONFIG = JSON.stringify(
      Object.fromEntries(Object.entries(options.config).map(([key, value]) => [key.replace(/^([^:]+):/, "$1:config:"), value])),
    );
    env.PULUMI_CONFIG_SECRET_KEYS = JSON.stringify(options.secretKeys ?? []);
    const runtime = project.runtimeOptions;
    if (runtime.typescript !== false) env.PULUMI_NODEJS_TYPESCRIPT = "true";
    if (typeof runtime.tsconfig === "string" && runtime.tsconfig) env.PULUMI_NODEJS_TSCONFIG_PATH = runtime.tsconfig;
    const nodeArgs = typeof runtime.nodeargs === "string" && runtime.nodeargs ? runtime.nodeargs.split(/\s+/) : [];
    const command = [process.execPath, ...nodeArgs, ...args];
    const started = Date.now();
    // The CLI starts the language host in the program folder and the host does not change it.
    const child = spawn(command[0], command.slice(1), { cwd: pwd, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const timeoutMs = options.timeoutMs ?? 180_000;
    const { code, signal } = await new Promise<{ code: number | null; signal: string | null }>((done) => {
      const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
      child.on("close", (exitCode, exitSignal) => {
        clearTimeout(timer);
        done({ code: exitCode, signal: exitSignal });
      });
    });
    return { exitCode: code, signal, stdout, stderr, monitor, command, cwd: pwd, env, durationMs: Date.now() - started };
  } finally {
    monitor.stop();
  }
}

/** Stack config the way the engine holds it: top-level keys of Pulumi.<stack>.yaml, objects as JSON. */
export function stackConfig(projectDir: string, stack: string): Record<string, string> {
  const project = parse(readFileSync(join(projectDir, "Pulumi.yaml"), "utf8")) as { stackConfigDir?: string };
  const file = join(projectDir, project.stackConfigDir ?? ".", `Pulumi.${stack}.yaml`);
  if (!existsSync(file)) throw new Error(`no stack file ${file}`);
  const values = (parse(readFileSync(file, "utf8")) as { config?: Record<string, unknown> }).config ?? {};
  return Object.fromEntries(Object.entries(values).map(([key, value]) => [key, typeof value === "string" ? value : JSON.stringify(value)]));
}
