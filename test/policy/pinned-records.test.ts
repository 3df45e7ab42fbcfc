/**
 * The plan records pinned by the review gate (stack/records-pinned): the pins `agent-identity
 * records` computes from a stack's declaration equal the records the components write, the
 * components' own stacks pass when pinned, and a program that rewrites a role or a Vault resource
 * together with its record (test/helpers/replan.ts) is refused only when the pins are configured.
 * Each case changes one thing of the dev stack's resources or of its pins.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { ROLE_PLAN_ANNOTATION, VAULT_PLAN_ANNOTATION } from "../../components/core/compile";
import { recordDigest, recordPinsOf, type RecordPin, type RecordPins } from "../../components/core/record-pins";
import { planDeclaration } from "../../components/plan";
import { componentResources } from "../helpers/component-resources";
import { TODAY, stackDeclaration } from "../helpers/fixtures";
import { UNKNOWN, ofRule, runPack, type Reported, type Resource } from "../helpers/policy-args";
import { replanned } from "../helpers/replan";
import { sandboxResources } from "../helpers/sandbox-resources";

const RULE = "stack/records-pinned";
const SA = "platform-support-assistant-execution-service-account";
const SA_KEY = "acme-dev-support-assistant/support-assistant-execution";
const ROLE_POLICY = "platform-support-assistant-execution-agent-identity-execution";
const VAULT_POLICY = "platform-support-assistant-execution-vault-policy";

type Props = Record<string, unknown>;
const change = (name: string, edit: (props: Props) => Props) => (resources: readonly Resource[]) =>
  resources.map((r) => (r.name === name ? { ...r, props: edit(structuredClone(r.props) as Props) } : r));
const annotations = (props: Props) => (props.metadata as { annotations: Record<string, unknown> }).annotations;
const pinsOf = (stack: string): RecordPins => recordPinsOf(planDeclaration(stackDeclaration(stack), stack, TODAY).plan);
const pinned = (pins: RecordPins) => ({ pinnedRecords: pins });
const recordsPinned = (reported: readonly Reported[]) => reported.filter((r) => ofRule(r, RULE));

let base: Resource[];
let pins: RecordPins;
beforeAll(async () => {
  base = await componentResources(stackDeclaration("dev"));
  pins = pinsOf("dev");
});

describe("pins computed from the declaration", () => {
  /** Each agent ServiceAccount's records, digested as the pack digests them. */
  const carried = (resources: readonly Resource[]) =>
    resources
      .filter((r) => r.type === "kubernetes:core/v1:ServiceAccount")
      .map((r) => {
        const metadata = r.props.metadata as { name: string; namespace: string; labels: Record<string, string>; annotations: Record<string, string> };
        return {
          key: `${metadata.namespace}/${metadata.name}`,
          pin: {
            agent: metadata.labels["agent-identity.io/agent"],
            identity: metadata.labels["agent-identity.io/identity"],
            rolePlan: recordDigest(metadata.annotations[ROLE_PLAN_ANNOTATION]),
            vaultPlan: recordDigest(metadata.annotations[VAULT_PLAN_ANNOTATION]),
          } as RecordPin,
        };
      });

  it.each(["dev", "prod"])("equal the records the components write for stacks/Pulumi.%s.yaml", async (stack) => {
    const resources = stack === "dev" ? base : await componentResources(stackDeclaration(stack));
    const expected = pinsOf(stack);
    const seen = carried(resources);
    expect(seen.length).toBe(Object.keys(expected).length);
    for (const { key, pin } of seen) expect(expected[key], key).toEqual(pin);
  });

  it("equal the records on every cluster's ServiceAccount of stacks/Pulumi.sandbox.yaml (two clusters, one pin per identity)", async () => {
    const expected = pinsOf("sandbox");
    const seen = carried(await sandboxResources());
    expect(new Set(seen.map((s) => s.key)).size).toBe(Object.keys(expected).length);
    expect(seen.length).toBeGreaterThan(Object.keys(expected).length);
    for (const { key, pin } of seen) expect(expected[key], key).toEqual(pin);
  });
});

