/**
 * `narrow` end to end, without the command line: read the trail (streamed), attribute each event
 * through the plan, collect evidence, propose removals. The stack file is written by writer.ts.
 */
import type { FleetPlan } from "../core/plan-types";
import { readCloudTrailBatches, type ReadProblem, type ReadStats } from "./cloudtrail-reader";
import { EvidenceCollector, type DeclaredTool, type Evidence } from "./evidence";
import { propose, type Proposal } from "./proposal";
import { readVaultAudit } from "./vault-audit-reader";

export interface NarrowInput {
  readonly plan: FleetPlan;
  /** `agent-identity:agents` as written in the stack file (valid: the plan compiled from it). */
  readonly agents: unknown;
  readonly cloudtrail: readonly string[];
  readonly vaultAudit?: readonly string[];
  /** IAM service prefixes whose data events the trail records. */
  readonly dataEvents?: readonly string[];
  /** ISO times: events at or after `since` and before `until`. */
  readonly since?: string;
  readonly until?: string;
  /** Worker threads reading the trail files (1, the default: in this thread). */
  readonly threads?: number;
}

export interface NarrowResult {
  readonly stack: string;
  readonly evidence: Evidence;
  readonly proposal: Proposal;
  readonly problems: readonly ReadProblem[];
  readonly stats: ReadStats;
  /** Set by the caller when a narrowed file was written. */
  out?: string | null;
}

/** Each agent's tools with their statements as declared (indexes match the stack file). */
export function declaredTools(plan: FleetPlan, agents: unknown): Map<string, DeclaredTool[]> {
  const written = new Map<string, unknown>();
  if (Array.isArray(agents)) for (const agent of agents) written.set((agent as { name?: string }).name ?? "", agent);
  const result = new Map<string, DeclaredTool[]>();
  for (const agent of plan.agents) {
    const raw = written.get(agent.name) as { tools?: Array<{ name: string; aws?: Array<{ actions: string[]; resources: string[] }> }> } | undefined;
    const rawTools = new Map((raw?.tools ?? []).map((t) => [t.name, t]));
    result.set(
      agent.name,
      agent.tools.map((tool) => ({
        name: tool.name,
        kind: tool.kind,
        statements: (rawTools.get(tool.name)?.aws ?? []).map((s) => ({ actions: [...s.actions], resources: [...s.resources] })),
      })),
    );
  }
  return result;
}

export async function narrow(input: NarrowInput): Promise<NarrowResult> {
  const problems: ReadProblem[] = [];
  const onProblem = (problem: ReadProblem) => {
    if (problems.length < 10_000) problems.push(problem);
  };
  const collector = new EvidenceCollector(input.plan, declaredTools(input.plan, input.agents), {
    dataEvents: new Set((input.dataEvents ?? []).map((s) => s.toLowerCase())),
    since: input.since,
    until: input.until,
    vaultAudit: (input.vaultAudit ?? []).length > 0,
  });
  const stats: ReadStats = { files: 0, records: 0, skipped: 0 };
  for await (const batch of readCloudTrailBatches(input.cloudtrail, onProblem, stats, undefined, input.threads ?? 1))
    for (const event of batch) collector.addTrailEvent(event);
  for await (const request of readVaultAudit(input.vaultAudit ?? [], onProblem)) collector.addVaultRequest(request);
  const revoked = new Set(input.plan.agents.filter((a) => a.revoked).map((a) => a.name));
  return { stack: input.plan.stack, evidence: collector.evidence, proposal: propose(collector.evidence, revoked), problems, stats };
}
