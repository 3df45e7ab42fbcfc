/**
 * The pack's lifecycle and context checks (issue 5): a hand-written or hand-edited resource next to
 * the components' own is reported under its rule id; the components' own output passes; "today" is
 * injected, and defaults to the real date.
 */
import { beforeAll, describe, expect, it } from "vitest";
import type { AgentInput } from "../../components/core/schema";
import { createPolicies, policies } from "../../policy/policies";
import { componentResources } from "../helpers/component-resources";
import { PLATFORM, agent, stackDeclaration } from "../helpers/fixtures";
import { UNKNOWN, resourceArgs, runPack, ruleIds, withExclusivePolicies, declaringPlatformIam, type Resource } from "../helpers/policy-args";
import { replanned } from "../helpers/replan";

const HIGH_RISK: Partial<AgentInput> = { tier: "high-risk", approval: { ticket: "SEC-9", approvedBy: "sec@example.com" } };
const SHARED = { ...PLATFORM, kubernetes: { namespacePerAgent: false, namespace: "agents" } };
const OIDC = PLATFORM.aws.oidcProviderArn!;
const ISSUER = OIDC.split(":oidc-provider/")[1];
const REGION = { StringEquals: { "aws:RequestedRegion": "us-east-1" } };
const policy = (statement: Record<string, unknown>) => JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", ...statement }] });

type Props = Record<string, unknown>;
const ROLE = "aws:iam/role:Role";
const SA = "kubernetes:core/v1:ServiceAccount";
const VAULT_ROLE = "vault:kubernetes/authBackendRole:AuthBackendRole";
const tags = (p: Props) => (p.tags ?? {}) as Record<string, string>;
const meta = (p: Props) => (p.metadata ?? {}) as { labels?: Record<string, string>; annotations?: Record<string, string> };

/**
 * The components' resources with the matching ones edited by hand (a deep copy; at least one must
 * match), and each identity's plan record rewritten to match: these rules refuse the edit on their
 * own, even where the record was forged with it (iam/agent-role-as-planned: test/policy/agent-role-plan.test.ts).
 */
function edited(resources: readonly Resource[], type: string, match: (props: Props) => boolean, edit: (props: Props) => Props): Resource[] {
  let count = 0;
  const out = resources.map((r) => {
    if (r.type !== type || !match(r.props)) return r;
    count++;
    return { ...r, props: edit(structuredClone(r.props)) };
  });
  expect(count, `no ${type} matched`).toBeGreaterThan(0);
  return replanned(out);
}
const ofIdentity = (agentName: string, kind: string) => (p: Props) => tags(p).agent === agentName && tags(p).identity === kind;
const saOf = (agentName: string) => (p: Props) => meta(p).labels?.["agent-identity.io/agent"] === agentName;

let batch: Resource[];
let highRisk: Resource[];
beforeAll(async () => {
  batch = await componentResources({ platform: SHARED, agents: [agent("billing"), agent("search")] });
  highRisk = await componentResources({ platform: PLATFORM, agents: [agent("hr", HIGH_RISK), agent("b")] });
});

