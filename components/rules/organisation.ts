/**
 * Organisation-wide rules: what no single stack can see. IAM role names are global to an account,
 * log group names to an account's region, Vault policies, auth roles, secret roles and mounts to
 * one Vault, namespaces and ServiceAccounts to one cluster, and S3 bucket names to all of AWS. Two
 * stacks that each plan cleanly can still collide at `pulumi up`, or the second take over the
 * first's roles. These rules read the compiled plans of every stack of a project (`check --all`).
 */
import type { FleetPlan, IdentityPlan } from "../core/plan-types";
import { ResourceIndex } from "../core/resource-index";
import { identityRoles } from "../core/identity-roles";
import { oidcIssuer } from "../core/names";
import { DEFAULT_CLUSTER } from "../core/clusters";
import { planOnly, meta } from "./define";
import { standards } from "./standards";
import type { RuleMeta } from "./types";

const ACROSS = standards(["NHI5", "NHI9"], ["ASI03"], ["L4 Deployment & Infrastructure", "L6 Security & Compliance"], ["GOVERN 1.4", "MANAGE 2.4"]);
const ONLY_CHECK_ALL = planOnly("a policy pack sees the resources of one stack; only `agent-identity check --all` reads every stack file of the project");

export const ORGANISATION_RULES: readonly RuleMeta[] = [
  meta(
    "organisation/iam-name-unique",
    "organisation",
    "error",
    "No two stacks derive the same IAM role name in one AWS account (role names are unique per account, regardless of case).",
    ACROSS,
    ONLY_CHECK_ALL,
  ),
  meta(
    "organisation/log-group-unique",
    "organisation",
    "error",
    "No two stacks derive the same audit log group in one account and region.",
    ACROSS,
    ONLY_CHECK_ALL,
  ),
  meta(
    "organisation/owns-disjoint",
    "organisation",
    "error",
    "What agents of different stacks own is disjoint: an ARN names its account, and S3 bucket names are global to AWS, so two stacks claiming one bucket prefix collide wherever they deploy.",
    ACROSS,
    ONLY_CHECK_ALL,
  ),
  meta(
    "organisation/vault-name-unique",
    "organisation",
    "error",
    "On one Vault (`platform.vault.address`; stacks that do not declare it count as one Vault), no two stacks derive the same policy (case-insensitive), auth role or secret role, reach the same secrets path, or create the same mount.",
    ACROSS,
    ONLY_CHECK_ALL,
  ),
  meta(
    "organisation/vault-mount-consistent",
    "organisation",
    "error",
    "Stacks on one Vault use a shared mount the same way: one engine kind per path, one plugin per database connection, one role the AWS engine runs as.",
    ACROSS,
    ONLY_CHECK_ALL,
  ),
  meta(
    "organisation/namespace-unique",
    "organisation",
    "error",
    "On one cluster (the IRSA issuer, or the Pod Identity cluster), no two stacks create the same namespace or ServiceAccount.",
    ACROSS,
    ONLY_CHECK_ALL,
  ),
];

/** One stack's compiled plan, and how to point at its declaration. */
export interface StackPlanInput {
  /** Stack file as shown to the reader (`stacks/Pulumi.dev.yaml`). */
  readonly file: string;
  readonly plan: FleetPlan;
  /** `file:line: key path` of a declaration path (`agents.3.owns.0`), as `plan` reports it. */
  readonly locate: (path: string, label?: string) => string;
}

export interface OrganisationViolation {
  readonly rule: string;
  readonly message: string;
  readonly fix: string;
  /** Both places, each `file:line: key path`. */
  readonly places: readonly [string, string];
  /** Further names the same two places collide on. */
  readonly also?: readonly string[];
}

/**
 * A name one stack derives, where it comes from in the declaration, and what collides with it.
 * `where` is computed only for a violation: locating a line re-reads the file with positions.
 */
interface Claim {
  readonly stack: number;
  readonly where: () => string;
  readonly what: string;
}

const agentPath = (index: number, name: string): [string, string] => [`agents.${index}`, `agents[${index}] (${name})`];

