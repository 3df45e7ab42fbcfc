/**
 * The plan records pinned by the review gate (components/core/record-pins.ts): only the pack can
 * check them, against the digests the security team's gate passes in CrossGuard configuration.
 */
import { meta, PACK } from "./define";
import { standards } from "./standards";
import type { RuleMeta } from "./types";

export const RECORDS_PINNED_RULE = "stack/records-pinned";

export const PINNED_RECORD_RULES: readonly RuleMeta[] = [
  meta(
    RECORDS_PINNED_RULE,
    "stack",
    "error",
    "When the review gate pins the plan records (`pinnedRecords` in the pack's configuration, printed by `agent-identity records` from the stack's declaration before the program runs), every agent ServiceAccount carries exactly the pinned `agent-identity.io/role-plan` and `agent-identity.io/vault-plan` records (by SHA-256), under the pinned agent and identity; an agent identity the pins do not list, a pinned identity missing from the stack, and a record absent, unknown at preview or different are refused, so a program cannot rewrite an agent's role or Vault resources together with their records. Without the configuration the records are not pinned and nothing is reported (README: Agent roles as planned).",
    standards(["NHI5"], ["ASI03"], ["L4 Deployment & Infrastructure", "L6 Security & Compliance"], ["MEASURE 2.7", "MANAGE 2.4"]),
    PACK.stack,
  ),
];
