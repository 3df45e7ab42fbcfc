/**
 * The published package: `npm pack`, install the tarball into an empty project, and run the
 * README's `npx agent-identity plan` from it. The consumer project gets only the package's declared
 * dependencies and peer dependencies from npm (the cache `npm ci` filled, else the registry), never
 * tsx or the repository's node_modules, so this fails if dist needs tsx, a devDependency, or a file
 * `files` leaves out. Then, as a platform team adopting it would: a TypeScript program declaring three
 * agents whose `owns` and tool resources are a bucket's `arn` type-checks with `tsc`, runs under
 * Pulumi's mocks (writing the fleet's plan JSON) and under the engine harness, and the plugin from
 * the package answers GetSchema and Construct with an Output input.
 */
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { runProgram } from "./engine/language-host";
import { pluginSchema } from "./helpers/plugin-process";

const repo = process.cwd();
const work = mkdtempSync(join(tmpdir(), "agent-identity-pack-"));

/** A copy of the source tree (tracked and new files, not node_modules or dist) with a fresh build. */
function stageAndPack(): string {
  const staging = join(work, "staging");
  const files = execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard", "-z"], { encoding: "utf8" }).split("\0").filter(Boolean);
  for (const file of files) {
    if (!existsSync(file)) continue; // deleted in the working tree
    mkdirSync(join(staging, dirname(file)), { recursive: true });
    cpSync(file, join(staging, file));
  }
  // Build from the repository (its node_modules has the types) into the staging copy's dist.
  execFileSync(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", "tsconfig.build.json", "--outDir", join(staging, "dist")], { stdio: "pipe" });
  const out = execFileSync("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", work], { cwd: staging, encoding: "utf8" });
  return join(work, (JSON.parse(out) as { filename: string }[])[0].filename);
}

const consumer = join(work, "consumer");
const installed = join(consumer, "node_modules", "pulumi-agent-identity");

