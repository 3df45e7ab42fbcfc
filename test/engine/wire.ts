/**
 * Property values as they cross Pulumi's gRPC wire (google.protobuf.Struct decoded to JSON), and the
 * special objects the SDK and engine use inside them. Signatures from sdk/go/common/resource/sig.
 */
import { Struct } from "google-protobuf/google/protobuf/struct_pb";

/** The key of every special object. */
export const SIG_KEY = "4dabf18193072939515e22adb298388d";
export const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
export const OUTPUT_VALUE_SIG = "d0e6a833031e9bbcd3f4e8bde6ca49a4";
export const RESOURCE_REFERENCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e";
/** An unknown value (computed, not yet known at preview). */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export type WireValue = null | boolean | number | string | WireValue[] | { [key: string]: WireValue };
export type WireObject = { [key: string]: WireValue };

export function fromStruct(struct: Struct | undefined): WireObject {
  return (struct?.toJavaScript() ?? {}) as WireObject;
}

export function toStruct(value: WireObject): Struct {
  return Struct.fromJavaScript(value as Parameters<typeof Struct.fromJavaScript>[0]);
}

function isObject(value: WireValue | undefined): value is { [key: string]: WireValue } {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function isSecret(value: WireValue | undefined): boolean {
  return isObject(value) && value[SIG_KEY] === SECRET_SIG;
}

/** Marker left by `plain` where the wire held an unknown. */
export const UNKNOWN_MARKER = "<unknown>";

/**
 * The plain value a provider would receive: secrets and output values unwrapped, unknowns replaced
 * by UNKNOWN_MARKER, resource references reduced to their URN.
 */
export function plain(value: WireValue): WireValue {
  if (value === UNKNOWN) return UNKNOWN_MARKER;
  if (Array.isArray(value)) return value.map(plain);
  if (!isObject(value)) return value;
  const sig = value[SIG_KEY];
  if (sig === SECRET_SIG) return plain(value.value ?? null);
  if (sig === OUTPUT_VALUE_SIG) return "value" in value ? plain(value.value) : UNKNOWN_MARKER;
  if (sig === RESOURCE_REFERENCE_SIG) return value.urn ?? null;
  return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, plain(inner)]));
}

/** Every string that crosses the wire outside a secret wrapper (secret contents are skipped). */
export function plainTextStrings(value: WireValue, found: string[] = []): string[] {
  if (typeof value === "string") found.push(value);
  else if (Array.isArray(value)) for (const item of value) plainTextStrings(item, found);
  else if (isObject(value)) {
    if (isSecret(value)) return found;
    if (value[SIG_KEY] === OUTPUT_VALUE_SIG && value.secret === true) return found;
    for (const inner of Object.values(value)) plainTextStrings(inner, found);
  }
  return found;
}

/** True when the value is, or contains, an unknown. */
export function containsUnknown(value: WireValue): boolean {
  if (value === UNKNOWN) return true;
  if (Array.isArray(value)) return value.some(containsUnknown);
  if (!isObject(value)) return false;
  if (value[SIG_KEY] === OUTPUT_VALUE_SIG && !("value" in value)) return true;
  return Object.values(value).some(containsUnknown);
}
