/** What each rule family is about: the titles of docs/controls.md and the pack's policy descriptions. */
import type { RuleFamily } from "./types";

export const FAMILY_TITLES: Readonly<Record<RuleFamily, string>> = {
  iam: "IAM permissions",
  separation: "Separation of duties",
  trust: "Trust policies",
  kubernetes: "Kubernetes",
  vault: "Vault",
  limits: "Limits preflight",
  stack: "Stack-wide",
  lifecycle: "Lifecycle",
  context: "Context binding",
  database: "Database statements (PostgreSQL)",
  organisation: "Organisation-wide (`check --all`)",
};
