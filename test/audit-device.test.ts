/**
 * `platform.bootstrap.audit`: the Vault audit device refuses a transport that drops records unseen
 * (UDP), a receiver outside private or loopback space (IP literals in any spelling), and file paths
 * that are not the file they name.
 */
import { describe, expect, it } from "vitest";
import { auditFilePathProblem, auditSocketAddressProblem, auditSocketTypeProblem } from "../components/core/audit-device";
import { egressCidrProblem } from "../components/core/bootstrap-schema";
import { parseIpv4, parseIpv6 } from "../components/core/network-addresses";
import { DeclarationError, parseDeclaration, type DeclarationInput } from "../components/core/schema";
import { stackDeclaration } from "./helpers/fixtures";

describe("audit socket address", () => {
  it.each([
    "10.20.8.15:9090",
    "172.31.255.254:514",
    "192.168.0.1:1",
    "100.64.0.10:65535",
    "127.0.0.1:9090",
    "127.255.255.254:9090",
    "[::1]:9090",
    "[fd00::15]:9090",
    "[FC00:0:0:0:0:0:0:1]:9090",
    "audit-collector.vault.svc:9090",
    "fluentd:24224",
    "localhost:9090",
    "siem.internal.example.com:6514",
    `${"a".repeat(63)}.${"b".repeat(63)}.${"c".repeat(63)}.${"d".repeat(61)}:9090`,
  ])("accepts %s", (address) => expect(auditSocketAddressProblem(address)).toBeNull());

  it.each([
    ["8.8.8.8:53", /8\.8\.8\.8 is not a private or loopback address/],
    ["203.0.113.7:9090", /not a private or loopback address .*collector inside the VPC/],
    ["172.32.0.1:9090", /not a private or loopback/],
    ["169.254.169.254:80", /not a private or loopback/],
    ["0.0.0.0:9090", /not a private or loopback/],
    ["[2001:db8::1]:9090", /\[2001:db8::1\] is not a private or loopback/],
    ["[fe80::1]:9090", /not a private or loopback/],
    ["[::]:9090", /not a private or loopback/],
    ["[::ffff:10.0.0.1]:9090", /^host:port/],
    // IPv4 in disguise: what inet_aton would read as an address.
    ["127.1:9090", /reads as an IP address in a short, octal or hex form/],
    ["0x7f.0.0.1:9090", /reads as an IP address/],
    ["010.0.0.1:9090", /reads as an IP address/],
    ["2130706433:9090", /reads as an IP address/],
    ["8.8.8.08:9090", /reads as an IP address/],
    ["10.0.0.256:9090", /reads as an IP address/],
    ["evil.example.0x1:9090", /reads as an IP address/],
    // Not host:port, or not a DNS name.
    ["collector:0", /port 0: a port from 1 to 65535/],
    ["collector:65536", /port 65536/],
    ["collector:09090", /without leading zeros/],
    ["collector", /^host:port/],
    ["fd00::15:9090", /^host:port/],
    ["http://collector:9090", /^host:port/],
    ["-collector.svc:9090", /is not a DNS name/],
    ["collector..svc:9090", /is not a DNS name/],
    [`${"a".repeat(64)}.svc:9090`, /is not a DNS name/],
    [`${"a.".repeat(126)}bc:9090`, /^host:port/], // 254 characters: longer than a DNS name
    ["x".repeat(300) + ":1", /^host:port/],
  ])("refuses %s", (address, reason) => expect(auditSocketAddressProblem(address)).toMatch(reason));
});