describe("pack: stack/records-pinned", () => {
  it("reports nothing for the components' own dev stack pinned with its own declaration's pins", async () => {
    expect(await runPack(base, TODAY, pinned(pins))).toEqual([]);
  });

  it("reports nothing for the sandbox stack (two clusters) pinned with its pins", async () => {
    expect(await runPack(await sandboxResources(), TODAY, pinned(pinsOf("sandbox")))).toEqual([]);
  });

  const forged: Array<{ name: string; edit: (resources: readonly Resource[]) => Resource[]; record: string }> = [
    {
      name: "the execution RolePolicy also allows s3:DeleteObject, its role-plan record rewritten to match",
      edit: (resources) =>
        replanned(
          change(ROLE_POLICY, (p) => ({ ...p, policy: (p.policy as string).replace('["s3:GetObject"]', '["s3:GetObject","s3:DeleteObject"]') }))(resources),
        ),
      record: ROLE_PLAN_ANNOTATION,
    },
    {
      name: "the execution Vault policy also reads platform secrets, its vault-plan record rewritten to match",
      edit: (resources) =>
        replanned(
          change(VAULT_POLICY, (p) => ({ ...p, policy: `${p.policy as string}\npath "kv/data/platform/*" {\n  capabilities = ["read"]\n}\n` }))(resources),
        ),
      record: VAULT_PLAN_ANNOTATION,
    },
  ];

  describe.each(forged)("$name", ({ edit, record }) => {
    it("passes the as-planned rules (the record was forged with the resource) and is not refused without pins (today's behaviour)", async () => {
      const reported = await runPack(edit(base), TODAY);
      expect(reported.filter((r) => ofRule(r, "iam/agent-role-as-planned") || ofRule(r, "vault/agent-resources-as-planned"))).toEqual([]);
      expect(recordsPinned(reported)).toEqual([]);
    });

    it("is refused when the records are pinned, naming the agent, identity, record and the fix", async () => {
      // The helper writes every record again from the resources, so other records may differ in form too; the forged one must be named.
      const refused = recordsPinned(await runPack(edit(base), TODAY, pinned(pins))).filter(
        (r) => r.message.includes(`the ${record} record`) && r.message.includes(SA_KEY),
      );
      expect(refused).toHaveLength(1);
      expect(refused[0].policy).toBe("stack-stack");
      expect(refused[0].message).toMatch(/^support-assistant\/execution: stack\/records-pinned: /);
      expect(refused[0].message).toContain("the program changed the record: rerun `agent-identity records` from the declaration");
    });
  });

  it("refuses an agent identity the pins do not list", async () => {
    const { [SA_KEY]: _dropped, ...fewer } = pins;
    void _dropped;
    const refused = recordsPinned(await runPack(base, TODAY, pinned(fewer)));
    expect(refused.map((r) => r.message)).toEqual([
      expect.stringMatching(/^support-assistant\/execution: stack\/records-pinned: ServiceAccount .* list no identity/),
    ]);
  });

  it("refuses a pinned identity the stack does not have", async () => {
    const extra = { ...pins, "acme-dev-ghost/ghost-execution": { ...pins[SA_KEY], agent: "ghost" } };
    const refused = recordsPinned(await runPack(base, TODAY, pinned(extra)));
    expect(refused.map((r) => r.message)).toEqual([
      expect.stringMatching(/^ghost\/execution: stack\/records-pinned: .*acme-dev-ghost\/ghost-execution, which no agent ServiceAccount/),
    ]);
  });

  it("refuses a ServiceAccount pinned as another agent's identity", async () => {
    const swapped = { ...pins, [SA_KEY]: { ...pins[SA_KEY], identity: "orchestration" as const } };
    expect(recordsPinned(await runPack(base, TODAY, pinned(swapped))).map((r) => r.message)).toEqual([
      expect.stringContaining("pinned it as agent support-assistant's orchestration identity"),
    ]);
  });

  it.each([
    ["absent", (p: Props) => (delete annotations(p)[ROLE_PLAN_ANNOTATION], p), "is missing"],
    ["unknown at preview", (p: Props) => ((annotations(p)[VAULT_PLAN_ANNOTATION] = UNKNOWN), p), "is unknown at preview"],
  ])("refuses a record %s", async (_what, edit, text) => {
    const refused = recordsPinned(await runPack(change(SA, edit)(base), TODAY, pinned(pins)));
    expect(refused.map((r) => r.message)).toEqual([expect.stringContaining(text)]);
  });

  it("refuses every agent when the pins do not parse (fail closed), and reports nothing when they are absent", async () => {
    const bad = { ...pins, [SA_KEY]: { ...pins[SA_KEY], rolePlan: "not-a-digest" } };
    expect(recordsPinned(await runPack(base, TODAY, pinned(bad))).map((r) => r.message)).toEqual([
      expect.stringMatching(/^\(every agent\)\/\*: stack\/records-pinned: the pinnedRecords configuration is not/),
    ]);
    expect(recordsPinned(await runPack(change(SA, (p) => (delete annotations(p)[ROLE_PLAN_ANNOTATION], p))(base), TODAY))).toEqual([]);
  });
});
