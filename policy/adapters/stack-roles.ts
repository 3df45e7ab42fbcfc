/**
 * Which role references name a role or instance profile the stack itself creates
 * (stack/deploy-time-executor). A name is not enough: a Role named `platform-admin` created through
 * another provider (another account, or the same account from another region, whose create then
 * fails) says nothing about the existing `platform-admin` a task definition names. So a reference is
 * the stack's when it names a stack role or profile by name or by full ARN (partition, the account
 * of the provider it is created through, path, name) AND either the referring resource uses the
 * same provider or the referring input depends on that role's outputs. An instance profile is the
 * stack's only if the role it wraps is, judged the same way from the profile.
 */
import { asString, readInputs } from "../inputs";
import type { PackResource } from "../types";
import type { StackIndex } from "../stack-index";
import { parseRoleArn } from "./role-references";
import { decoded } from "./providers";
import { agentAccounts } from "./shared";

export const ROLE = "aws:iam/role:Role";
export const PROFILE = "aws:iam/instanceProfile:InstanceProfile";

interface StackEntity {
  readonly kind: "role" | "instance-profile";
  readonly resource: PackResource;
  readonly name: string;
  readonly path: string;
  /** For a profile: its `role` input, and whether that is unknown at preview. */
  readonly wraps?: string;
  readonly wrapsUnknown?: boolean;
}

/** Inputs that pick the provider's credentials other than by an assumed role: its account cannot be told from the stack. */
const OTHER_CREDENTIALS = ["assumeRoleWithWebIdentity", "profile", "accessKey", "secretKey", "token", "sharedCredentialsFiles", "sharedConfigFiles"];

/**
 * The accounts a provider creates in: its (last) assumed role's account, its one allowed account,
 * else the agents' account(s). Credentials chosen any other way, or unknown at preview, name no
 * account: nothing created through that provider counts as the stack's own by ARN.
 */
function providerAccounts(ix: StackIndex, provider: PackResource["provider"]): ReadonlySet<string> {
  const inputs = readInputs((provider?.props ?? {}) as Record<string, unknown>);
  const props = Object.fromEntries(Object.entries(inputs.value).map(([key, value]) => [key, decoded(value)]));
  const unknown = (key: string) => inputs.unknown.some((path: string) => path === key || path.startsWith(`${key}.`));
  if (["assumeRole", "assumeRoles", "allowedAccountIds", ...OTHER_CREDENTIALS].some(unknown)) return new Set();
  const listOf = (value: unknown) => (Array.isArray(value) ? value : value === undefined || value === null ? [] : [value]);
  const assumed = [...listOf(props.assumeRole), ...listOf(props.assumeRoles)].map((entry) =>
    entry && typeof entry === "object" ? asString((entry as { roleArn?: unknown }).roleArn) : undefined,
  );
  if (assumed.length > 0) return new Set([parseRoleArn(assumed[assumed.length - 1] ?? "")?.account ?? "<unknown>"]);
  // The provider itself refuses credentials of any other account than an only allowed one.
  const allowed = Array.isArray(props.allowedAccountIds) ? props.allowedAccountIds.filter((a): a is string => typeof a === "string") : [];
  if (allowed.length === 1) return new Set(allowed);
  const set = (value: unknown) => value !== undefined && value !== null && value !== "" && !(Array.isArray(value) && value.length === 0);
  if (OTHER_CREDENTIALS.some((key) => set(props[key]))) return new Set();
  return agentAccounts(ix);
}

/** The agents' partition(s), from the IRSA role ARNs annotated on their ServiceAccounts. */
function stackPartitions(ix: StackIndex): ReadonlySet<string> {
  const out = new Set<string>();
  for (const sa of ix.serviceAccounts) {
    const arn = parseRoleArn(sa.annotations["eks.amazonaws.com/role-arn"] ?? "");
    if (arn) out.add(arn.partition);
  }
  return out;
}

const normalPath = (path: string | undefined) => (path === undefined || path === "" ? "/" : path);

/** Judges role references against the stack's own roles and instance profiles. */
export function stackRoles(ix: StackIndex) {
  const entities: StackEntity[] = [];
  for (const entry of ix.inputs) {
    const { type } = entry.resource;
    if (type !== ROLE && type !== PROFILE) continue;
    const name = asString(entry.value.name);
    if (name === undefined) continue;
    const kind = type === ROLE ? "role" : "instance-profile";
    const wrapsUnknown = type === PROFILE && entry.unknown.some((path) => path === "role");
    entities.push({
      kind,
      resource: entry.resource,
      name: name.toLowerCase(),
      path: normalPath(asString(entry.value.path)),
      wraps: asString(entry.value.role),
      wrapsUnknown,
    });
  }
  const partitions = stackPartitions(ix);
  const dependsOn = (from: PackResource, field: string, on: PackResource) => (from.propertyDependencies?.[field] ?? []).some((d) => d.urn === on.urn);
  const sameProvider = (a: PackResource, b: PackResource) => a.provider?.urn === b.provider?.urn;

  /** The stack entity a value names, seen from `from` (its provider, its input `field`), or undefined. */
  const resolve = (from: PackResource, field: string, value: string, kinds: ReadonlyArray<StackEntity["kind"]>, depth: number): StackEntity | undefined => {
    const arn = parseRoleArn(value);
    const candidates = entities.filter((e) => {
      if (!kinds.includes(e.kind)) return false;
      const linked = dependsOn(from, field, e.resource) || sameProvider(from, e.resource);
      if (!linked) return false;
      if (!arn) return e.name === value.toLowerCase();
      return (
        arn.kind === e.kind &&
        arn.name.toLowerCase() === e.name &&
        arn.path === e.path &&
        (partitions.size === 0 || partitions.has(arn.partition)) &&
        providerAccounts(ix, e.resource.provider).has(arn.account)
      );
    });
    return candidates.find((e) => e.kind === "role" || wrapsOwn(e, depth));
  };
  const wrapsOwn = (profile: StackEntity, depth: number): boolean => {
    if (depth > 2) return false;
    if (profile.wrapsUnknown)
      return (profile.resource.propertyDependencies?.role ?? []).some((d) => d.type === ROLE && entities.some((e) => e.resource.urn === d.urn));
    return profile.wraps !== undefined && resolve(profile.resource, "role", profile.wraps, ["role"], depth + 1) !== undefined;
  };
  /** URNs of the stack roles and of the profiles whose wrapped role is the stack's. */
  const ownUrns = new Set(entities.filter((e) => e.kind === "role" || wrapsOwn(e, 0)).map((e) => e.resource.urn));

  return {
    /** Whether `value` (in input `field` of `from`) names a role or a profile the stack creates (and whose role it creates). */
    owns: (from: PackResource, field: string, value: string) => resolve(from, field, value, ["role", "instance-profile"], 0) !== undefined,
    /** Whether every resource an unknown input comes from is a stack role or an own profile. */
    ownUrns: ownUrns as ReadonlySet<string>,
  };
}