/**
 * The Vault a stack's names live on: `host:port` of its declared address (WHATWG URL parsing),
 * or one shared "undeclared" Vault. The scheme is not part of it (http and https on one host and
 * port reach one server), the host is lower-cased with a trailing dot dropped (`vault.acme.` is
 * `vault.acme`), and the port defaults by scheme.
 */
export function vaultScope(plan: FleetPlan): string {
  const address = (plan.platform.vault as { address?: string }).address;
  if (!address) return "undeclared";
  const url = new URL(address);
  const host = url.hostname.toLowerCase().replace(/\.+$/, "");
  return `${host}:${url.port || (url.protocol === "https:" ? "443" : "80")}`;
}

const vaultName = (scope: string) => (scope === "undeclared" ? "the one Vault of every stack without platform.vault.address" : `Vault ${scope}`);

/** The cluster each of the platform's cluster names stands for, across stacks. */
function clusterScopes(plan: FleetPlan): Map<string, string> {
  const { platform } = plan;
  const scopes = new Map<string, string>();
  if (!platform.clusters) {
    if (platform.aws.oidcProviderArn) scopes.set(DEFAULT_CLUSTER, `irsa:${oidcIssuer(platform.aws.oidcProviderArn)}`);
    return scopes;
  }
  for (const cluster of platform.clusters) {
    scopes.set(
      cluster.name,
      cluster.binding === "irsa" && cluster.oidcProviderArn
        ? `irsa:${oidcIssuer(cluster.oidcProviderArn)}`
        : `eks:${platform.aws.partition}:${platform.aws.accountId}:${cluster.region}:${cluster.clusterName ?? cluster.name}`,
    );
  }
  return scopes;
}

/**
 * Records claims on keys and reports every pair of different stacks claiming one key. Within a
 * stack the plan's own rules judge duplicates; this reports only what crosses stacks, once per
 * pair of places.
 */
class ClaimTable {
  private readonly claims = new Map<string, Claim[]>();
  readonly violations: OrganisationViolation[] = [];

  constructor(
    private readonly rule: string,
    private readonly fix: string,
  ) {}

  claim(key: string, claim: Claim): void {
    const existing = this.claims.get(key);
    if (!existing) {
      this.claims.set(key, [claim]);
      return;
    }
    const other = existing.find((c) => c.stack !== claim.stack);
    if (other && !existing.some((c) => c.stack === claim.stack)) {
      this.violations.push({ rule: this.rule, message: `${claim.what} collides with ${other.what}`, fix: this.fix, places: [other.where(), claim.where()] });
    }
    existing.push(claim);
  }
}

const SECRET_ROOTS = (plan: FleetPlan) => [plan.platform.vault.kvMount, plan.platform.vault.databaseMount, plan.platform.vault.awsMount].map((m) => `${m}/`);

