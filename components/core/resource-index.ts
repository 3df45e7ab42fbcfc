/**
 * A trie over resource names (ARNs split at `:` and `/`, Vault paths at `/`), built once per plan, so
 * "who else owns, shares or is granted this?" costs the depth of the name, not the size of the fleet.
 *
 * Each token keeps the separator that ends it (`bucket/`, `log-group:`), so `p/x` and `p:x` are
 * different paths. Matching is case-correct per service: IAM names are case-insensitive (a role
 * written `ACME-dev-...` is the same role), everything else compares exactly.
 */
import { globMatches, grantsIntersect, hasWildcard } from "./patterns";
import { GlobCandidates } from "./glob-candidates";

export type EntryKind = "owned" | "share" | "grant";

export interface IndexEntry<T> {
  /** The normalised pattern (see `normaliseResource`). */
  readonly pattern: string;
  readonly kind: EntryKind;
  /** True when the entry covers the name itself. */
  readonly self: boolean;
  /** True when the entry covers everything below the name (`x/…`, `x:…`). */
  readonly below: boolean;
  readonly value: T;
}

interface Node<T> {
  /** Made on the first child: most nodes of a fleet's trie are leaves. */
  children: Map<string, Node<T>> | undefined;
  /** Owned and shared entries whose pattern is this node's name (self and/or below). */
  here: IndexEntry<T>[];
  /** Grant entries at this node: kept apart so `containing` never walks them (many agents may be granted one bucket). */
  grants: IndexEntry<T>[];
  /** Entries with a wildcard inside a token after this node: matched by glob (see GlobCandidates); made on first use. */
  globs: GlobCandidates<IndexEntry<T>> | undefined;
}

// Most nodes of a fleet's trie hold one entry or none: their lists are shared empties until written.
const NONE: never[] = [];
const node = <T>(): Node<T> => ({ children: undefined, here: NONE, grants: NONE, globs: undefined });
function listFor<T>(target: Node<T>, kind: EntryKind): IndexEntry<T>[] {
  if (kind === "grant") return target.grants === NONE ? (target.grants = []) : target.grants;
  return target.here === NONE ? (target.here = []) : target.here;
}

/** What a concrete owned name covers below itself: `table/t` covers `table/t/stream/…`, a log group `group:…`. */
const BELOW = ["/", ":"] as const;

/** Vault paths live under their own root so they never meet an ARN. */
const VAULT_ROOT = "vault:";

/** Lower-case the parts of a name AWS compares case-insensitively. */
export function normaliseResource(value: string): string {
  if (!value.startsWith("arn:")) return `${VAULT_ROOT}${value}`;
  // arn:partition:service:region:account:resource — IAM and STS names are case-insensitive.
  const service = value.indexOf(":", 4) + 1;
  const end = value.indexOf(":", service);
  if (service === 0 || end < 0 || end - service !== 3) return value;
  const name = value.slice(service, end);
  if (name !== "iam" && name !== "sts") return value;
  // Six fields at least: two more separators after the service.
  const region = value.indexOf(":", end + 1);
  return region >= 0 && value.indexOf(":", region + 1) >= 0 ? value.toLowerCase() : value;
}

/** Split after every `:` and `/`, keeping the separator on the token it ends. */
export function tokens(normalised: string): string[] {
  const out: string[] = [];
  let start = 0;
  for (let i = 0; i < normalised.length; i++) {
    const c = normalised[i];
    if (c === ":" || c === "/") {
      out.push(normalised.slice(start, i + 1));
      start = i + 1;
    }
  }
  if (start < normalised.length) out.push(normalised.slice(start));
  return out;
}

/** Does the normalised pattern of an entry intersect the normalised query (both may hold `*`/`?`)? */
function intersects(a: string, b: string): boolean {
  if (a.startsWith(VAULT_ROOT) !== b.startsWith(VAULT_ROOT)) return false;
  return a.startsWith(VAULT_ROOT) ? grantsIntersect(a.slice(VAULT_ROOT.length), b.slice(VAULT_ROOT.length)) : grantsIntersect(a, b);
}

/**
 * Index of owned resources, shares and grants. `add` takes a pattern as written: a concrete name
 * (covering itself and, for `owned`, everything below it), a prefix ending in `/*` (covering what is
 * below), or any other pattern (stored for glob matching at its longest literal prefix).
 */
export class ResourceIndex<T> {
  private readonly root = node<T>();
  private size = 0;

  add(pattern: string, kind: EntryKind, value: T, coversBelow = kind !== "grant"): void {
    const normalised = normaliseResource(pattern);
    const parts = tokens(normalised);
    const last = parts[parts.length - 1] ?? "";
    const literal = parts.findIndex(hasWildcard);
    this.size++;
    if (literal === -1) {
      // Concrete: the entry is the name; below it are `name/` and `name:`, siblings of its node (one walk down for all three).
      const parent = this.at(parts, parts.length - 1);
      listFor(this.child(parent, last), kind).push({ pattern: normalised, kind, self: true, below: false, value });
      if (coversBelow) {
        for (const sep of BELOW)
          listFor(this.child(parent, `${last}${sep}`), kind).push({ pattern: `${normalised}${sep}*`, kind, self: false, below: true, value });
      }
      return;
    }
    if (literal === parts.length - 1 && last === "*" && parts.length > 1) {
      // `prefix/*`: everything below the prefix node.
      listFor(this.at(parts, parts.length - 1), kind).push({ pattern: normalised, kind, self: false, below: true, value });
      return;
    }
    const at = this.at(parts, literal);
    (at.globs ??= new GlobCandidates()).push({ pattern: normalised, kind, self: false, below: false, value });
  }

