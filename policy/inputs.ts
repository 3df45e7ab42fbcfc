/**
 * Reading Pulumi resource inputs as plain data, failing closed. During preview an input that depends
 * on another resource's output is unknown: @pulumi/policy's proxy throws on access, and the engine
 * would turn that into an advisory note (waving the resource through). We record every unknown
 * path instead, so the pack can report it as a violation.
 */
import { isProxy } from "node:util/types";
import { UnknownValueError } from "@pulumi/policy";
import * as proxyModule from "@pulumi/policy/proxy";
import type { PolicyDocument } from "../components/core/iam-document";
import { documentAsEvaluated } from "../components/core/grammar/policy-variables";

/** The sentinel the Pulumi engine uses for an unknown value (`@pulumi/pulumi/runtime/rpc` unknownValue). */
export const UNKNOWN_SENTINEL = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** `@pulumi/pulumi/runtime/rpc`'s specialSigKey and specialSecretSig. */
const SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

export interface KnownInputs {
  /** The inputs with unknown values removed. */
  readonly value: Record<string, unknown>;
  /** Dotted paths of every unknown value (e.g. `policy`, `inlinePolicies.0.policy`). */
  readonly unknown: readonly string[];
}

/**
 * What @pulumi/policy's proxy module uses internally (its .d.ts declares none of it): the keys that
 * unwrap an `unknownCheckingProxy` and the sentinels its `get` trap throws on. Read from the
 * installed module so they stay in step with it; if any is missing, inputs are read through the proxy.
 */
interface ProxyInternals {
  readonly isSpecialProxy?: unknown;
  readonly getSpecialProxyTarget?: unknown;
  readonly [sentinel: string]: unknown;
}
const internals = proxyModule as unknown as ProxyInternals;
const SENTINEL_NAMES = [
  "unknownBooleanValue",
  "unknownNumberValue",
  "unknownStringValue",
  "unknownArrayValue",
  "unknownAssetValue",
  "unknownArchiveValue",
  "unknownObjectValue",
];
const PROXY_UNKNOWNS: ReadonlySet<unknown> = new Set(SENTINEL_NAMES.map((name) => internals[name]));
const UNWRAPPABLE =
  typeof internals.isSpecialProxy === "string" &&
  typeof internals.getSpecialProxyTarget === "string" &&
  SENTINEL_NAMES.every((name) => typeof internals[name] === "string") &&
  PROXY_UNKNOWNS.has(UNKNOWN_SENTINEL);

/**
 * The plain data behind @pulumi/policy's `unknownCheckingProxy`, or undefined for anything else.
 * Performance only (issue #11): every read through the proxy allocates a proxy and a path, which
 * made reading a resource's inputs cost more than checking them.
 */
export function proxyTarget(props: unknown): object | undefined {
  if (!UNWRAPPABLE || !props || typeof props !== "object" || !isProxy(props)) return undefined;
  const special = props as Record<string, unknown>;
  if (special[internals.isSpecialProxy as string] !== true) return undefined;
  const target = special[internals.getSpecialProxyTarget as string];
  return target && typeof target === "object" ? target : undefined;
}

export function readInputs(props: Record<string, unknown>): KnownInputs {
  const unknown: string[] = [];
  // Through the proxy's target, a sentinel of any kind is what the proxy would have thrown on.
  const target = proxyTarget(props);
  const isUnknown = target ? (value: unknown) => PROXY_UNKNOWNS.has(value) : (value: unknown) => value === UNKNOWN_SENTINEL;
  // Paths as linked lists, joined only for an unknown value: most inputs have none.
  type Path = { readonly key: string; readonly up: Path } | null;
  const dotted = (path: Path, key?: string): string => {
    const keys: string[] = key === undefined ? [] : [key];
    for (let at = path; at; at = at.up) keys.push(at.key);
    return keys.reverse().join(".");
  };
  const walk = (value: unknown, path: Path): unknown => {
    if (isUnknown(value)) {
      unknown.push(dotted(path));
      return undefined;
    }
    if (value === null || typeof value !== "object") return value;
    // A secret as the wire encodes it (the engine's analyzer unwraps these; registrations under mocks keep them).
    if ((value as Record<string, unknown>)[SECRET_SIG_KEY] === SECRET_SIG && "value" in value) return walk((value as { value: unknown }).value, path);
    const out: Record<string, unknown> | unknown[] = Array.isArray(value) ? [] : {};
    for (const key of Object.keys(value)) {
      let child: unknown;
      try {
        child = (value as Record<string, unknown>)[key];
      } catch (error) {
        if (!(error instanceof UnknownValueError) && !/can't be known during preview/.test(String(error))) throw error;
        unknown.push(dotted(path, key));
        continue;
      }
      const read = walk(child, { key, up: path });
      if (read !== undefined) (out as Record<string, unknown>)[key] = read;
    }
    return out;
  };
  return { value: walk(target ?? props, null) as Record<string, unknown>, unknown };
}

export const asString = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined);
export const asNumber = (value: unknown): number | undefined => (typeof value === "number" ? value : undefined);
export const asBoolean = (value: unknown): boolean | undefined => (typeof value === "boolean" ? value : undefined);
export const asStrings = (value: unknown): string[] => (Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : []);
export const asRecord = (value: unknown): Record<string, string> =>
  value && typeof value === "object" && !Array.isArray(value)
    ? Object.fromEntries(Object.entries(value).filter((entry): entry is [string, string] => typeof entry[1] === "string"))
    : {};

/**
 * An IAM policy input: a JSON string or an object, its resources as IAM evaluates them (policy
 * variables read as every value they can take: components/core/grammar/policy-variables.ts), so
 * every check after this one judges what AWS will match, not the written text. Undefined when
 * absent or not a policy.
 */
export function readPolicyDocument(value: unknown): PolicyDocument | undefined {
  let parsed: unknown = value;
  if (typeof value === "string") {
    try {
      parsed = JSON.parse(value);
    } catch {
      return undefined;
    }
  }
  if (!parsed || typeof parsed !== "object") return undefined;
  const document = parsed as { Statement?: unknown };
  const statements = Array.isArray(document.Statement) ? document.Statement : document.Statement ? [document.Statement] : undefined;
  return statements ? documentAsEvaluated({ ...(parsed as object), Statement: statements } as PolicyDocument) : undefined;
}
