/**
 * Reading Pulumi resource inputs as plain data, failing closed. During preview an input that depends
 * on another resource's output is unknown: @pulumi/policy's proxy throws on access, and the engine
 * would turn that into an advisory note (waving the resource through). We record every unknown
 * path instead, so the pack can report it as a violation.
 */
import { UnknownValueError } from "@pulumi/policy";
import type { PolicyDocument } from "../components/core/iam-document";

/** The sentinel the Pulumi engine uses for an unknown value (`@pulumi/pulumi/runtime/rpc` unknownValue). */
export const UNKNOWN_SENTINEL = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export interface KnownInputs {
  /** The inputs with unknown values removed. */
  readonly value: Record<string, unknown>;
  /** Dotted paths of every unknown value (e.g. `policy`, `inlinePolicies.0.policy`). */
  readonly unknown: readonly string[];
}

export function readInputs(props: Record<string, unknown>): KnownInputs {
  const unknown: string[] = [];
  const walk = (value: unknown, path: string[]): unknown => {
    if (value === UNKNOWN_SENTINEL) {
      unknown.push(path.join("."));
      return undefined;
    }
    if (value === null || typeof value !== "object") return value;
    const out: Record<string, unknown> | unknown[] = Array.isArray(value) ? [] : {};
    for (const key of Object.keys(value)) {
      let child: unknown;
      try {
        child = (value as Record<string, unknown>)[key];
      } catch (error) {
        if (!(error instanceof UnknownValueError) && !/can't be known during preview/.test(String(error))) throw error;
        unknown.push([...path, key].join("."));
        continue;
      }
      const read = walk(child, [...path, key]);
      if (read !== undefined) (out as Record<string, unknown>)[key] = read;
    }
    return out;
  };
  return { value: walk(props, []) as Record<string, unknown>, unknown };
}

export const asString = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined);
export const asNumber = (value: unknown): number | undefined => (typeof value === "number" ? value : undefined);
export const asBoolean = (value: unknown): boolean | undefined => (typeof value === "boolean" ? value : undefined);
export const asStrings = (value: unknown): string[] => (Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : []);
export const asRecord = (value: unknown): Record<string, string> =>
  value && typeof value === "object" && !Array.isArray(value)
    ? Object.fromEntries(Object.entries(value).filter((entry): entry is [string, string] => typeof entry[1] === "string"))
    : {};

/** An IAM policy input: a JSON string or an object. Undefined when absent or not a policy. */
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
  return statements ? ({ ...(parsed as object), Statement: statements } as PolicyDocument) : undefined;
}
