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
 * `where` and `what` are computed only for a violation: locating a line re-reads the file with
 * positions, and a project of 10,000 agents makes some 200,000 claims, nearly all of which never
 * collide, so a claim holds the parts of its description rather than the text.
 */
class Claim {
  constructor(
    readonly stack: number,
    readonly where: () => string,
    /** The claimed name as the description shows it (`IAM role "x" (account 1)`), given the parts. */
    private readonly describe: (name: string, scope: string) => string,
    private readonly name: string,
    /** Who claims it: `stacks/Pulumi.dev.yaml agent triage`, or the file alone for a mount. */
    private readonly owner: Owner,
    private readonly scope = "",
  ) {}

  get what(): string {
    return `${this.describe(this.name, this.scope)} ${this.owner.preposition} ${this.owner.text}`;
  }
}

/** The stack file, agent and identity a claim is made for; its text is built on first use. */
class Owner {
  private shown: string | undefined;
  constructor(
    readonly preposition: string,
    /** The stack file (for a mount, with the Vault it is on). */
    private readonly file: string,
    /** The agent's name; none for a mount. */
    private readonly agent?: string,
    private readonly identity?: string,
  ) {}

  get text(): string {
    this.shown ??=
      this.agent === undefined ? this.file : this.identity === undefined ? `${this.file} agent ${this.agent}` : `${this.file} ${this.agent}/${this.identity}`;
    return this.shown;
  }
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
 * pair of places. A key claimed once (nearly all of them) holds its claim without a list.
 *
 * A key is a scope (`<account>`, `<vault>|policy`) and a name in it, looked up in two steps rather
 * than as one concatenated string: a project of 10,000 agents makes some 200,000 claims, and a new
 * key string per claim (built, hashed, kept until the end) cost 14% of these rules' instructions
 * over 50 stacks of 200 agents. The names are the plan's own strings, which its stack keeps anyway.
 */
class ClaimTable {
  private readonly claims = new Map<string, Map<string, Claim | Claim[]>>();
  readonly violations: OrganisationViolation[] = [];

  constructor(
    private readonly rule: string,
    private readonly fix: string,
  ) {}

  claim(scope: string, name: string, claim: Claim): void {
    let names = this.claims.get(scope);
    if (!names) this.claims.set(scope, (names = new Map()));
    const existing = names.get(name);
    if (!existing) {
      names.set(name, claim);
      return;
    }
    const earlier = Array.isArray(existing) ? existing : [existing];
    const other = earlier.find((c) => c.stack !== claim.stack);
    if (other && !earlier.some((c) => c.stack === claim.stack)) {
      this.violations.push({ rule: this.rule, message: `${claim.what} collides with ${other.what}`, fix: this.fix, places: [other.where(), claim.where()] });
    }
    if (Array.isArray(existing)) existing.push(claim);
    else names.set(name, [existing, claim]);
  }
}

const SECRET_ROOTS = (plan: FleetPlan) => [plan.platform.vault.kvMount, plan.platform.vault.databaseMount, plan.platform.vault.awsMount].map((m) => `${m}/`);

/** The region of an ARN (`arn:partition:service:region:…`), as `arn.split(":")[3]` reads it. */
function arnRegion(arn: string): string | undefined {
  let start = 0;
  for (let field = 0; field < 3; field++) {
    const colon = arn.indexOf(":", start);
    if (colon < 0) return undefined;
    start = colon + 1;
  }
  const end = arn.indexOf(":", start);
  return end < 0 ? arn.slice(start) : arn.slice(start, end);
}

const described = {
  logGroup: (name: string) => `audit log group "${name}"`,
  namespace: (name: string, cluster: string) => `namespace "${name}" on cluster ${cluster}`,
  iamRole: (name: string, account: string) => `IAM role "${name}" (account ${account})`,
  serviceAccount: (name: string, cluster: string) => `ServiceAccount "${name}" on cluster ${cluster}`,
  vaultPolicy: (name: string) => `Vault policy "${name}"`,
  vaultPath: (path: string) => `Vault path "${path}"`,
  authRole: (role: string, backend: string) => `Vault auth role "auth/${backend}/role/${role}"`,
  secretRole: (role: string, backend: string) => `Vault secret role "${backend}/roles/${role}"`,
  mount: (path: string) => `mount "${path}"`,
  owned: (arn: string) => `"${arn}"`,
};

/**
 * The organisation-wide rules over stacks given one at a time, in the project's order: `check --all`
 * adds each stack as soon as it and every stack before it are planned, so the rules run while the
 * later stacks are still planning. What it reports, and in which order, does not depend on when
 * stacks are added, only on their order.
 */
export class OrganisationIndex {
  private stacks = 0;
  private readonly iam = new ClaimTable(
    "organisation/iam-name-unique",
    "give the stacks different `namePrefix` or `environment`, or move one to another account",
  );
  private readonly logs = new ClaimTable(
    "organisation/log-group-unique",
    "give the stacks different `namePrefix` or `environment`, or move one to another account or region",
  );
  private readonly vaultNames = new ClaimTable(
    "organisation/vault-name-unique",
    "give the stacks different `namePrefix` or `environment`, or declare `platform.vault.address` if they use different Vaults",
  );
  private readonly clusters = new ClaimTable(
    "organisation/namespace-unique",
    "give the stacks different `namePrefix` or `environment`, or run them on different clusters",
  );
  private readonly mountUse = new Map<string, { use: string; where: () => string; stack: number; file: string }>();
  private readonly mountViolations: OrganisationViolation[] = [];
  private readonly owned = new ResourceIndex<Claim>();
  private readonly vaultPaths = new Map<string, ResourceIndex<Claim>>();
  private readonly pathViolations: OrganisationViolation[] = [];
  private readonly ownsViolations: OrganisationViolation[] = [];