describe("pack: ownership lifecycle on resources", () => {
  it("flags an agent role whose expires tag is past, with the days overdue, agent, identity and sponsor", async () => {
    const resources = edited(batch, ROLE, ofIdentity("billing", "execution"), (p) => ({ ...p, tags: { ...tags(p), expires: "2026-11-01" } }));
    const reported = await runPack(resources);
    expect(reported.map((r) => r.message)).toEqual([
      "billing/execution: lifecycle/expired: expired on 2026-11-01 (27 days overdue) — have the sponsor owner@example.com re-approve and set a new `expires`, or remove the agent (or revoke it)",
    ]);
  });

  it("passes an expired role that is tagged revoked: revocation must always deploy", async () => {
    const expired = edited(batch, ROLE, ofIdentity("billing", "execution"), (p) => ({ ...p, tags: { ...tags(p), expires: "2026-11-01" } }));
    const revoked = edited(expired, ROLE, ofIdentity("billing", "execution"), (p) => ({ ...p, tags: { ...tags(p), "revoked-at": "2026-11-20T00:00:00Z" } }));
    expect(await runPack(revoked)).toEqual([]);
  });

  it("flags an expired federated role even when it is not tagged as an agent", async () => {
    const trust = JSON.stringify({
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Principal: { Federated: OIDC },
          Action: "sts:AssumeRoleWithWebIdentity",
          Condition: { StringEquals: { [`${ISSUER}:sub`]: "system:serviceaccount:tools:worker", [`${ISSUER}:aud`]: "sts.amazonaws.com" } },
        },
      ],
    });
    const worker = {
      type: ROLE,
      name: "worker",
      props: { name: "worker", assumeRolePolicy: trust, tags: { expires: "2026-06-30", sponsor: "ops@example.com" } },
    };
    expect(ruleIds(await runPack(withExclusivePolicies([...batch, worker]), undefined, declaringPlatformIam([worker])))).toEqual(["lifecycle/expired"]);
  });

  it("warns (advisory) within 30 days of expiry", async () => {
    const resources = edited(batch, ROLE, ofIdentity("search", "audit"), (p) => ({ ...p, tags: { ...tags(p), expires: "2026-12-10" } }));
    const reported = await runPack(resources);
    expect(reported.map((r) => r.message)).toEqual([
      expect.stringMatching(/^search\/audit: lifecycle\/expiring-soon: expires on 2026-12-10 \(in 12 days\) — /),
    ]);
    expect(policies.find((p) => p.name === reported[0].policy)?.enforcementLevel).toBe("advisory");
  });

  it("flags an expired ServiceAccount and Vault role, but not a revoked agent's ServiceAccount", async () => {
    const expiredSa = edited(batch, SA, saOf("billing"), (p) => ({
      ...p,
      metadata: { ...meta(p), annotations: { ...meta(p).annotations, "agent-identity.io/expires": "2026-10-01" } },
    }));
    const saReported = await runPack(expiredSa);
    expect(ruleIds(saReported)).toEqual(["lifecycle/expired"]);
    expect(saReported).toHaveLength(3);
    const revokedSa = edited(expiredSa, SA, saOf("billing"), (p) => ({
      ...p,
      metadata: { ...meta(p), annotations: { ...meta(p).annotations, "agent-identity.io/revoked-at": "2026-11-20T00:00:00Z" } },
    }));
    expect(await runPack(revokedSa)).toEqual([]);

    const expiredVault = edited(
      batch,
      VAULT_ROLE,
      (p) => (p.aliasMetadata as Record<string, string>)?.agent === "search",
      (p) => ({ ...p, aliasMetadata: { ...(p.aliasMetadata as object), expires: "2026-11-27" } }),
    );
    expect((await runPack(expiredVault)).map((r) => r.message)).toEqual([
      expect.stringMatching(/^search\/orchestration: lifecycle\/expired: expired on 2026-11-27 \(1 day overdue\)/),
      expect.stringMatching(/^search\/execution: lifecycle\/expired: /),
      expect.stringMatching(/^search\/audit: lifecycle\/expired: /),
    ]);
  });

  it("flags an agent role, ServiceAccount or Vault role without owner, sponsor or a readable expiry", async () => {
    const untagged = edited(batch, ROLE, ofIdentity("billing", "orchestration"), (p) => ({
      ...p,
      tags: { agent: "billing", identity: "orchestration", tier: "batch", "data-class": "internal" },
    }));
    expect((await runPack(untagged)).map((r) => r.message)).toEqual([
      "billing/orchestration: lifecycle/ownership-tags: IAM tags lack owner, sponsor, expires — create it with the Agent component, or set the same tags, labels and annotations the components write",
    ]);
    const vague = edited(batch, ROLE, ofIdentity("billing", "orchestration"), (p) => ({ ...p, tags: { ...tags(p), expires: "next year", tier: "trusted" } }));
    expect((await runPack(vague)).map((r) => r.message)).toEqual([
      expect.stringContaining('lifecycle/ownership-tags: IAM tags: expires is "next year", not a date (YYYY-MM-DD)'),
      expect.stringContaining('lifecycle/ownership-tags: IAM tags: tier is "trusted", not one of batch, assistant, high-risk'),
    ]);
    const sa = edited(batch, SA, saOf("search"), (p) => ({ ...p, metadata: { ...meta(p), annotations: {} } }));
    // Without annotations the components' ServiceAccount also lost its role's plan record and its `owns`.
    expect(ruleIds(await runPack(sa))).toEqual(["iam/agent-grant-owned", "iam/agent-role-as-planned", "lifecycle/ownership-tags"]);
    const vault = edited(
      batch,
      VAULT_ROLE,
      (p) => (p.aliasMetadata as Record<string, string>)?.agent === "search",
      (p) => ({ ...p, aliasMetadata: { agent: "search", identity: "execution" } }),
    );
    expect((await runPack(vault)).map((r) => r.message)).toContain(
      "search/execution: lifecycle/ownership-tags: Vault alias metadata lack owner, sponsor, expires, tier — create it with the Agent component, or set the same tags, labels and annotations the components write",
    );
  });

  it("reports an agent role whose expiry is unknown at preview instead of waving it through", async () => {
    const later = edited(batch, ROLE, ofIdentity("billing", "execution"), (p) => ({ ...p, tags: { ...tags(p), expires: UNKNOWN } }));
    const reported = await runPack(later);
    expect(ruleIds(reported)).toEqual(["lifecycle/ownership-tags", "stack/unknown-input"]);
    expect(reported.map((r) => r.message)).toContain(
      "billing/execution: stack/unknown-input: aws:iam/role:Role platform-billing-execution-role: tags.expires unknown at preview, so it cannot be checked — build the value from known inputs (the components build policy documents in code), or run the check again at update",
    );
  });

  it("judges expiry against the real date unless a date is injected", async () => {
    const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    const resources = edited(batch, ROLE, ofIdentity("billing", "execution"), (p) => ({ ...p, tags: { ...tags(p), expires: yesterday } }));
    const role = resources.find((r) => r.type === ROLE && ofIdentity("billing", "execution")(r.props))!;
    const messages = async (list: typeof policies) => {
      const out: string[] = [];
      for (const p of list)
        if ("validateResource" in p && typeof p.validateResource === "function") await p.validateResource(resourceArgs(role), (message) => out.push(message));
      return out;
    };
    expect(await messages(policies)).toEqual([expect.stringContaining(`lifecycle/expired: expired on ${yesterday} (1 day overdue)`)]);
    expect(await messages(createPolicies({ now: () => new Date(`${yesterday}T12:00:00Z`) }))).toEqual([expect.stringContaining("lifecycle/expiring-soon")]);
  });
});

