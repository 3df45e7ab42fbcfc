/**
 * Where agents may own things: the name roots the platform declares (`platform.ownableRoots`). An
 * ownable type (data/ownable-types.ts) says what kind of resource an agent may own; a root says
 * which of them: `arn:aws:s3:::acme-agents-*`, `arn:aws:ssm:<region>:<account>:parameter/acme/agents/*`,
 * one KMS key ARN. Everything outside every root is refused (`separation/owned-root`), so the
 * platform's CloudTrail bucket, an RDS-managed secret or the Vault storage bucket cannot be claimed
 * by name. A root is in the stack's partition and account (and one of its regions), of an ownable
 * type, concrete but for one trailing `*`, at least `MIN_ROOT_NAME` characters of name before it,
 * and never covers a name AWS reserves (data/reserved-names.ts). Types whose names say nothing
 * about purpose (KMS keys, knowledge bases) are listed one resource at a time.
 *
 * Lookups are one walk of a character trie per owned entry (linear in its length), built once per
 * list of roots: no scan over all roots per agent.
 */
import { boundedCache } from "../core/bounded-cache";
import { parseArn, resourceTypeArn } from "../core/iam-catalog";
import { hasWildcard } from "../core/patterns";
import { policyVariableProblem } from "../core/grammar/strings";
import { resourceNameProblem } from "../core/grammar/resource-names";
import { RESERVED_NAMES, type ReservedName } from "./data/reserved-names";
import { ownableTypeOf } from "./ownable";

/** Characters of name a prefix root must fix before its `*`: `arn:aws:s3:::*` or `table/a*` is no root. */
export const MIN_ROOT_NAME = 4;
export const MAX_ROOTS = 500;

export interface RootScope {
  readonly partition: string;
  readonly accountId: string;
  /** Regions a regional root may be in: the platform's and its clusters'. */
  readonly regions: readonly string[];
}

const templateOf = (service: string, type: string) => resourceTypeArn(service, type);

/** The fixed part of a template's resource before its first variable (`table/`, `secret:`, `` for a bucket). */
const fixedParts = new Map<string, string>();
function fixedPart(template: string): string {
  let fixed = fixedParts.get(template);
  if (fixed === undefined) fixedParts.set(template, (fixed = readFixedPart(template)));
  return fixed;
}

function readFixedPart(template: string): string {
  const resource = /^arn:[^:]*:[^:]*:[^:]*:[^:]*:(.*)$/.exec(template)?.[1] ?? "";
  const at = resource.indexOf("${");
  return at < 0 ? resource : resource.slice(0, at);
}

type OwnedName = { readonly service: string; readonly type: string; readonly name: string };

/** Every owned entry is named two or three times (reserved names, name grammar, roots): read each once. */
const names = boundedCache<OwnedName | undefined>(50_000);

/** The resource name of an ARN of an ownable type (after `table/`, `parameter/`…), or undefined. */
function nameOf(arn: string): OwnedName | undefined {
  return names(arn, () => readName(arn));
}

function readName(arn: string): OwnedName | undefined {
  const type = ownableTypeOf(arn);
  const parsed = parseArn(arn);
  if (!type || !parsed) return undefined;
  const fixed = fixedPart(templateOf(type.service, type.type) ?? "");
  const name = parsed.resource.startsWith(fixed) ? parsed.resource.slice(fixed.length) : parsed.resource;
  return { service: type.service, type: type.type, name };
}

const RESERVED_BY_SERVICE = new Map<string, ReservedName[]>();
for (const entry of RESERVED_NAMES) RESERVED_BY_SERVICE.set(entry.service, [...(RESERVED_BY_SERVICE.get(entry.service) ?? []), entry]);

/**
 * Why a name (or, with `prefix`, every name starting with it) is one AWS reserves, or undefined.
 * A prefix is refused when it starts inside a reserved prefix or could be continued into one.
 */
function reservedProblem(service: string, type: string, name: string, prefix: boolean): string | undefined {
  const lower = name.toLowerCase();
  for (const entry of RESERVED_BY_SERVICE.get(service) ?? []) {
    if (entry.types.length && !entry.types.includes(type)) continue;
    const value = entry.value.toLowerCase();
    // A prefix root may be continued into a reserved suffix or '!': the entries owned under it are checked one by one.
    const hit =
      entry.at === "prefix"
        ? lower.startsWith(value) || (prefix && value.startsWith(lower))
        : entry.at === "suffix"
          ? !prefix && lower.endsWith(value)
          : entry.at === "exact"
            ? !prefix && lower.slice(lower.lastIndexOf("/") + 1) === value
            : lower.includes(value);
    if (hit) return `is a name AWS reserves: ${entry.why} (${entry.source})`;
  }
  return undefined;
}

/** Why an IAM role ARN names a role AWS reserves (SSO, service-linked, Organizations, Control Tower, CDK), or undefined. */
export function reservedRoleProblem(arn: string): string | undefined {
  const at = arn.indexOf(":role/");
  return at < 0 ? undefined : reservedProblem("iam", "role", arn.slice(at + ":role/".length), false);
}

