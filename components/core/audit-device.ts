/**
 * `platform.bootstrap.audit`: where Vault writes its audit trail. Refused: a sink that can drop
 * records unseen (UDP, /dev/null), a path that is not the file it names, a receiver outside the
 * private network. Host names are checked for form only; nothing is resolved here.
 */
import { LOOPBACK_IPV4_RANGE, PRIVATE_IPV4_RANGES, ipv4BlockInside, isPrivateIpv6, parseIpv4, parseIpv6 } from "./network-addresses";

/** Coarse shape, also published in the JSON Schema; auditSocketAddressProblem decides. */
export const AUDIT_SOCKET_ADDRESS = /^(\[[0-9A-Fa-f:]{2,39}\]|[A-Za-z0-9.-]{1,253}):\d{1,5}$/;
export const AUDIT_FILE_PATH = /^(stdout|\/[A-Za-z0-9._/-]+)$/;
const MAX_DNS_NAME = 253;
const DNS_LABEL = /^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

const PRIVATE_LIST = "10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, 100.64.0.0/10, 127.0.0.0/8, fc00::/7 or ::1";
const privacyProblem = (host: string) =>
  `${host} is not a private or loopback address (${PRIVATE_LIST}): Vault streams every login and secret read to it; send the audit trail to a collector inside the VPC or on the Vault host`;

/**
 * Vault's socket audit device over UDP is connectionless: when the receiver is down, "any number of
 * audit logs written to it may get lost, even though the request will still succeed" and "Vault
 * does not provide an indication for the loss" (Vault docs, audit/socket). Over TCP a failed write
 * is an error Vault sees: with this one device enabled, a request it cannot audit is not served
 * (a dropped connection can still lose one entry, and an unreachable receiver blocks requests).
 */
export function auditSocketTypeProblem(socketType: string): string | null {
  if (socketType === "udp") {
    return "udp is refused: Vault's UDP socket audit device loses records silently when the receiver is down (the request still succeeds and nothing reports the loss); use socketType tcp (the default), whose write failures Vault sees";
  }
  return null;
}

/** Why `host:port` is refused as the audit receiver, or null. */
export function auditSocketAddressProblem(address: string): string | null {
  const format = "host:port, such as audit-collector.vault.svc:9090, 10.20.8.15:9090 or [fd00::15]:9090";
  if (address.length > 260 || !AUDIT_SOCKET_ADDRESS.test(address)) return format;
  const colon = address.lastIndexOf(":");
  const [host, port] = [address.slice(0, colon), address.slice(colon + 1)];
  if (!/^[1-9]\d{0,4}$/.test(port) || Number(port) > 65535) return `port ${port}: a port from 1 to 65535 without leading zeros`;
  if (host.startsWith("[")) {
    const groups = parseIpv6(host.slice(1, -1));
    if (!groups) return `${host} is not an IPv6 address (write it in brackets, without an IPv4 tail or a zone)`;
    return isPrivateIpv6(groups) ? null : privacyProblem(host);
  }
  const labels = host.split(".");
  const top = labels[labels.length - 1];
  // 127.1, 0x7f.0.0.1, 017700000001, 2130706433: resolvers (inet_aton) read these as IPv4 addresses.
  if (!/^[A-Za-z]/.test(top)) {
    const address4 = parseIpv4(host);
    if (address4 === null) {
      return `${host} reads as an IP address in a short, octal or hex form (resolvers take 127.1 or 0x7f.0.0.1 as 127.0.0.1): write a dotted quad such as 10.20.8.15, or a DNS name whose last label starts with a letter`;
    }
    return ipv4BlockInside(address4, 32, [...PRIVATE_IPV4_RANGES, LOOPBACK_IPV4_RANGE]) ? null : privacyProblem(host);
  }
  if (host.length > MAX_DNS_NAME || !labels.every((label) => DNS_LABEL.test(label))) {
    return `${host} is not a DNS name: labels of letters, digits and '-' (not first or last), at most 63 characters each and ${MAX_DNS_NAME} in all`;
  }
  return null;
}

/** Why `file_path` is refused for the file audit device, or null. */
export function auditFilePathProblem(path: string): string | null {
  if (path === "stdout") return null;
  if (!AUDIT_FILE_PATH.test(path)) return "an absolute path of letters, digits, '.', '_', '-' and '/', or stdout";
  const segments = path.slice(1).split("/");
  if (segments.includes("")) return "an empty segment ('//' or a trailing '/'): name the log file itself, not a directory";
  if (segments.some((s) => s === "." || s === "..")) return "'.' and '..' segments are refused: write the path the log file really has";
  // /dev/null is Vault's "discard" under another name; a device is not an audit trail.
  if (segments[0] === "dev" || segments[0] === "proc" || segments[0] === "sys")
    return `/${segments[0]} is not a place for a log file (/dev/null discards the trail): write it to a file on persistent storage, or stdout`;
  return null;
}