describe("pack: tier and context on resources", () => {
  it("flags a high-risk role without a permissions boundary, but not one whose boundary is unknown at preview", async () => {
    const none = edited(highRisk, ROLE, ofIdentity("hr", "execution"), ({ permissionsBoundary: _b, ...p }) => (void _b, p));
    expect((await runPack(none)).map((r) => r.message)).toEqual([
      "hr/execution: context/permissions-boundary-required: tier high-risk requires a permissions boundary and role acme-test-hr-execution has none — set `agent-identity:platform.aws.permissionsBoundaryArn` to the organisation's agent boundary policy",
    ]);
    const later = edited(highRisk, ROLE, ofIdentity("hr", "execution"), (p) => ({ ...p, permissionsBoundary: UNKNOWN }));
    expect(await runPack(later)).toEqual([]);
    // A batch role needs none by its tier, but compile sets the platform's boundary on every agent role: one without it had it dropped.
    expect(ruleIds(await runPack(edited(highRisk, ROLE, ofIdentity("b", "execution"), ({ permissionsBoundary: _b, ...p }) => (void _b, p))))).toEqual([
      "iam/permissions-boundary-policy",
    ]);
  });

  it("flags a high-risk trust policy without the sts:RoleSessionName prefix", async () => {
    const untraceable = edited(highRisk, ROLE, ofIdentity("hr", "audit"), (p) => {
      const trust = JSON.parse(p.assumeRolePolicy as string);
      delete trust.Statement[0].Condition.StringLike;
      return { ...p, assumeRolePolicy: JSON.stringify(trust) };
    });
    expect((await runPack(untraceable)).map((r) => r.message)).toEqual([
      expect.stringMatching(
        /^hr\/audit: context\/traceable-sessions: trust policy of acme-test-hr-audit does not require sts:RoleSessionName "hr-audit-\*" — /,
      ),
    ]);
  });

  it("flags a session name prefix that leaves no room for the pod name", async () => {
    const prefix = `${"w".repeat(40)}-`;
    const trust = JSON.stringify({
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Principal: { Federated: OIDC },
          Action: "sts:AssumeRoleWithWebIdentity",
          Condition: {
            StringEquals: { [`${ISSUER}:sub`]: "system:serviceaccount:tools:worker", [`${ISSUER}:aud`]: "sts.amazonaws.com" },
            StringLike: { "sts:RoleSessionName": `${prefix}*` },
          },
        },
      ],
    });
    const worker = { type: ROLE, name: "worker", props: { name: "worker", assumeRolePolicy: trust } };
    expect((await runPack(withExclusivePolicies([...batch, worker]), undefined, declaringPlatformIam([worker]))).map((r) => r.message)).toEqual([
      expect.stringContaining(`context/session-name-room: session name prefix "${prefix}" is 41 characters`),
    ]);
  });

  it("flags a data-class tag above what the tier tag allows", async () => {
    const restricted = edited(batch, ROLE, ofIdentity("search", "execution"), (p) => ({ ...p, tags: { ...tags(p), "data-class": "restricted" } }));
    expect((await runPack(restricted)).map((r) => r.message)).toEqual([
      "search/execution: context/data-class-tier: maxDataClass restricted exceeds what tier batch may touch here (confidential) — restricted data needs tier high-risk (with approval and boundary)",
    ]);
  });

  it("flags a high-risk agent's ServiceAccounts in a namespace shared with another agent", async () => {
    const shared = edited(batch, SA, saOf("billing"), (p) => ({
      ...p,
      metadata: { ...meta(p), labels: { ...meta(p).labels, "agent-identity.io/tier": "high-risk" } },
    }));
    const reported = await runPack(shared);
    expect(reported.map((r) => r.message)).toEqual([
      'billing/*: context/own-namespace-required: tier high-risk requires its own namespace but shares "agents" — set `agent-identity:platform.kubernetes.namespacePerAgent: true`, or run this agent on a platform that does',
    ]);
    expect(reported[0].urn).toContain("ServiceAccount");
  });

  it("flags an Allow without aws:RequestedRegion in an agent role's RolePolicy or inline policy", async () => {
    const loose = {
      type: "aws:iam/rolePolicy:RolePolicy",
      name: "extra",
      props: {
        name: "extra",
        role: "acme-test-billing-execution",
        policy: policy({ Sid: "Extra", Action: "s3:GetObject", Resource: "arn:aws:s3:::acme-data/billing/*" }),
      },
    };
    // The components' RolePoliciesExclusive would also remove a hand-written inline policy: iam/principal-exclusive-policies' own tests.
    const regionOnly = (list: Awaited<ReturnType<typeof runPack>>) => list.filter((r) => !r.message.includes("iam/principal-exclusive-policies"));
    const reported = regionOnly(await runPack(replanned([...batch, loose])));
    expect(reported.map((r) => r.message)).toEqual([
      "billing/execution: context/region-bound: statement Extra in extra is not bound to a region — add an aws:RequestedRegion condition (the components add the platform region unless a tool declares `regions`)",
    ]);
    expect(reported[0].urn).toContain("RolePolicy::extra");

    const inline = edited(batch, ROLE, ofIdentity("search", "execution"), (p) => ({
      ...p,
      inlinePolicies: [{ name: "by-hand", policy: policy({ Action: "s3:GetObject", Resource: "arn:aws:s3:::acme-data/search/*" }) }],
    }));
    expect(regionOnly(await runPack(inline)).map((r) => r.message)).toEqual([
      expect.stringMatching(/^search\/execution: context\/region-bound: statement \(no Sid\) in by-hand is not bound/),
    ]);
  });

  it("does not hold a role that is not an agent's to the region rule", async () => {
    const other = [
      {
        type: ROLE,
        name: "fn",
        props: {
          name: "fn",
          assumeRolePolicy: JSON.stringify({
            Version: "2012-10-17",
            Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }],
          }),
        },
      },
      {
        type: "aws:iam/rolePolicy:RolePolicy",
        name: "fn",
        props: { name: "fn", role: "fn", policy: policy({ Action: "s3:GetObject", Resource: "arn:aws:s3:::acme-data/fn/*" }) },
      },
    ];
    expect(await runPack(withExclusivePolicies([...batch, ...other]), undefined, declaringPlatformIam(other))).toEqual([]);
  });

  it("flags an agent role's grant on an ARN in another account than the role's own", async () => {
    const foreign = {
      type: "aws:iam/rolePolicy:RolePolicy",
      name: "theirs",
      props: {
        role: "acme-test-search-execution",
        policy: policy({ Action: "sqs:ReceiveMessage", Resource: "arn:aws:sqs:us-east-1:444455556666:their-queue", Condition: REGION }),
      },
    };
    expect((await runPack(replanned([...batch, foreign]))).map((r) => r.message)).toEqual([
      "search/execution: iam/agent-grant-owned: agent search's execution role acme-test-search-execution allows arn:aws:sqs:us-east-1:444455556666:their-queue, outside what agent search owns (agent-identity.io/owns, its roles and log group) — declare the resource under agent search's owns (a reviewed plan change), or have the security team declare the share in the pack's shares configuration (principal agent:search/execution)",
      "search/execution: context/foreign-account: grants arn:aws:sqs:us-east-1:444455556666:their-queue in account 444455556666, not the platform account 111122223333 — reach other accounts through a `vaultAws` tool (short-lived STS credentials for one role) instead of a direct grant",
    ]);
    const own = {
      ...foreign,
      props: {
        ...foreign.props,
        policy: policy({ Action: "sqs:ReceiveMessage", Resource: "arn:aws:sqs:us-east-1:111122223333:our-queue", Condition: REGION }),
      },
    };
    // In the platform's account: not context/foreign-account's; the queue is still outside what search owns.
    expect(ruleIds(await runPack(replanned([...batch, own])))).toEqual(["iam/agent-grant-owned"]);
  });
});

describe("pack: the components' own output after its expiry date", () => {
  it("reports every expired agent of the dev stack except the revoked one", async () => {
    const resources = await componentResources(stackDeclaration("dev"));
    const reported = await runPack(resources, new Date("2027-12-01T00:00:00Z"));
    expect(ruleIds(reported)).toEqual(["lifecycle/expired"]);
    // Every role, ServiceAccount and Vault role of the three live agents; nothing of legacy-summariser.
    const agents = reported.map((r) => r.message.split("/")[0]);
    expect([...new Set(agents)].sort()).toEqual(["invoice-triage", "payout-approver", "support-assistant"]);
    expect(reported).toHaveLength(3 * 9);
  });
});
