/**
 * Vault's audit log (HMAC'd fields included) attributed by Kubernetes-auth role, tool path and the
 * database username template; and the CloudTrail → IAM action mapping and data-event coverage.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { planStackFile } from "../../cli/plan-command";
import { DATABASE_USERNAME_TEMPLATE } from "../../components/core/tool-sessions";
import { parserLoaded } from "../../components/core/sql/parser";
import type { FleetPlan } from "../../components/core/plan-types";
import { mapEvent, MAPPING_SOURCE } from "../../components/narrow/action-mapping";
import { attributeVault, buildIndex } from "../../components/narrow/attribution";
import { isDataAction } from "../../components/narrow/data-events";
import { databaseUsernamePrefix } from "../../components/narrow/db-usernames";
import { actionCovered } from "../../components/narrow/evidence";
import { narrow } from "../../components/narrow/narrow";
import { readVaultAudit, toVaultRequest, type VaultRequest } from "../../components/narrow/vault-audit-reader";
import { callerIdentity, identityOf, trailFile, vaultResponse } from "./trail-events";

const NOW = new Date("2026-12-01T00:00:00Z");
/** The sandbox stack (bootstrap on) with tagged sessions: the database username template is set. */
const SANDBOX = readFileSync("stacks/Pulumi.sandbox.yaml", "utf8").replace(
  "    kubernetes:\n      namespacePerAgent: true",
  "    kubernetes:\n      namespacePerAgent: true\n    toolSessions: tagged-sessions",
);

let dir: string;
let plan: FleetPlan;
let stack: { agents: unknown };