  get entries(): number {
    return this.size;
  }

  /** The node named by the first `depth` parts (all of them by default), made on the way. */
  private at(parts: readonly string[], depth = parts.length): Node<T> {
    let current = this.root;
    for (let i = 0; i < depth; i++) current = this.child(current, parts[i]);
    return current;
  }

  private child(parent: Node<T>, part: string): Node<T> {
    let next = parent.children?.get(part);
    if (!next) (parent.children ??= new Map()).set(part, (next = node<T>()));
    return next;
  }

  /**
   * Owned and shared entries that contain every name the pattern can match: prefixes above it, or
   * the concrete name itself (grants contain nothing). A pattern with a wildcard is contained only by an entry covering
   * everything below a literal prefix of it.
   */
  containing(pattern: string): IndexEntry<T>[] {
    const parts = tokens(normaliseResource(pattern));
    const firstWild = parts.findIndex(hasWildcard);
    const literalDepth = firstWild === -1 ? parts.length : firstWild;
    const found: IndexEntry<T>[] = [];
    let current: Node<T> | undefined = this.root;
    for (let depth = 0; depth <= literalDepth && current; depth++) {
      // A node at depth d is the name parts[0..d); entries covering below contain longer patterns.
      const exact = firstWild === -1 && depth === parts.length;
      // Below entries sit at a node ending in `/` or `:`; `x/*` matches the name `x/` itself too (an S3 folder object), as IAM reads it.
      for (const entry of current.here) if (entry.below || (entry.self && exact)) found.push(entry);
      if (depth < literalDepth) current = current.children?.get(parts[depth]);
    }
    return found;
  }

  /** Up to `limit` entries some name of which the pattern can also match. */
  intersecting(pattern: string, accept: (entry: IndexEntry<T>) => boolean = () => true, limit = 8): IndexEntry<T>[] {
    const normalised = normaliseResource(pattern);
    const parts = tokens(normalised);
    const firstWild = parts.findIndex(hasWildcard);
    const literalDepth = firstWild === -1 ? parts.length : firstWild;
    const found: IndexEntry<T>[] = [];
    let current: Node<T> | undefined = this.root;
    for (let depth = 0; depth <= literalDepth && current && found.length < limit; depth++) {
      if (depth === literalDepth && firstWild !== -1) {
        // The wildcard may reach anything below here: test every entry of the subtree by glob.
        this.scan(current, normalised, accept, found, limit);
        break;
      }
      const exact = depth === parts.length;
      // Two loops rather than one over [here, grants]: this runs at every depth of every query.
      for (const entry of current.here) {
        if (found.length >= limit) break;
        if ((entry.below || (entry.self && exact)) && accept(entry)) found.push(entry);
      }
      for (const entry of current.grants) {
        if (found.length >= limit) break;
        if ((entry.below || (entry.self && exact)) && accept(entry)) found.push(entry);
      }
      if (current.globs)
        for (const entry of current.globs.candidates(normalised)) if (accept(entry) && intersects(entry.pattern, normalised)) found.push(entry);
      if (depth < literalDepth) current = current.children?.get(parts[depth]);
    }
    return found.slice(0, limit);
  }

  /** Everything below a node whose pattern meets `normalised` (a wildcard query reaches the whole subtree). */
  private scan(start: Node<T>, normalised: string, accept: (entry: IndexEntry<T>) => boolean, found: IndexEntry<T>[], limit: number): void {
    const stack: Array<Node<T>> = [start];
    while (stack.length && found.length < limit) {
      const current = stack.pop()!;
      for (const list of [current.here, current.grants, current.globs?.all() ?? NONE]) {
        for (const entry of list) {
          if (found.length >= limit) return;
          if (accept(entry) && intersects(entry.pattern, normalised)) found.push(entry);
        }
      }
      if (current.children) for (const child of current.children.values()) stack.push(child);
    }
  }
}

/**
 * Does a granted pattern reach a name an entry covers: the entry itself, and for an owned
 * concrete name everything below it (a DynamoDB table's streams, indexes, backups and exports)?
 * The index's own reading (`add`, `intersecting`), for one pair; the pack's reach of principals
 * that are not agents (policy/aws-reach.ts) asks it.
 */
export function reachesEntry(granted: string, entry: string, coversBelow: boolean): boolean {
  const query = normaliseResource(granted);
  const target = normaliseResource(entry);
  if (intersects(target, query)) return true;
  return coversBelow && !hasWildcard(target) && BELOW.some((sep) => intersects(`${target}${sep}*`, query));
}

/**
 * Does an excluding pattern (a NotResource) match every name an entry covers? Read narrowly: a
 * concrete name by glob; a prefix (`x/*`, or what an owned name covers below it) only when the
 * pattern is a literal prefix of it followed by `*`. Anything else is not excluded.
 */
export function coversEntry(pattern: string, entry: string, coversBelow: boolean): boolean {
  if (pattern === "*") return true;
  const excluding = normaliseResource(pattern);
  const target = normaliseResource(entry);
  const coversPrefix = (prefix: string) => excluding.endsWith("*") && !hasWildcard(excluding.slice(0, -1)) && prefix.startsWith(excluding.slice(0, -1));
  if (hasWildcard(target)) return target.endsWith("*") && !hasWildcard(target.slice(0, -1)) && coversPrefix(target.slice(0, -1));
  return globMatches(excluding, target) && (!coversBelow || BELOW.every((sep) => coversPrefix(`${target}${sep}`)));
}

/** Does `pattern` (IAM glob) match the concrete name, case-correctly per service? */
export function resourceMatches(pattern: string, name: string): boolean {
  return globMatches(normaliseResource(pattern), normaliseResource(name));
}
