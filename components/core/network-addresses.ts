/**
 * IP literals and the private ranges platform traffic (agent egress, the Vault audit stream) may go
 * to. Strict forms only: a dotted quad without leading zeros, a bracket-free IPv6 literal without
 * an embedded IPv4 part or zone, so one address has one spelling.
 */
import { isIPv6 } from "node:net";

export const ipv4 = (a: number, b: number, c: number, d: number) => ((a * 256 + b) * 256 + c) * 256 + d;

/** RFC 1918 private space and RFC 6598 shared address space, as [network address, prefix length]. */
export const PRIVATE_IPV4_RANGES: ReadonlyArray<readonly [number, number]> = [
  [ipv4(10, 0, 0, 0), 8],
  [ipv4(172, 16, 0, 0), 12],
  [ipv4(192, 168, 0, 0), 16],
  [ipv4(100, 64, 0, 0), 10],
];
/** RFC 1122 loopback. */
export const LOOPBACK_IPV4_RANGE: readonly [number, number] = [ipv4(127, 0, 0, 0), 8];

/** Whether the block `address`/`prefix` lies inside one of `ranges`. */
export function ipv4BlockInside(address: number, prefix: number, ranges: ReadonlyArray<readonly [number, number]>): boolean {
  return ranges.some(([base, bits]) => prefix >= bits && Math.floor(address / 2 ** (32 - bits)) === Math.floor(base / 2 ** (32 - bits)));
}

/** A dotted quad as a number; null unless it is exactly four decimal octets 0-255 without leading zeros. */
export function parseIpv4(text: string): number | null {
  if (!/^(0|[1-9]\d{0,2})(\.(0|[1-9]\d{0,2})){3}$/.test(text)) return null;
  const octets = text.split(".").map(Number);
  if (octets.some((o) => o > 255)) return null;
  return ipv4(octets[0], octets[1], octets[2], octets[3]);
}

/** An IPv6 literal as its eight 16-bit groups; null if not IPv6, or written with an IPv4 tail or a zone. */
export function parseIpv6(text: string): number[] | null {
  if (text.length > 39 || text.includes(".") || text.includes("%") || !isIPv6(text)) return null;
  const [head, tail] = text.includes("::") ? text.split("::") : [text, undefined];
  const groups = (part: string) => (part === "" ? [] : part.split(":").map((g) => parseInt(g, 16)));
  const left = groups(head);
  if (tail === undefined) return left.length === 8 ? left : null;
  const right = groups(tail);
  return [...left, ...Array<number>(8 - left.length - right.length).fill(0), ...right];
}

/** IPv6 loopback (::1) or unique local address (fc00::/7, RFC 4193). */
export function isPrivateIpv6(groups: readonly number[]): boolean {
  const loopback = groups.slice(0, 7).every((g) => g === 0) && groups[7] === 1;
  return loopback || (groups[0] & 0xfe00) === 0xfc00;
}