/** Every organisation-wide violation among the stacks' plans. */
export function organisationViolations(stacks: readonly StackPlanInput[]): OrganisationViolation[] {
  const iam = new ClaimTable("organisation/iam-name-unique", "give the stacks different `namePrefix` or `environment`, or move one to another account");
  const logs = new ClaimTable(
    "organisation/log-group-unique",
    "give the stacks different `namePrefix` or `environment`, or move one to another account or region",
  );
  const vaultNames = new ClaimTable(
    "organisation/vault-name-unique",
    "give the stacks different `namePrefix` or `environment`, or declare `platform.vault.address` if they use different Vaults",
  );
  const clusters = new ClaimTable(
    "organisation/namespace-unique",
    "give the stacks different `namePrefix` or `environment`, or run them on different clusters",
  );
  const mountUse = new Map<string, { use: string; where: () => string; stack: number; file: string }>();
  const mountViolations: OrganisationViolation[] = [];
  const owned = new ResourceIndex<Claim>();
  const vaultPaths = new Map<string, ResourceIndex<Claim>>();
  const pathViolations: OrganisationViolation[] = [];
  const ownsViolations: OrganisationViolation[] = [];

  const useMount = (vault: string, path: string, use: string, stack: number, where: () => string, file: string) => {
    const key = `${vault}|${path}`;
    const seen = mountUse.get(key);
    if (!seen) {
      mountUse.set(key, { use, where, stack, file });
      return;
    }
    if (seen.use !== use && seen.stack !== stack) {
      mountViolations.push({
        rule: "organisation/vault-mount-consistent",
        message: `Vault mount "${path}" is ${use} in ${file} but ${seen.use} in ${seen.file}, on ${vaultName(vault)}`,
        fix: "use one mount per engine on a shared Vault, configured the same in every stack file that names it",
        places: [seen.where(), where()],
      });
    }
  };

  stacks.forEach((input, stack) => {
    const { plan, locate, file } = input;
    const { platform } = plan;
    const account = `${platform.aws.partition}:${platform.aws.accountId}`;
    const vault = vaultScope(plan);
    const clustersOf = clusterLookup(clusterScopes(plan));
    const roots = SECRET_ROOTS(plan);
    const vaultIndex = vaultPaths.get(vault) ?? new ResourceIndex<Claim>();
    vaultPaths.set(vault, vaultIndex);
    const at = (path: string, label?: string) => () => locate(path, label);

    // Mounts: each path has one use on a Vault, and only one stack creates it.
    const mountsAt = at("platform.vault");
    useMount(vault, platform.vault.kvMount, "the KV v2 engine", stack, mountsAt, file);
    useMount(vault, platform.vault.databaseMount, "the database engine", stack, mountsAt, file);
    useMount(vault, platform.vault.awsMount, "the AWS engine", stack, mountsAt, file);
    for (const connection of platform.vault.databaseConnections) {
      useMount(vault, `${platform.vault.databaseMount}/config/${connection.name}`, `a ${connection.plugin} connection`, stack, mountsAt, file);
    }
    const engineRole = platform.vault.awsEngineRoleArn ?? plan.bootstrap?.awsMount?.roleArn;
    if (engineRole) useMount(vault, `${platform.vault.awsMount}/config/root`, `the AWS engine running as ${engineRole}`, stack, mountsAt, file);
    if (plan.bootstrap) {
      const created = [
        plan.bootstrap.kvMount.path,
        ...(plan.bootstrap.databaseMount ? [plan.bootstrap.databaseMount.path] : []),
        ...(plan.bootstrap.awsMount ? [plan.bootstrap.awsMount.path] : []),
        ...plan.bootstrap.authBackends.map((backend) => `auth/${backend.path}`),
      ];
      for (const path of created) {
        vaultNames.claim(`${vault}|mount|${path}`, {
          stack,
          where: at("platform.bootstrap"),
          what: `mount "${path}" created by ${file} on ${vaultName(vault)}`,
        });
      }
    }

    plan.agents.forEach((agent, index) => {
      const [path, label] = agentPath(index, agent.name);
      const where = at(path, label);
      const named = (what: string) => ({ stack, where, what: `${what} of ${file} agent ${agent.name}` });

      logs.claim(`${account}|${agent.auditLogGroup.arn.split(":")[3]}|${agent.auditLogGroup.name}`, named(`audit log group "${agent.auditLogGroup.name}"`));
      agent.owns.forEach((arn, ownIndex) => {
        const place = at(`agents.${index}.owns.${ownIndex}`, `agents[${index}] (${agent.name}).owns[${ownIndex}]`);
        const claim = { stack, where: place, what: `"${arn}" owned by ${file} agent ${agent.name}` };
        const queries = arn.endsWith("/*") ? [arn] : [arn, `${arn}/*`, `${arn}:*`];
        const seen = new Set<string>();
        for (const query of queries) {
          for (const clash of owned.intersecting(query, (entry) => entry.value.stack !== stack, 4)) {
            if (seen.has(clash.value.what)) continue;
            seen.add(clash.value.what);
            ownsViolations.push({
              rule: "organisation/owns-disjoint",
              message: `${claim.what} overlaps ${clash.value.what}`,
              fix: "an owned resource belongs to one agent of one stack; give each stack its own buckets, prefixes and tables",
              places: [clash.value.where(), place()],
            });
          }
        }
        owned.add(arn, "owned", claim);
      });

      if (agent.namespace.create) {
        for (const cluster of clustersOf(agent.identities)) {
          clusters.claim(`${cluster}|ns|${agent.namespace.name}`, named(`namespace "${agent.namespace.name}" on cluster ${cluster}`));
        }
      }
      for (const identity of agent.identities) {
        const who = `${agent.name}/${identity.kind}`;
        const id = (what: string) => ({ stack, where, what: `${what} of ${file} ${who}` });
        for (const role of identityRoles(identity))
          iam.claim(`${account}|${role.name.toLowerCase()}`, id(`IAM role "${role.name}" (account ${platform.aws.accountId})`));
        for (const cluster of clustersOf([identity])) {
          const sa = `${identity.serviceAccount.namespace}/${identity.serviceAccount.name}`;
          clusters.claim(`${cluster}|sa|${sa}`, id(`ServiceAccount "${sa}" on cluster ${cluster}`));
        }
        if (identity.vault.policy) {
          vaultNames.claim(`${vault}|policy|${identity.vault.policy.name.toLowerCase()}`, id(`Vault policy "${identity.vault.policy.name}"`));
          for (const rule of identity.vault.policy.paths) {
            if (!roots.some((root) => rule.path.startsWith(root))) continue;
            const claim = id(`Vault path "${rule.path}"`);
            for (const clash of vaultIndex.intersecting(rule.path, (entry) => entry.value.stack !== stack, 2)) {
              pathViolations.push({
                rule: "organisation/vault-name-unique",
                message: `${claim.what} reaches ${clash.value.what}, on ${vaultName(vault)}`,
                fix: "give the stacks different `environment`s, or declare `platform.vault.address` if they use different Vaults",
                places: [clash.value.where(), where()],
              });
            }
            vaultIndex.add(rule.path, "grant", claim);
          }
        }
        for (const role of [...(identity.vault.role ? [identity.vault.role] : []), ...identity.vault.additionalRoles]) {
          vaultNames.claim(`${vault}|auth|${role.backend}/role/${role.name}`, id(`Vault auth role "auth/${role.backend}/role/${role.name}"`));
        }
        for (const role of identity.vault.secretRoles) {
          vaultNames.claim(`${vault}|secret|${role.backend}/roles/${role.name}`, id(`Vault secret role "${role.backend}/roles/${role.name}"`));
        }
      }
    });
  });

  const all = [
    ...iam.violations,
    ...logs.violations,
    ...ownsViolations,
    ...vaultNames.violations,
    ...pathViolations,
    ...mountViolations,
    ...clusters.violations,
  ];
  return onePerPlacePair(all);
}