beforeAll(async () => {
  await parserLoaded();
  dir = mkdtempSync(join(tmpdir(), "agent-identity-vault-"));
  const file = join(dir, "Pulumi.sandbox.yaml");
  writeFileSync(file, SANDBOX);
  const outcome = planStackFile(file, "sandbox", NOW);
  if (!outcome.ok) throw new Error(outcome.lines.join("\n"));
  plan = outcome.result.plan;
  stack = { agents: outcome.stackFile.declaration.agents };
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ledgerRole = () => identityOf(plan, "invoice-triage", "execution").vault.secretRoles.find((r) => r.tool === "ledger")!;
const k8sRole = () => identityOf(plan, "invoice-triage", "execution").vault.role!.name;

describe("Vault audit log", () => {
  it("reads a response entry, and never takes an HMAC'd value for a name", () => {
    const hmac = toVaultRequest(JSON.parse(vaultResponse({ path: "database/creds/x", role: "r", time: "2026-11-30T08:00:00Z", username: "hmac-sha256:abc" })));
    expect(hmac).toMatchObject({ type: "response", path: "database/creds/x", authRole: "r", username: null });
    expect(toVaultRequest({ type: "other" })).toBeNull();
    expect(toVaultRequest({ type: "request", request: { path: { nested: 1 } }, time: "t" })).toBeNull();
  });

  it("attributes by auth role and tool path; the path is clear even when every data value is HMAC'd", () => {
    const index = buildIndex(plan);
    const request = toVaultRequest(
      JSON.parse(vaultResponse({ path: ledgerRole().credentialsPath, role: k8sRole(), time: "2026-11-30T08:00:00Z", username: "hmac-sha256:0f0e" })),
    )!;
    expect(attributeVault(index, request)).toEqual({ agent: "invoice-triage", identity: "execution", tool: "ledger" });
    // Another agent's auth role reading this agent's path is not this agent's tool use.
    const other = identityOf(plan, "support-assistant", "execution").vault.role!.name;
    expect(attributeVault(index, { ...request, authRole: other })).toEqual({ agent: "support-assistant", identity: "execution", tool: null });
  });

  it("attributes a database login by the plan's username template when the username is clear", () => {
    const template = plan.bootstrap!.databaseConnections.find((c) => c.name === "ledger")!.usernameTemplate;
    expect(template).toBe(DATABASE_USERNAME_TEMPLATE);
    const prefix = databaseUsernamePrefix(template, ledgerRole().name)!;
    expect(prefix).toBe("v-sandbox-invoice-triage-ledger-");
    expect(databaseUsernamePrefix(null, ledgerRole().name)).toBeNull();
    const login: VaultRequest = {
      time: "t",
      type: "response",
      path: "sys/leases/lookup",
      operation: "update",
      authRole: null,
      username: `${prefix}Xk2v9QpL0aZ7tY3mRb1n`,
      error: null,
    };
    expect(attributeVault(buildIndex(plan), login)).toEqual({ agent: "invoice-triage", identity: null, tool: "ledger" });
  });

  it("end to end: a used database tool stays, an unused KV tool goes, a denied read is a need", async () => {
    const audit = join(dir, "audit.log");
    const support = identityOf(plan, "support-assistant", "execution").vault.role!.name;
    writeFileSync(
      audit,
      [
        vaultResponse({ path: ledgerRole().credentialsPath, role: k8sRole(), time: "2026-11-30T08:00:00Z", username: "hmac-sha256:1a2b" }),
        "not json at all",
        vaultResponse({
          path: "kv/data/agents/sandbox/support-assistant/other",
          role: support,
          time: "2026-11-30T08:05:00Z",
          error: "1 error occurred:\n\t* permission denied\n\n",
        }),
        "",
      ].join("\n"),
    );
    const trail = join(dir, "trail.json");
    writeFileSync(trail, trailFile([callerIdentity(identityOf(plan, "invoice-triage", "execution").iamRole.arn, "2026-11-30T08:00:00Z")]));
    const result = await narrow({ plan, agents: stack.agents, cloudtrail: [trail], vaultAudit: [audit] });
    const agent = (name: string) => result.proposal.agents.find((a) => a.agent === name)!;
    expect(agent("invoice-triage").tools.find((t) => t.name === "ledger")).toMatchObject({ status: "used", vaultRequests: 1, remove: false });
    // kb-token was never read; its one denied neighbour path is listed, and kb-token is not needed by it.
    expect(agent("support-assistant").tools).toMatchObject([{ name: "kb-token", kind: "kv", status: "unused", vaultRequests: 0, remove: true }]);
    // Without the audit log the same KV tool has no evidence and stays.
    const blind = await narrow({ plan, agents: stack.agents, cloudtrail: [trail] });
    expect(blind.proposal.agents.find((a) => a.agent === "support-assistant")!.tools).toMatchObject([
      { name: "kb-token", status: "no evidence", remove: false },
    ]);
    expect(agent("support-assistant").needs).toMatchObject([{ action: "vault:read", resource: "kv/data/agents/sandbox/support-assistant/other" }]);
    expect(result.problems).toEqual([{ file: audit, message: "1 line(s) are not JSON: skipped" }]);
    const requests: VaultRequest[] = [];
    for await (const r of readVaultAudit([audit], () => undefined)) requests.push(r);
    expect(requests).toHaveLength(2);
  });
});

describe("CloudTrail → IAM action mapping", () => {
  it("cites its source", () => {
    expect(MAPPING_SOURCE).toMatchObject({ repository: "iann0036/iam-dataset", path: "aws/map.json", commit: expect.stringMatching(/^[0-9a-f]{40}$/) });
  });

  it("uses the map where an API needs other actions, the IAM reference for same-name actions, and nothing else", () => {
    expect(mapEvent("s3.amazonaws.com", "ListObjectsV2")).toMatchObject({ actions: ["s3:ListBucket"], source: "iam-dataset" });
    expect(mapEvent("s3.amazonaws.com", "GetObject")).toMatchObject({ actions: ["s3:GetObject"], source: "same-name" });
    expect(mapEvent("lambda.amazonaws.com", "Invoke")).toMatchObject({ actions: ["lambda:InvokeFunction"], source: "iam-dataset" });
    expect(mapEvent("lambda.amazonaws.com", "GetFunction20150331v2")).toMatchObject({ actions: ["lambda:GetFunction"], source: "same-name" });
    expect(mapEvent("monitoring.amazonaws.com", "PutMetricData")).toMatchObject({ actions: ["cloudwatch:PutMetricData"], source: "same-name" });
    // No guess: an API that is no IAM action, an unknown source, a hostile name.
    expect(mapEvent("s3.amazonaws.com", "HeadObject")).toBeNull();
    expect(mapEvent("unknown.amazonaws.com", "GetObject")).toBeNull();
    expect(mapEvent("s3.amazonaws.com", "__proto__")).toBeNull();
    expect(mapEvent("s3.amazonaws.com", "constructor")).toBeNull();
  });

  it("data actions need --data-events; management actions are always covered; wildcards never", () => {
    expect(isDataAction("s3:GetObject")).toBe(true);
    expect(isDataAction("s3:GetBucketPolicy")).toBe(false);
    expect(isDataAction("dynamodb:Query")).toBe(true);
    expect(isDataAction("dynamodb:DescribeTable")).toBe(false);
    expect(isDataAction("sqs:GetQueueAttributes")).toBe(false);
    expect(isDataAction("kms:Decrypt")).toBe(false);
    // Unknown names of a data-event service count as data: a missing record never proves them unused.
    expect(isDataAction("dynamodb:SomeFutureItemApi")).toBe(true);
    expect(actionCovered("s3:PutObject", new Set())).toBe(false);
    expect(actionCovered("s3:PutObject", new Set(["s3"]))).toBe(true);
    expect(actionCovered("kms:Decrypt", new Set())).toBe(true);
    expect(actionCovered("s3:Get*", new Set(["s3"]))).toBe(false);
  });
});