  private useMount(vault: string, path: string, use: string, stack: number, where: () => string, file: string): void {
    const key = `${vault}|${path}`;
    const seen = this.mountUse.get(key);
    if (!seen) {
      this.mountUse.set(key, { use, where, stack, file });
      return;
    }
    if (seen.use !== use && seen.stack !== stack) {
      this.mountViolations.push({
        rule: "organisation/vault-mount-consistent",
        message: `Vault mount "${path}" is ${use} in ${file} but ${seen.use} in ${seen.file}, on ${vaultName(vault)}`,
        fix: "use one mount per engine on a shared Vault, configured the same in every stack file that names it",
        places: [seen.where(), where()],
      });
    }
  }

  /** The next stack of the project. */
  add(input: StackPlanInput): void {
    const stack = this.stacks++;
    const { plan, locate, file } = input;
    const { platform } = plan;
    const { iam, logs, vaultNames, clusters, owned, vaultPaths } = this;
    const account = `${platform.aws.partition}:${platform.aws.accountId}`;
    const accountId = platform.aws.accountId;
    const vault = vaultScope(plan);
    const clustersOf = clusterLookup(clusterScopes(plan));
    const roots = SECRET_ROOTS(plan);
    const vaultIndex = vaultPaths.get(vault) ?? new ResourceIndex<Claim>();
    vaultPaths.set(vault, vaultIndex);
    const at = (path: string, label?: string) => () => locate(path, label);

    // Mounts: each path has one use on a Vault, and only one stack creates it.
    const mountsAt = at("platform.vault");
    this.useMount(vault, platform.vault.kvMount, "the KV v2 engine", stack, mountsAt, file);
    this.useMount(vault, platform.vault.databaseMount, "the database engine", stack, mountsAt, file);
    this.useMount(vault, platform.vault.awsMount, "the AWS engine", stack, mountsAt, file);
    for (const connection of platform.vault.databaseConnections) {
      this.useMount(vault, `${platform.vault.databaseMount}/config/${connection.name}`, `a ${connection.plugin} connection`, stack, mountsAt, file);
    }
    const engineRole = platform.vault.awsEngineRoleArn ?? plan.bootstrap?.awsMount?.roleArn;
    if (engineRole) this.useMount(vault, `${platform.vault.awsMount}/config/root`, `the AWS engine running as ${engineRole}`, stack, mountsAt, file);
    if (plan.bootstrap) {
      const created = [
        plan.bootstrap.kvMount.path,
        ...(plan.bootstrap.databaseMount ? [plan.bootstrap.databaseMount.path] : []),
        ...(plan.bootstrap.awsMount ? [plan.bootstrap.awsMount.path] : []),
        ...plan.bootstrap.authBackends.map((backend) => `auth/${backend.path}`),
      ];
      const creator = new Owner("created by", `${file} on ${vaultName(vault)}`);
      for (const path of created) vaultNames.claim(`${vault}|mount`, path, new Claim(stack, at("platform.bootstrap"), described.mount, path, creator));
    }

    plan.agents.forEach((agent, index) => {
      const where = () => {
        const [path, label] = agentPath(index, agent.name);
        return locate(path, label);
      };
      const owner = new Owner("of", file, agent.name);

      logs.claim(
        `${account}|${arnRegion(agent.auditLogGroup.arn)}`,
        agent.auditLogGroup.name,
        new Claim(stack, where, described.logGroup, agent.auditLogGroup.name, owner),
      );
      agent.owns.forEach((arn, ownIndex) => {
        const place = () => locate(`agents.${index}.owns.${ownIndex}`, `agents[${index}] (${agent.name}).owns[${ownIndex}]`);
        const claim = new Claim(stack, place, described.owned, arn, new Owner("owned by", file, agent.name));
        const queries = arn.endsWith("/*") ? [arn] : [arn, `${arn}/*`, `${arn}:*`];
        let seen: Set<string> | undefined;
        for (const query of queries) {
          for (const clash of owned.intersecting(query, (entry) => entry.value.stack !== stack, 4)) {
            seen ??= new Set<string>();
            if (seen.has(clash.value.what)) continue;
            seen.add(clash.value.what);
            this.ownsViolations.push({
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
          clusters.claim(`${cluster}|ns`, agent.namespace.name, new Claim(stack, where, described.namespace, agent.namespace.name, owner, cluster));
        }
      }
      for (const identity of agent.identities) {
        const who = new Owner("of", file, agent.name, identity.kind);
        for (const role of identityRoles(identity))
          iam.claim(account, role.name.toLowerCase(), new Claim(stack, where, described.iamRole, role.name, who, accountId));
        for (const cluster of clustersOf([identity])) {
          const sa = `${identity.serviceAccount.namespace}/${identity.serviceAccount.name}`;
          clusters.claim(`${cluster}|sa`, sa, new Claim(stack, where, described.serviceAccount, sa, who, cluster));
        }
        const policy = identity.vault.policy;
        if (policy) {
          vaultNames.claim(`${vault}|policy`, policy.name.toLowerCase(), new Claim(stack, where, described.vaultPolicy, policy.name, who));
          for (const rule of policy.paths) {
            if (!roots.some((root) => rule.path.startsWith(root))) continue;
            const claim = new Claim(stack, where, described.vaultPath, rule.path, who);
            for (const clash of vaultIndex.intersecting(rule.path, (entry) => entry.value.stack !== stack, 2)) {
              this.pathViolations.push({
                rule: "organisation/vault-name-unique",
                message: `${claim.what} reaches ${clash.value.what}, on ${vaultName(vault)}`,
                fix: "give the stacks different `environment`s, or declare `platform.vault.address` if they use different Vaults",
                places: [clash.value.where(), where()],
              });
            }
            vaultIndex.add(rule.path, "grant", claim);
          }
        }
        if (identity.vault.role) this.authRole(vault, identity.vault.role, stack, where, who);
        for (const role of identity.vault.additionalRoles) this.authRole(vault, role, stack, where, who);
        for (const role of identity.vault.secretRoles) {
          vaultNames.claim(`${vault}|secret|${role.backend}`, role.name, new Claim(stack, where, described.secretRole, role.name, who, role.backend));
        }
      }
    });
  }

  private authRole(vault: string, role: { readonly name: string; readonly backend: string }, stack: number, where: () => string, who: Owner): void {
    this.vaultNames.claim(`${vault}|auth|${role.backend}`, role.name, new Claim(stack, where, described.authRole, role.name, who, role.backend));
  }

  /** Every organisation-wide violation among the stacks added so far. */
  violations(): OrganisationViolation[] {
    const all = [
      ...this.iam.violations,
      ...this.logs.violations,
      ...this.ownsViolations,
      ...this.vaultNames.violations,
      ...this.pathViolations,
      ...this.mountViolations,
      ...this.clusters.violations,
    ];
    return onePerPlacePair(all);
  }
}

/** Every organisation-wide violation among the stacks' plans. */
export function organisationViolations(stacks: readonly StackPlanInput[]): OrganisationViolation[] {
  const index = new OrganisationIndex();
  for (const stack of stacks) index.add(stack);
  return index.violations();
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
