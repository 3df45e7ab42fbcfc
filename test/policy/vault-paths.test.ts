/**
 * Vault judged by path, not by name (issue #19 part 4): a non-agent holder (Kubernetes-auth role of
 * a CI runner, AppRole, periodic orphan token, JWT role) whose own policy reaches an agent's
 * credentials or KV paths is refused; so are a copy of an agent's tool session, generic writes to
 * KV control paths, and policy names that only Go's lower-casing and trimming make an agent's.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { goToLower, goTrimSpace, vaultPolicyName } from "../../policy/checks/vault-policy-name";
import { pathFamily, vaultPathMatches } from "../../policy/checks/vault-path-reach";
import { componentResources } from "../helpers/component-resources";
import { PLATFORM, agent } from "../helpers/fixtures";
import { ruleIds, runPack, type Resource } from "../helpers/policy-args";
import { sandboxResources } from "../helpers/sandbox-resources";

const DB_CREDS = "database/creds/sandbox.invoice-triage.ledger";
const KV_DATA = "kv/data/agents/sandbox/support-assistant/kb-token";

let base: Resource[];
beforeAll(async () => {
  base = await sandboxResources();
}, 120_000);

const policy = (name: string, paths: Record<string, string[]>): Resource => ({
  type: "vault:index/policy:Policy",
  name: `${name}-policy`,
  props: {
    name,
    policy: Object.entries(paths)
      .map(([path, caps]) => `path "${path}" {\n  capabilities = ${JSON.stringify(caps)}\n}\n`)
      .join("\n"),
  },
});

describe("non-agent holders reaching an agent's paths are refused", () => {
  const cases: Array<[string, Resource[]]> = [
    [
      "a CI runner's Kubernetes-auth role with its own policy reading every database credential",
      [
        policy("ci-runner", { "database/creds/*": ["read"] }),
        {
          type: "vault:kubernetes/authBackendRole:AuthBackendRole",
          name: "ci-runner-role",
          props: {
            backend: "kubernetes-blue",
            roleName: "ci-runner",
            boundServiceAccountNames: ["runner"],
            boundServiceAccountNamespaces: ["ci"],
            audience: "vault",
            tokenPolicies: ["ci-runner"],
            tokenNoDefaultPolicy: true,
            tokenMaxTtl: 900,
          },
        },
      ],
    ],
    [
      "an AppRole whose policy reads one segment of every agent's KV",
      [
        policy("approle-kv", { "kv/data/agents/+/support-assistant/kb-token": ["read"] }),
        { type: "vault:approle/authBackendRole:AuthBackendRole", name: "approle", props: { roleName: "batch", tokenPolicies: ["approle-kv"] } },
      ],
    ],
    [
      "a periodic orphan token whose policy destroys an agent's KV versions",
      [
        policy("janitor", { "kv/destroy/agents/sandbox/*": ["update"] }),
        { type: "vault:index/token:Token", name: "orphan", props: { policies: ["janitor"], noParent: true, period: "768h" } },
      ],
    ],
    [
      "a JWT auth role whose policy reads the credentials under creds/ by segment",
      [
        policy("gha", { "database/+/sandbox.invoice-triage.ledger": ["read"] }),
        { type: "vault:jwt/authBackendRole:AuthBackendRole", name: "gha", props: { roleName: "gha", tokenPolicies: ["gha"], userClaim: "sub" } },
      ],
    ],
    ["a policy that redefines the agent's database role", [policy("dba", { "database/roles/sandbox.invoice-triage.ledger": ["update"] })]],
  ];
  for (const [label, extra] of cases) {
    it(
      label,
      async () => {
        expect(ruleIds(await runPack([...base, ...extra]))).toContain("vault/agent-path-reach");
      },
      60_000,
    );
  }

  it("a policy reaching no agent path, or only denying, passes", async () => {
    const ids = ruleIds(await runPack([...base, policy("ci-own", { "kv/data/ci/*": ["read"], "database/creds/*": ["deny"] })]));
    expect(ids).not.toContain("vault/agent-path-reach");
  }, 60_000);

  it("a generic write to another agent's kv/destroy, kv/delete or kv/metadata path is refused; secret data passes", async () => {
    const write = (path: string): Resource => ({
      type: "vault:generic/endpoint:Endpoint",
      name: path.replace(/\W/g, "-"),
      props: { path, dataJson: '{"versions":[1]}' },
    });
    for (const verb of ["destroy", "delete", "metadata", "undelete"])
      expect(ruleIds(await runPack([write(`kv/${verb}/agents/sandbox/support-assistant/kb-token`)])), verb).toContain("vault/generic-write");
    expect(ruleIds(await runPack([write("kv/data/ci/settings")]))).toEqual([]);
  });
});

describe("a second secret role minting an agent's exact tool session", () => {
  it("is refused, while the components' own (one per tool) pass", async () => {
    const ENGINE = "arn:aws:iam::111122223333:role/vault-aws-engine";
    const resources = await componentResources({
      platform: { ...PLATFORM, toolSessions: "tagged-sessions", vault: { ...PLATFORM.vault, awsEngineRoleArn: ENGINE } },
      agents: [
        agent("billing", {
          tools: [{ name: "read-data", dataClass: "internal", aws: [{ actions: ["s3:GetObject"], resources: ["arn:aws:s3:::acme-data/billing/*"] }] }],
        }),
      ],
    });
    expect(ruleIds(await runPack(resources))).toEqual([]);
    const session = resources.find((r) => r.type === "vault:aws/secretBackendRole:SecretBackendRole")!;
    const copy = { ...session, name: "copy", props: { ...session.props, name: "ci-copy" } };
    expect(ruleIds(await runPack([...resources, copy]))).toContain("vault/agent-path-reach");
  }, 60_000);
});

describe("policy names compared as Vault compares them (Go strings.ToLower, strings.TrimSpace)", () => {
  it("folds U+0130 to i and trims NEL (U+0085), as Go does and JavaScript does not", () => {
    expect(goToLower("İNVOICE")).toBe("invoice");
    expect("İ".toLowerCase()).toBe("i\u0307");
    expect(goTrimSpace("\u0085acme\u0085")).toBe("acme");
    expect("\u0085acme".trim()).toBe("\u0085acme");
    // JavaScript trims U+FEFF; Go does not (it is not White_Space), so neither does Vault.
    expect(goTrimSpace("\ufeffacme")).toBe("\ufeffacme");
    expect(goToLower("ΟΔΟΣ")).toBe("οδοσ");
    expect(vaultPolicyName(" \u00a0ACME-İnvoice\u2028")).toBe("acme-invoice");
  });

  it("a token carrying an agent's policy spelt with İ and NEL is refused (vault/agent-policy-use)", async () => {
    const name = "\u0085acme-sandbox-İnvoice-triage-execution\u0085";
    const ids = ruleIds(await runPack([...base, { type: "vault:index/token:Token", name: "spelt", props: { policies: [name] } }]));
    expect(ids).toContain("vault/agent-policy-use");
  }, 60_000);
});

describe("Vault path matching", () => {
  it("* only as a prefix, + as one segment", () => {
    expect(vaultPathMatches("kv/data/*", KV_DATA)).toBe(true);
    expect(vaultPathMatches("kv/data/agents/+/support-assistant/kb-token", KV_DATA)).toBe(true);
    expect(vaultPathMatches("kv/data/+/support-assistant/kb-token", KV_DATA)).toBe(false);
    expect(vaultPathMatches("kv/+/agents/sandbox/support*", KV_DATA)).toBe(true);
    expect(vaultPathMatches("database/creds/sandbox.invoice-triage.ledge", DB_CREDS)).toBe(false);
    expect(vaultPathMatches("database/creds/sandbox.*", DB_CREDS)).toBe(true);
  });

  it("a held path's family: KV siblings, sts/creds and the role definition", () => {
    expect(pathFamily(KV_DATA)).toEqual(
      expect.arrayContaining(["kv/metadata/agents/sandbox/support-assistant/kb-token", "kv/destroy/agents/sandbox/support-assistant/kb-token"]),
    );
    expect(pathFamily("aws/sts/x")).toEqual(expect.arrayContaining(["aws/creds/x", "aws/roles/x"]));
  });
});