/**
 * One violation per rule and pair of places: an agent declared in two stacks collides on each of
 * its roles, paths and ServiceAccounts; the first is shown, the rest counted (and listed in `also`).
 */
function onePerPlacePair(violations: readonly OrganisationViolation[]): OrganisationViolation[] {
  const groups = new Map<string, OrganisationViolation[]>();
  for (const violation of violations) {
    const key = `${violation.rule}\u0000${violation.places[0]}\u0000${violation.places[1]}`;
    const group = groups.get(key);
    if (group) group.push(violation);
    else groups.set(key, [violation]);
  }
  return [...groups.values()].map(([first, ...rest]) =>
    rest.length ? { ...first, message: `${first.message} (and ${rest.length} more name(s) of the same two entries)`, also: rest.map((v) => v.message) } : first,
  );
}

/**
 * The clusters (as cross-stack scopes) identities' ServiceAccounts exist in. A stack's agents bind
 * to the same few cluster lists, so each list is resolved once per stack (the table lives only
 * while that stack is read).
 */
function clusterLookup(scopes: Map<string, string>): (identities: readonly IdentityPlan[]) => readonly string[] {
  const resolved = new Map<string, readonly string[]>();
  return (identities) => {
    const names = new Set<string>();
    for (const identity of identities) {
      if (!identity.bindings.length) names.add(DEFAULT_CLUSTER);
      for (const binding of identity.bindings) names.add(binding.cluster);
    }
    const key = [...names].join("\u0000");
    let clusters = resolved.get(key);
    if (!clusters) {
      clusters = [...names].map((name) => scopes.get(name) ?? scopes.get(DEFAULT_CLUSTER) ?? `cluster:${name}`);
      resolved.set(key, clusters);
    }
    return clusters;
  };
}
