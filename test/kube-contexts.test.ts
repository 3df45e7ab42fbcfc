/**
 * `agent-identity:kubeContexts`: every key names a declared cluster, every context is a bounded
 * name, no two clusters share a context, and a stack without per-cluster providers may not set it.
 */
import { describe, expect, it } from "vitest";
import { KubeContextsError, kubeContextsPath, resolveKubeContexts } from "../components/core/kube-contexts";

const CLUSTERS = ["blue", "green"];

/** `clusters` null: platform.clusters not declared. */
function problems(value: unknown, clusters: readonly string[] | null = CLUSTERS): string[] {
  try {
    resolveKubeContexts(value, clusters ?? undefined);
    return [];
  } catch (error) {
    if (!(error instanceof KubeContextsError)) throw error;
    expect(error.message.startsWith("agent-identity:kubeContexts is refused:\n  - ")).toBe(true);
    return error.problems.map((p) => `${kubeContextsPath(p)}: ${p.message}`);
  }
}

describe("resolveKubeContexts", () => {
  it("unset: the cluster names with several clusters, the default provider with fewer than two", () => {
    expect(resolveKubeContexts(undefined, CLUSTERS)).toEqual({ blue: "blue", green: "green" });
    expect(resolveKubeContexts(undefined, ["only"])).toBeUndefined();
    expect(resolveKubeContexts(undefined, undefined)).toBeUndefined();
  });

  it("set: every cluster on its named context, the rest on their names", () => {
    expect(resolveKubeContexts({ blue: "sandbox-blue", green: "sandbox-green" }, CLUSTERS)).toEqual({ blue: "sandbox-blue", green: "sandbox-green" });
    expect(resolveKubeContexts({ blue: "arn:aws:eks:us-east-1:111122223333:cluster/blue" }, CLUSTERS)).toEqual({
      blue: "arn:aws:eks:us-east-1:111122223333:cluster/blue",
      green: "green",
    });
    expect(resolveKubeContexts({}, CLUSTERS)).toEqual({ blue: "blue", green: "green" });
  });

  it("refuses a key that names no declared cluster (the typo that used to fall back silently)", () => {
    expect(problems({ blue: "sandbox-blue", gren: "sandbox-green" })).toEqual([
      'agent-identity:kubeContexts.gren: no cluster "gren" in platform.clusters (blue, green): a misspelt key is refused, not ignored, since the cluster it meant would deploy through the context named like the cluster',
    ]);
    expect(problems({ Blue: "x" })[0]).toMatch(/^agent-identity:kubeContexts\.Blue: no cluster "Blue"/);
    // A hostile key is shown cut short and escaped, and not spliced into the config path.
    expect(problems({ [`${"k".repeat(100)}\n`]: "x" })[0]).toMatch(new RegExp(`^agent-identity:kubeContexts: no cluster "${"k".repeat(64)}…" in`));
    expect(problems({ "blue.x": "x" })[0]).toMatch(/^agent-identity:kubeContexts: no cluster "blue\.x"/);
  });

  it("refuses blank, oversized, non-string, control, bidirectional or invisible characters in contexts", () => {
    for (const context of [
      "",
      "   ",
      " blue",
      "blue ",
      "x".repeat(254),
      "a\nb",
      "a\u0000b",
      "prod\u202e-blue",
      "a\u200bb",
      7,
      null,
      ["ctx"],
      { name: "ctx" },
    ]) {
      expect(problems({ blue: context }), JSON.stringify(context)).toEqual([
        expect.stringMatching(/^agent-identity:kubeContexts\.blue: a kubeconfig context name \(1 to 253 characters/),
      ]);
    }
    expect(problems({ blue: "x".repeat(253) })).toEqual([]);
  });

  it("refuses two clusters on one context, written or by default", () => {
    expect(problems({ blue: "shared", green: "shared" })).toEqual([
      'agent-identity:kubeContexts.green: clusters blue and green both deploy through kubeconfig context "shared": each cluster\'s namespaces and ServiceAccounts go to that cluster only; name a distinct context for each',
    ]);
    expect(problems({ blue: "green" })).toEqual([
      expect.stringMatching(
        /^agent-identity:kubeContexts\.blue: clusters blue and green \(by default, its name\) both deploy through kubeconfig context "green"/,
      ),
    ]);
  });

  it("refuses the setting where nothing would read it (fewer than two clusters)", () => {
    expect(problems({ only: "ctx" }, ["only"])).toEqual([
      expect.stringMatching(
        /^agent-identity:kubeContexts: set, but the platform declares one cluster \(only\): the stack deploys through the default Kubernetes provider .* remove agent-identity:kubeContexts/,
      ),
    ]);
    expect(problems({}, null)).toEqual([expect.stringMatching(/^agent-identity:kubeContexts: set, but the platform declares no platform\.clusters/)]);
  });

  it("refuses what is not an object, and more entries than clusters can have", () => {
    for (const value of ["sandbox-blue", ["blue"], null, 3])
      expect(problems(value), JSON.stringify(value)).toEqual([
        expect.stringMatching(/^agent-identity:kubeContexts: an object of cluster name → kubeconfig context/),
      ]);
    const many = Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`c${i}`, `ctx${i}`]));
    expect(problems(many)).toEqual([expect.stringMatching(/^agent-identity:kubeContexts: 21 entries: at most one per cluster/)]);
  });

  it("lists every problem at once", () => {
    expect(problems({ blue: "", gren: "x", grn: "y" })).toHaveLength(3);
  });
});