describe("npm package", () => {
  beforeAll(() => {
    const tarball = stageAndPack();
    mkdirSync(consumer);
    writeFileSync(join(consumer, "package.json"), JSON.stringify({ name: "consumer", version: "1.0.0", private: true }));
    execFileSync("npm", ["install", tarball, "--prefer-offline", "--no-audit", "--no-fund", "--ignore-scripts"], { cwd: consumer, stdio: "pipe" });
  }, 600_000);

  it("installs from the packed tarball and runs `npx agent-identity plan` without tsx", () => {
    // The package ships compiled JavaScript and no TypeScript sources; tsx is not installed.
    expect(existsSync(join(installed, "dist", "cli", "main.js"))).toBe(true);
    expect(existsSync(join(installed, "cli"))).toBe(false);
    expect(existsSync(join(consumer, "node_modules", "tsx"))).toBe(false);
    // Licence, changelog, the plugin manifest and the compiled provider are in the package.
    for (const file of ["LICENSE", "CHANGELOG.md", "PulumiPlugin.yaml", "dist/provider/main.js", "schema/provider-schema.json"])
      expect(existsSync(join(installed, file)), file).toBe(true);
    // The peer dependencies were installed next to it (npm 7+ installs peers).
    expect(existsSync(join(consumer, "node_modules", "@pulumi", "aws", "package.json"))).toBe(true);

    cpSync(join(repo, "stacks", "Pulumi.dev.yaml"), join(consumer, "Pulumi.dev.yaml"));
    const plan = spawnSync("npx", ["--no-install", "agent-identity", "plan", "--config", "Pulumi.dev.yaml", "--stack", "dev", "--date", "2026-11-28"], {
      cwd: consumer,
      encoding: "utf8",
    });
    expect(plan.stderr).toBe("");
    expect(plan.status).toBe(0);
    // The dev stack has database tools: the SQL checks (libpg-query WASM) ran from the install.
    expect(plan.stdout).toMatch(/^stack dev: 4 agent\(s\), 12 identities/);
    expect(plan.stdout).toContain("secret role     database/creds/dev.invoice-triage.ledger");

    const inventory = spawnSync(
      "npx",
      ["--no-install", "agent-identity", "inventory", "--config", "Pulumi.dev.yaml", "--format", "csv", "--date", "2026-11-28"],
      { cwd: consumer, encoding: "utf8" },
    );
    expect(inventory.status).toBe(0);
    expect(inventory.stdout.split("\r\n")[0]).toMatch(/^owner,agent,identity,/);

    // The library entry point loads from the install too.
    const library = spawnSync(
      process.execPath,
      ["-e", "const m = require('pulumi-agent-identity'); process.stdout.write(typeof m.AgentFleet + ' ' + typeof m.Agent)"],
      { cwd: consumer, encoding: "utf8" },
    );
    expect(library.stderr).toBe("");
    expect(library.stdout).toBe("function function");

    const manifest = JSON.parse(readFileSync(join(installed, "package.json"), "utf8")) as {
      dependencies: Record<string, string>;
      peerDependencies: Record<string, string>;
    };
    expect(Object.keys(manifest.dependencies)).not.toContain("tsx");
    expect(Object.keys(manifest.peerDependencies).sort()).toEqual(["@pulumi/aws", "@pulumi/kubernetes", "@pulumi/policy", "@pulumi/pulumi", "@pulumi/vault"]);
    expect(readdirSync(join(installed, "schema"))).toContain("declaration.schema.json");
    const version = spawnSync("npx", ["--no-install", "agent-identity", "--version"], { cwd: consumer, encoding: "utf8" });
    expect(version.stdout).toBe(`${(JSON.parse(readFileSync(join(repo, "package.json"), "utf8")) as { version: string }).version}\n`);
  }, 120_000);

  it("a TypeScript program with three agents whose owns and resources are a bucket's arn: tsc, mocks, plan JSON, engine harness", async () => {
    writeConsumerProgram();
    const tsc = spawnSync(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", join(consumer, "tsconfig.json")], { encoding: "utf8" });
    expect(tsc.stdout + tsc.stderr).toBe("");
    expect(tsc.status).toBe(0);

    // Under Pulumi's mocks: the fleet's resolved plan, written as the program's plan JSON.
    const mocks = spawnSync(process.execPath, ["mocks.js"], { cwd: consumer, encoding: "utf8" });
    expect(mocks.stderr).toBe("");
    expect(mocks.status).toBe(0);
    const plan = JSON.parse(readFileSync(join(consumer, "plan.json"), "utf8")) as {
      agents: {
        name: string;
        owns: string[];
        identities: { kind: string; iamRole: { policies: { document: { Statement: { Resource?: string[] }[] } }[] } }[];
      }[];
    };
    expect(plan.agents.map((a) => a.name).sort()).toEqual(["payouts", "support", "triage"]);
    const triage = plan.agents.find((a) => a.name === "triage")!;
    expect(triage.owns).toEqual(["arn:aws:s3:::acme-triage-data"]);
    const execution = triage.identities.find((i) => i.kind === "execution")!;
    expect(execution.iamRole.policies.flatMap((p) => p.document.Statement.flatMap((s) => s.Resource ?? []))).toContain("arn:aws:s3:::acme-triage-data/*");
    expect(JSON.stringify(plan)).not.toContain("unresolved-output");
    // The CLI reads that plan JSON (diff of the plan against itself: nothing changes).
    const diff = spawnSync("npx", ["--no-install", "agent-identity", "diff", "plan.json", "plan.json"], { cwd: consumer, encoding: "utf8" });
    expect(diff.stderr).toBe("");
    expect(diff.status).toBe(0);

    // Under the engine harness (an update: the bucket's arn is computed by the "provider").
    const run = await runProgram({
      projectDir: consumer,
      stack: "dev",
      dryRun: false,
      config: {},
      computed: (type, _name, inputs): Record<string, string> => (type === "aws:s3/bucket:Bucket" ? { arn: `arn:aws:s3:::${String(inputs.bucket)}` } : {}),
    });
    expect({ exitCode: run.exitCode, errors: run.monitor.errors().map((log) => log.message) }).toEqual({ exitCode: 0, errors: [] });
    const policies = run.monitor.resources.filter((r) => r.type === "aws:iam/rolePolicy:RolePolicy").map((r) => JSON.stringify(r.inputs));
    expect(policies.some((p) => p.includes("arn:aws:s3:::acme-payouts-data/*"))).toBe(true);
    expect(run.monitor.resources.filter((r) => r.type === "aws:iam/role:Role")).toHaveLength(9);
  }, 300_000);

  it("the plugin from the package answers GetSchema, and its provider constructs an Agent from Output inputs", async () => {
    const child = spawn(process.execPath, [join(installed, "dist", "provider", "main.js"), "127.0.0.1:1"], {
      cwd: consumer,
      stdio: ["ignore", "pipe", "pipe"],
    });
    try {
      const schema = await pluginSchema(child);
      expect(JSON.parse(schema)).toEqual(JSON.parse(readFileSync(join(repo, "schema", "provider-schema.json"), "utf8")));
    } finally {
      child.kill();
    }

    writeFileSync(join(consumer, "construct.js"), CONSTRUCT_SCRIPT);
    const construct = spawnSync(process.execPath, ["construct.js"], { cwd: consumer, encoding: "utf8" });
    expect(construct.stderr).toBe("");
    const result = JSON.parse(construct.stdout) as { state: string[]; policies: string[] };
    expect(result.state.sort()).toEqual(["auditLogGroupName", "namespace", "roleArns", "serviceAccountNames"]);
    expect(result.policies.some((p) => p.includes("arn:aws:s3:::acme-solo-data/*"))).toBe(true);
  }, 120_000);
});

/** Construct through the installed package's provider, under mocks, with outputs for owns and resources. */
const CONSTRUCT_SCRIPT = `const pulumi = require("@pulumi/pulumi");
const registered = [];
pulumi.runtime.setMocks(
  { newResource: (a) => { registered.push(a); return { id: a.name + "-id", state: a.inputs }; }, call: () => { throw new Error("no invokes"); } },
  "consumer",
  "dev",
  false,
);
const { packagedProvider } = require("pulumi-agent-identity/dist/provider/packaged.js");
const arn = "arn:aws:s3:::acme-solo-data";
const platform = {
  environment: "dev",
  namePrefix: "acme",
  aws: { accountId: "111122223333", region: "us-east-1", oidcProviderArn: "arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF" },
  vault: { version: "1.21.1" },
  ownableRoots: ["arn:aws:s3:::acme-*"],
};
const inputs = {
  owner: "team-agents", sponsor: "sam.lee@example.com", tier: "batch", expires: "2027-06-30",
  owns: [pulumi.output(arn)],
  tools: [{ name: "read-data", aws: [{ actions: ["s3:GetObject"], resources: pulumi.output([arn + "/*"]) }] }],
  platform, validationDate: "2026-11-28",
};
async function settle() {
  let count = -1;
  while (count !== registered.length) {
    count = registered.length;
    for (let i = 0; i < 50; i++) await new Promise((resolve) => setImmediate(resolve));
  }
}
packagedProvider().construct("solo", "agent-identity:index:Agent", inputs, {}).then(async (result) => {
  await settle();
  const policies = registered.filter((r) => r.type === "aws:iam/rolePolicy:RolePolicy").map((r) => String(r.inputs.policy));
  process.stdout.write(JSON.stringify({ state: Object.keys(result.state), policies }));
});
`;

/** The consumer's program, its tsconfig, Pulumi.yaml and a mocks runner. */
function writeConsumerProgram(): void {
  writeFileSync(
    join(consumer, "index.ts"),
    `import * as pulumi from "@pulumi/pulumi";
import { Bucket } from "@pulumi/aws/s3";
import { AgentFleet, type FleetAgent, type PlatformSettings } from "pulumi-agent-identity";

const platform: PlatformSettings = {
  environment: "dev",
  namePrefix: "acme",
  aws: {
    accountId: "111122223333",
    region: "us-east-1",
    oidcProviderArn: "arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF",
  },
  vault: { version: "1.21.1" },
  ownableRoots: ["arn:aws:s3:::acme-*"],
};

const agents: FleetAgent[] = ["triage", "support", "payouts"].map((name) => {
  const bucket = new Bucket(\`\${name}-data\`, { bucket: \`acme-\${name}-data\` });
  return {
    name,
    owner: "team-agents",
    sponsor: "sam.lee@example.com",
    tier: "batch",
    expires: "2027-06-30",
    owns: [bucket.arn],
    tools: [{ name: "read-data", aws: [{ actions: ["s3:GetObject"], resources: [pulumi.interpolate\`\${bucket.arn}/*\`] }] }],
  };
});

export const fleet = new AgentFleet("agents", { platform, agents, validationDate: "2026-11-28" });
export const roleArns = fleet.roleArns;
`,
  );
  // A choice field is a union: a wrong value fails tsc (the directive fails if it ever compiles).
  writeFileSync(
    join(consumer, "choices.ts"),
    `import type { AgentSpec } from "pulumi-agent-identity";
// @ts-expect-error "high" is not a tier
export const wrong: AgentSpec["tier"] = "high";
`,
  );
  writeFileSync(
    join(consumer, "tsconfig.json"),
    JSON.stringify({
      compilerOptions: {
        target: "ES2022",
        module: "commonjs",
        strict: true,
        skipLibCheck: true,
        outDir: "dist",
        rootDir: ".",
        typeRoots: [join(repo, "node_modules", "@types")],
        types: ["node"],
      },
      files: ["index.ts", "choices.ts"],
    }),
  );
  writeFileSync(join(consumer, "Pulumi.yaml"), "name: consumer\nruntime:\n  name: nodejs\n  options:\n    typescript: false\nmain: dist/index.js\n");
  writeFileSync(
    join(consumer, "mocks.js"),
    `const fs = require("fs");
const pulumi = require("@pulumi/pulumi");
pulumi.runtime.setMocks(
  {
    newResource: (args) => ({
      id: args.name + "-id",
      state: { ...args.inputs, ...(args.type === "aws:s3/bucket:Bucket" ? { arn: "arn:aws:s3:::" + args.inputs.bucket } : {}) },
    }),
    call: () => { throw new Error("no invokes"); },
  },
  "consumer",
  "dev",
  false,
);
const program = require("./dist/index.js");
program.fleet.resolvedPlan().apply((plan) => fs.writeFileSync("plan.json", JSON.stringify(plan, null, 2)));
`,
  );
}
