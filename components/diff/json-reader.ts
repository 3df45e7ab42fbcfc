/**
 * Minimal checks for reading untrusted JSON in one pass, failing with the exact path of the first
 * problem (`agents[0].identities[1].iamRole.arn: expected a string`). Hand-written rather than a
 * schema library because a 1,000-agent plan is ~10 MB and is read twice per diff.
 */
import { parseDuration } from "../core/durations";

export class JsonShapeError extends Error {
  constructor(
    readonly path: string,
    readonly expected: string,
  ) {
    super(`${path || "(root)"}: expected ${expected}`);
  }
}

export type Json = Record<string, unknown>;

/** `parent.key` or `parent[3]`; built only when reporting, since reading is the hot path. */
export function at(parent: string, key?: string | number): string {
  if (key === undefined) return parent;
  return typeof key === "number" ? `${parent}[${key}]` : parent ? `${parent}.${key}` : key;
}

export function object(value: unknown, path: string, key?: string | number): Json {
  if (value === null || typeof value !== "object" || Array.isArray(value)) throw new JsonShapeError(at(path, key), "an object");
  return value as Json;
}

export function list(value: unknown, path: string, key?: string | number): unknown[] {
  if (!Array.isArray(value)) throw new JsonShapeError(at(path, key), "a list");
  return value;
}

export function string(value: unknown, path: string, key?: string | number): string {
  if (typeof value !== "string") throw new JsonShapeError(at(path, key), "a string");
  return value;
}

/** Missing or null → null. */
export function optionalString(value: unknown, path: string, key?: string | number): string | null {
  return value === undefined || value === null ? null : string(value, path, key);
}

export function strings(value: unknown, path: string, key?: string | number): string[] {
  const values = list(value, path, key);
  for (let i = 0; i < values.length; i++) if (typeof values[i] !== "string") throw new JsonShapeError(at(at(path, key), i), "a string");
  return values as string[];
}

/** IAM's string-or-list fields. */
export function stringOrStrings(value: unknown, path: string, key?: string | number): string[] {
  return typeof value === "string" ? [value] : strings(value, path, key);
}

/** Seconds: `3600`, `"3600"` or a duration such as `"1h"` (hand-written plans may use either). */
export function seconds(value: unknown, path: string, key?: string | number): number {
  if (typeof value === "number" && Number.isInteger(value) && value >= 0) return value;
  if (typeof value === "string" && /^\d+$/.test(value)) return Number(value);
  if (typeof value === "string" && /^\d+[smhd]$/.test(value)) return parseDuration(value);
  throw new JsonShapeError(at(path, key), "seconds, or a duration like 10m or 1h");
}

export function optionalSeconds(value: unknown, path: string, key?: string | number): number | undefined {
  return value === undefined || value === null ? undefined : seconds(value, path, key);
}
