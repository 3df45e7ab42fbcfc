/**
 * The pack's shared types, in one module every other pack module imports (and that imports none of
 * them): a resource as the pack sees it, a finding, and the shape of a resource adapter.
 */
import type { IdentityKind } from "../components/core/names";
import type { Problem } from "../components/rules/define";
import type { PolicyDocument } from "../components/core/iam-document";
import type { KnownInputs } from "./inputs";
import type { NodeAccessGrant } from "./node-access-config";
import type { StackIndex } from "./stack-index";
import type { TrailBucketScope } from "./trail-buckets-config";
import type { RunRoles } from "./run-roles";

/** A resource as the pack sees it (from `validateResource` args or a stack's resource list). */
export interface PackResource {
  readonly type: string;
  readonly name: string;
  readonly urn: string;
  readonly props: Record<string, unknown>;
  /** Which resources each input came from (stack validation only): resolves inputs unknown at preview. */
  readonly propertyDependencies?: Readonly<Record<string, readonly PackResource[]>>;
  /** The explicit or default provider it is created through, as the engine sends it. */
  readonly provider?: Pick<PackResource, "type" | "name" | "urn" | "props">;
}

/** What the checks need besides the resources: the date expiry is judged against. */
export interface PackContext {
  readonly now: Date;
  /** The roles this deployment registered before this resource (run-roles.ts); absent outside the engine's resource pass. */
  readonly run?: RunRoles;
}

/**
 * A violation found by the pack, as `plan` reports one: the agent and identity it is about (null
 * identity when the resource reaches no single identity), the tool when one is known, the rule, what
 * is wrong and the fix, and the resource it was found on.
 */
export interface PackFinding extends Problem {
  readonly agent: string;
  readonly identity: IdentityKind | null;
  readonly tool?: string | null;
  readonly urn: string;
  /** A non-agent subject whose rights a platform operator declaration may cover (kubernetesOperators; read-only rights only). */
  readonly operatorSubject?: string;
  /** A platform resource a kubernetesPlatformResources declaration may cover (`<type>::<name>`). */
  readonly platformResource?: string;
  /** One grant of one workload beyond the Pod Security baseline a kubernetesNodeAccess declaration may cover (node-access-config.ts). */
  readonly nodeAccess?: NodeAccessGrant;
  /** A setting or grant on a bucket that may hold a CloudTrail record: the auditTrailBuckets configuration decides whether it stands (trail-buckets-config.ts). */
  readonly trailBucket?: TrailBucketScope;
}

/** A problem of one resource, with what a security-team declaration may cover (platform resource, node access grant). */
export type ResourceProblem = Problem & Pick<PackFinding, "platformResource" | "nodeAccess" | "trailBucket">;

/**
 * One resource type an adapter reads (or names as out of scope), with what it reads of it. The
 * route table, `TYPES`, the required-inputs lists and docs/controls.md are generated from these.
 */
export interface TypeEntry {
  /** Pulumi type token; a pattern in words (`vault:* with …`) when `matches` decides. */
  readonly type: string;
  /** Short name used in code (`TYPES.<key>`); only for exact tokens. */
  readonly key?: string;
  /** How the type reaches an agent identity. */
  readonly route: string;
  /** Inputs that must be known and present for the checks to run. */
  readonly required?: readonly string[];
  /** Inputs read when present: unknown at preview is reported, absent is fine. */
  readonly readIfSet?: readonly string[];
  /**
   * Inputs inside a read field whose value no check reads, only whether it is set (a password):
   * unknown at preview is not reported, since it will hold a value; the per-resource pass runs again
   * at update, before the resource is created, and judges the value then (an empty one is refused).
   */
  readonly setnessOnly?: readonly string[];
  /** Where an agent's owner, expiry and tier live on it (unknown at preview is reported). */
  readonly agentMetadata?: readonly string[];
  /** Rule ids that judge it. */
  readonly checkedBy?: readonly string[];
  /** Why the pack does not read it (exactly one of checkedBy and outOfScope). */
  readonly outOfScope?: string;
}

/**
 * A resource family: its types, how it maps into the holdings model, its per-resource check (run by
 * the engine before the resource is created) and its stack check (only where one resource cannot tell).
 */
export interface Adapter {
  /** File-sized family name, e.g. `iam-roles`. */
  readonly family: string;
  readonly types: readonly TypeEntry[];
  /** How the family maps into the holdings model (IdentityHoldings / AgentOwnership), in words; "none" if it does not. */
  readonly holdings: string;
  /**
   * Types decided by a predicate rather than listed (a type entry names them in words): custom
   * resources carrying pod templates, types of provider packages the pack does not read.
   */
  readonly matchesType?: (type: string) => boolean;
  /** Problems of one resource from its inputs alone. */
  readonly check?: (resource: PackResource, inputs: KnownInputs, context: PackContext) => readonly ResourceProblem[];
  /**
   * Findings only the whole stack can show (which role an attachment names, who else holds a path).
   * Runs in adapter order; an adapter that adds policy documents to an agent role's holdings runs
   * before the holdings are judged.
   */
  readonly stack?: (ix: StackIndex, pass: StackPass) => void;
}

/** What the stack checks of every adapter write into. */
export interface StackPass {
  readonly findings: PackFinding[];
  /** Policy documents reaching each agent role (by lower-cased name) through attachments and resource policies. */
  readonly extraPolicies: Map<string, PolicyDocument[]>;
  /** Of those, the managed policies attached to each agent role (by lower-cased name): compared with the role's plan (agent-role-plan). */
  readonly attachedPolicies: Map<string, PolicyDocument[]>;
  /** Each agent ServiceAccount's plan records, digested, for the pins of the pack's configuration (adapters/pinned-records.ts). */
  readonly records: SeenRecords[];
}

/**
 * One agent ServiceAccount's plan records as the stack carries them: each record's SHA-256, null when
 * the annotation is absent, "unknown" when it (or the ServiceAccount's metadata) is unknown at preview.
 */
export interface SeenRecords {
  readonly urn: string;
  readonly agent: string;
  readonly identity: IdentityKind;
  readonly namespace: string;
  readonly name: string;
  readonly rolePlan: string | null | "unknown";
  readonly vaultPlan: string | null | "unknown";
}
