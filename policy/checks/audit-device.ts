/**
 * `vault.Audit`: judged by the same rules as `platform.bootstrap.audit` (components/core/audit-device.ts),
 * so a hand-written device is held to what the declaration may create: a file or a TCP socket to a
 * private address, never raw (`log_raw` writes every token and secret in clear), nothing else set.
 */
import { auditFilePathProblem, auditSocketAddressProblem, auditSocketTypeProblem } from "../../components/core/audit-device";
import type { Problem } from "../../components/rules/define";

export interface AuditDeviceInputs {
  readonly type?: string;
  readonly options?: Readonly<Record<string, unknown>>;
}

/** Options a file or socket device may carry; every other option (log_raw, hmac_accessor, format, ...) is refused. */
const ALLOWED_OPTIONS: Readonly<Record<string, readonly string[]>> = {
  file: ["file_path", "mode"],
  socket: ["address", "socket_type"],
};

const RULE = "vault/audit-device";

export function checkAuditDevice(name: string, inputs: AuditDeviceInputs): Problem[] {
  const problem = (message: string, fix: string): Problem[] => [{ rule: RULE, message: `audit device ${name}: ${message}`, fix }];
  const type = inputs.type;
  const options = inputs.options ?? {};
  const allowed = type === undefined ? undefined : ALLOWED_OPTIONS[type];
  if (!allowed)
    return problem(
      `type ${type ?? "(unset)"} is not a file or socket device (syslog and plugins deliver nowhere the platform reads)`,
      "declare the audit device in platform.bootstrap.audit (file or tcp socket) and let AgentPlatform create it",
    );
  const problems: Problem[] = [];
  // Vault reads log_raw with strconv.ParseBool: any of its spellings of true counts; set at all, it is refused.
  if ("log_raw" in options)
    problems.push(...problem(`sets log_raw (${String(options.log_raw)}): raw entries hold every token and secret in clear`, "remove log_raw"));
  const extra = Object.keys(options).filter((key) => key !== "log_raw" && !allowed.includes(key));
  if (extra.length) problems.push(...problem(`sets ${extra.join(", ")}, which the declared audit device never sets`, `set only ${allowed.join(", ")}`));
  const text = (key: string) => (typeof options[key] === "string" ? (options[key] as string) : undefined);
  if (type === "file") {
    const path = text("file_path");
    const why = path === undefined ? "file_path is not set" : auditFilePathProblem(path);
    if (why) problems.push(...problem(`file_path: ${why}`, "write the trail to a file on persistent storage (platform.bootstrap.audit.filePath)"));
  } else {
    const address = text("address");
    const why = address === undefined ? "address is not set" : auditSocketAddressProblem(address);
    if (why) problems.push(...problem(`address: ${why}`, "send the trail to a collector inside the VPC (platform.bootstrap.audit.address)"));
    const socketType = text("socket_type") ?? "tcp";
    const typeWhy = socketType === "tcp" ? null : (auditSocketTypeProblem(socketType) ?? `socket_type ${socketType} is not tcp`);
    if (typeWhy) problems.push(...problem(`socket_type: ${typeWhy}`, "use socket_type tcp"));
  }
  return problems;
}