describe("audit socket type and file path", () => {
  it("refuses udp, names the fix, accepts tcp", () => {
    expect(auditSocketTypeProblem("udp")).toMatch(/^udp is refused: .*loses records silently.*use socketType tcp/);
    expect(auditSocketTypeProblem("tcp")).toBeNull();
  });

  it.each(["stdout", "/vault/audit/audit.log", "/var/log/vault_audit.log", "/a"])("accepts the file path %s", (path) =>
    expect(auditFilePathProblem(path)).toBeNull(),
  );

  it.each([
    ["vault/audit.log", /an absolute path/],
    ["discard", /an absolute path/],
    ["/vault/audit/../../etc/passwd", /'\.' and '\.\.' segments are refused/],
    ["/vault/./audit.log", /'\.' and '\.\.' segments/],
    ["/vault//audit.log", /an empty segment/],
    ["/vault/audit/", /an empty segment/],
    ["/", /an absolute path|an empty segment/],
    ["/dev/null", /\/dev is not a place for a log file/],
    ["/proc/self/fd/1", /\/proc is not a place/],
    ["/vault/audit log", /an absolute path/],
  ])("refuses the file path %s", (path, reason) => expect(auditFilePathProblem(path)).toMatch(reason));
});

describe("address parsing", () => {
  it("parses only the strict spellings", () => {
    expect(parseIpv4("10.0.0.1")).toBe(0x0a000001);
    for (const text of ["10.0.0", "10.0.0.01", "1.2.3.4.5", "256.0.0.1", "0x7f.0.0.1", ""]) expect(parseIpv4(text), text).toBeNull();
    expect(parseIpv6("fd00::15")).toEqual([0xfd00, 0, 0, 0, 0, 0, 0, 0x15]);
    expect(parseIpv6("::1")).toEqual([0, 0, 0, 0, 0, 0, 0, 1]);
    expect(parseIpv6("1:2:3:4:5:6:7:8")).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    for (const text of ["::ffff:10.0.0.1", "fe80::1%eth0", "1::2::3", "12345::", "g::1"]) expect(parseIpv6(text), text).toBeNull();
  });

  it("leaves the egress CIDR rule as it was (shared private ranges)", () => {
    expect(egressCidrProblem("10.20.8.0/24")).toBeNull();
    expect(egressCidrProblem("100.64.0.0/16")).toBeNull();
    expect(egressCidrProblem("127.0.0.0/16")).toMatch(/not a private address range/);
    expect(egressCidrProblem("52.94.0.0/16")).toMatch(/not a private address range/);
  });
});

describe("the declaration", () => {
  const sandbox = stackDeclaration("sandbox");
  const withAudit = (audit: unknown): DeclarationInput => ({
    ...sandbox,
    platform: { ...sandbox.platform, bootstrap: { ...sandbox.platform.bootstrap!, audit: audit as never } },
  });
  const issues = (declaration: DeclarationInput): string[] => {
    try {
      parseDeclaration(declaration);
      return [];
    } catch (error) {
      if (!(error instanceof DeclarationError)) throw error;
      return error.issues.map((i) => `${i.path}: ${i.message}`);
    }
  };

  it("reports each audit problem once, at its field", () => {
    expect(issues(withAudit({ type: "socket", address: "10.20.8.15:9090" }))).toEqual([]);
    expect(issues(withAudit({ type: "socket", address: "10.20.8.15:9090", socketType: "udp" }))).toEqual([
      expect.stringMatching(/^platform\.bootstrap\.audit\.socketType: udp is refused/),
    ]);
    expect(issues(withAudit({ type: "socket", address: "8.8.8.8:514" }))).toEqual([
      expect.stringMatching(/^platform\.bootstrap\.audit\.address: 8\.8\.8\.8 is not a private/),
    ]);
    expect(issues(withAudit({ type: "socket", address: "not an address" }))).toEqual([
      expect.stringMatching(/^platform\.bootstrap\.audit\.address: host:port, such as/),
    ]);
    expect(issues(withAudit({ type: "file", filePath: "/dev/null" }))).toEqual([
      expect.stringMatching(/^platform\.bootstrap\.audit\.filePath: \/dev is not a place/),
    ]);
    expect(issues(withAudit({ type: "file", filePath: "relative.log" }))).toEqual([
      expect.stringMatching(/^platform\.bootstrap\.audit\.filePath: an absolute path/),
    ]);
  });
});
