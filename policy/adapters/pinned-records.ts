/**
 * The plan records pinned by the review gate (stack/records-pinned). The stack check digests each
 * agent ServiceAccount's `agent-identity.io/role-plan` and `agent-identity.io/vault-plan`
 * annotations (SHA-256 of their text, components/core/record-pins.ts); the policy that reports the
 * rule compares them with the pins of its configuration (`pinnedPinFindings`), which the program
 * under review cannot set. The as-planned rules then compare the resources with records the gate
 * computed from the declaration, not only with records the program wrote.
 */
import { ROLE_PLAN_ANNOTATION, VAULT_PLAN_ANNOTATION } from "../../components/core/compile";
import { recordDigest, serviceAccountKey, type RecordPins } from "../../components/core/record-pins";
import { RECORDS_PINNED_RULE } from "../../components/rules/pinned-records";
import type { Adapter, PackFinding, SeenRecords } from "../types";
import { readOfType } from "./shared";
import { SERVICE_ACCOUNT_TYPES } from "./service-accounts";

const RULE = RECORDS_PINNED_RULE;
const RERUN =
  "the program changed the record: rerun `agent-identity records` from the declaration (the review gate does), and never change an agent's ServiceAccount, role or Vault resources in the program";

export const pinnedRecords: Adapter = {
  family: "pinned-records",
  holdings: "none added: an agent ServiceAccount's plan records are digested and compared with the digests the review gate pinned in the pack's configuration",
  types: [
    {
      type: SERVICE_ACCOUNT_TYPES.serviceAccount,
      route: "an agent ServiceAccount carries exactly the plan records the review gate pinned from the declaration",
      checkedBy: [RULE],
    },
  ],
  stack: (ix, pass) => {
    const saReads = new Map(readOfType(ix, SERVICE_ACCOUNT_TYPES.serviceAccount).map((r) => [r.resource.urn, r]));
    // The same text is repeated on an identity's ServiceAccount in every cluster: digested once.
    const digests = new Map<string, string>();
    const digestOf = (text: string | undefined): string | null => {
      if (text === undefined) return null;
      let known = digests.get(text);
      if (known === undefined) digests.set(text, (known = recordDigest(text)));
      return known;
    };
    for (const sa of ix.serviceAccounts) {
      const read = saReads.get(sa.resource.urn);
      // The whole metadata or annotations, the ServiceAccount's name or namespace, or one record unknown at preview.
      const unknown = (path: string) => !read || read.unknown.some((p) => p === path || p.startsWith(`${path}.`));
      const whole =
        !read || ["metadata", "metadata.annotations"].some((path) => read.unknown.includes(path)) || unknown("metadata.namespace") || unknown("metadata.name");
      const field = (key: string) => {
        if (whole || unknown(`metadata.annotations.${key}`)) return "unknown" as const;
        const value = sa.annotations[key];
        return digestOf(typeof value === "string" ? value : undefined);
      };
      pass.records.push({
        urn: sa.resource.urn,
        agent: sa.agent,
        identity: sa.kind,
        namespace: sa.namespace,
        name: sa.name,
        rolePlan: field(ROLE_PLAN_ANNOTATION),
        vaultPlan: field(VAULT_PLAN_ANNOTATION),
      });
    }
  },
};

const RECORDS = [
  { key: "rolePlan", annotation: ROLE_PLAN_ANNOTATION, what: "IAM role" },
  { key: "vaultPlan", annotation: VAULT_PLAN_ANNOTATION, what: "Vault resources" },
] as const;

/**
 * Findings of stack/records-pinned: every agent ServiceAccount pinned under its agent and identity,
 * with both records equal to the pinned digests, and every pinned identity present. `stackUrn` is
 * where a missing identity is reported (no resource of the stack carries it). Linear in both sides.
 */
export function pinnedRecordFindings(seen: readonly SeenRecords[], pins: RecordPins, stackUrn?: string): PackFinding[] {
  const findings: PackFinding[] = [];
  const present = new Set<string>();
  for (const sa of seen) {
    const key = serviceAccountKey(sa.namespace, sa.name);
    const at = (message: string, fix = RERUN): PackFinding => ({ rule: RULE, agent: sa.agent, identity: sa.identity, urn: sa.urn, message, fix });
    const pin = Object.hasOwn(pins, key) ? pins[key] : undefined;
    if (!pin) {
      findings.push(
        at(
          `ServiceAccount ${key} is labelled as agent ${sa.agent}'s ${sa.identity} identity, but the records the review gate pinned from the declaration list no identity with that ServiceAccount`,
          "declare the agent in the stack file (reviewed as a plan change) and rerun `agent-identity records`; a program must not add or move agent identities, nor label another ServiceAccount as one",
        ),
      );
      continue;
    }
    present.add(key);
    if (pin.agent !== sa.agent || pin.identity !== sa.identity) {
      findings.push(
        at(
          `ServiceAccount ${key} is labelled as agent ${sa.agent}'s ${sa.identity} identity, but the review gate pinned it as agent ${pin.agent}'s ${pin.identity} identity`,
        ),
      );
      continue;
    }
    for (const record of RECORDS) {
      const carried = sa[record.key];
      const problem =
        carried === "unknown"
          ? "is unknown at preview (the components write it from the declaration as a plain string)"
          : carried === null
            ? "is missing"
            : carried !== pin[record.key]
              ? `differs from the one the review gate computed from the declaration (SHA-256 ${carried.slice(0, 12)}… instead of ${pin[record.key].slice(0, 12)}…)`
              : undefined;
      if (problem)
        findings.push(
          at(
            `the ${record.annotation} record (the planned ${record.what}) on ServiceAccount ${key} of agent ${sa.agent}'s ${sa.identity} identity ${problem}, so its ${record.what} cannot be compared with the declaration`,
          ),
        );
    }
  }
  for (const [key, pin] of Object.entries(pins)) {
    if (present.has(key)) continue;
    findings.push({
      rule: RULE,
      agent: pin.agent,
      identity: pin.identity,
      urn: stackUrn ?? "",
      message: `the review gate pinned agent ${pin.agent}'s ${pin.identity} identity with ServiceAccount ${key}, which no agent ServiceAccount of the stack is (removed, renamed, moved or relabelled by the program)`,
      fix: RERUN,
    });
  }
  return findings;
}