/** Why an owned entry's name is one AWS reserves, or undefined. */
export function reservedOwnedProblem(entry: string): string | undefined {
  const head = entry.endsWith("/*") ? entry.slice(0, -2) : entry;
  const named = nameOf(head);
  if (!named) return undefined;
  // An S3 prefix is judged by its bucket.
  const name = named.service === "s3" ? named.name.split("/")[0] : named.name;
  return reservedProblem(named.service, named.type, name, false);
}

/** Why `root` may not be an ownable root of this stack, or null. */
export function ownableRootProblem(root: string, scope: RootScope): string | null {
  const variable = policyVariableProblem(root);
  if (variable) return variable;
  const arn = parseArn(root);
  if (!arn) return "is not an ARN";
  const type = ownableTypeOf(root);
  if (!type) return "is not of a type an agent may own (components/rules/data/ownable-types.ts)";
  const prefix = root.endsWith("*");
  const head = prefix ? root.slice(0, -1) : root;
  if (hasWildcard(head)) return "has a wildcard other than one trailing *";
  if (prefix && type.exactRoots)
    return `is a prefix, but a ${type.service} ${type.type} name (an id) says nothing about whose it is: list each one by its exact ARN`;
  if (arn.partition !== scope.partition) return `is in partition ${arn.partition}, not the stack's ${scope.partition}`;
  const template = templateOf(type.service, type.type) ?? "";
  if (template.includes("${Account}") ? arn.account !== scope.accountId : arn.account !== "")
    return `is in account ${arn.account || "(none)"}, not the stack's ${scope.accountId}`;
  if (template.includes("${Region}") ? !scope.regions.includes(arn.region) : arn.region !== "")
    return `is in region ${arn.region || "(none)"}, not one of the stack's (${scope.regions.join(", ")})`;
  const named = nameOf(head);
  if (!named) return "names no resource";
  if (prefix && named.name.length < MIN_ROOT_NAME)
    return `fixes only ${named.name.length} character(s) of name before its *; a root names at least ${MIN_ROOT_NAME} (e.g. acme-agents-*)`;
  if (!prefix && !named.name) return "names no resource";
  const bucket = named.service === "s3" ? named.name.split("/")[0] : named.name;
  return (
    reservedProblem(named.service, named.type, bucket, prefix && !named.name.includes("/")) ?? resourceNameProblem(named.service, named.name, prefix) ?? null
  );
}

interface Node {
  readonly next: Map<string, Node>;
  prefixRoot?: string;
  exactRoot?: string;
}

/** The platform's roots, as a trie: which root an owned entry lies in costs one walk of the entry. */
export class OwnableRoots {
  private readonly trie: Node = { next: new Map() };
  constructor(roots: readonly string[]) {
    for (const root of roots) {
      const prefix = root.endsWith("*");
      const head = prefix ? root.slice(0, -1) : root;
      let node = this.trie;
      for (const char of head) {
        let child = node.next.get(char);
        if (!child) node.next.set(char, (child = { next: new Map() }));
        node = child;
      }
      if (prefix) node.prefixRoot ??= root;
      else node.exactRoot ??= root;
    }
  }

  /** The root an owned entry lies in: below a prefix root, or an exact root itself or under it (`root/…`). */
  covering(entry: string): string | undefined {
    const head = entry.endsWith("/*") ? entry.slice(0, -2) : entry;
    let node: Node | undefined = this.trie;
    let i = 0;
    for (; node && i <= head.length; i++) {
      if (node.prefixRoot && i < head.length) return node.prefixRoot;
      if (node.exactRoot && (i === head.length || head[i] === "/")) return node.exactRoot;
      if (i === head.length) break;
      node = node.next.get(head[i]);
    }
    return undefined;
  }
}

const compiled = new WeakMap<readonly string[], OwnableRoots>();

/** The trie of a list of roots, built once per list. */
export function ownableRoots(roots: readonly string[]): OwnableRoots {
  let trie = compiled.get(roots);
  if (!trie) compiled.set(roots, (trie = new OwnableRoots(roots)));
  return trie;
}

/** Why an owned entry lies in no declared root (or is a reserved name), or undefined. */
export function ownedRootProblem(entry: string, roots: readonly string[]): string | undefined {
  const reserved = reservedOwnedProblem(entry);
  if (reserved) return reserved;
  const named = nameOf(entry.endsWith("/*") ? entry.slice(0, -2) : entry);
  const grammar = named && resourceNameProblem(named.service, named.name);
  if (grammar) return grammar;
  if (ownableRoots(roots).covering(entry)) return undefined;
  return roots.length === 0
    ? "lies in no ownable root: the platform declares none (platform.ownableRoots), so no agent may own anything"
    : "lies in none of the ownable roots the platform declares (platform.ownableRoots)";
}
