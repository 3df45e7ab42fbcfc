/**
 * Reads Vault's JSON audit log (the file device: one JSON object per line, request and response
 * entries). Vault HMACs secrets and, by default, every string in request and response data
 * (`hmac-sha256:...`); those values are never read as names. What attribution needs stays clear:
 * the request path and operation, and the auth block's metadata (the Kubernetes-auth role).
 */
import type { ReadProblem } from "./cloudtrail-reader";
import { field, text } from "./record-fields";
import { listInputFiles, textChunks } from "./input-files";

export interface VaultRequest {
  readonly time: string;
  readonly type: "request" | "response";
  readonly path: string;
  readonly operation: string;
  /** `auth.metadata.role`: the Kubernetes-auth role that logged in (null when absent or HMAC'd). */
  readonly authRole: string | null;
  /** `response.data.username` when the audit device leaves it clear; null when HMAC'd or absent. */
  readonly username: string | null;
  /** An error Vault returned (e.g. `permission denied`). */
  readonly error: string | null;
}

/** Characters one audit line may have; a longer one is skipped and reported. */
export const MAX_LINE_CHARS = 1 << 20;

export const isHmac = (value: string): boolean => value.startsWith("hmac-sha256:");

function clear(value: unknown): string | null {
  const s = text(value);
  return s && !isHmac(s) ? s : null;
}

export function toVaultRequest(entry: unknown): VaultRequest | null {
  const type = field(entry, "type");
  if (type !== "request" && type !== "response") return null;
  const request = field(entry, "request");
  const path = text(field(request, "path"));
  const time = text(field(entry, "time"));
  if (!path || !time) return null;
  const auth = field(entry, "auth");
  return {
    time,
    type,
    path,
    operation: text(field(request, "operation")) ?? "",
    authRole: clear(field(field(auth, "metadata"), "role")),
    username: clear(field(field(field(entry, "response"), "data"), "username")),
    error: text(field(entry, "error")),
  };
}

async function* lines(chunks: AsyncIterable<string>, onLong: () => void): AsyncGenerator<string> {
  let rest = "";
  let skipping = false;
  for await (const chunk of chunks) {
    let start = 0;
    for (let at = chunk.indexOf("\n"); at >= 0; at = chunk.indexOf("\n", start)) {
      if (!skipping) yield rest + chunk.slice(start, at);
      skipping = false;
      rest = "";
      start = at + 1;
    }
    if (!skipping) {
      rest += chunk.slice(start);
      if (rest.length > MAX_LINE_CHARS) {
        onLong();
        skipping = true;
        rest = "";
      }
    }
  }
  if (rest && !skipping) yield rest;
}

export async function* readVaultAudit(inputs: readonly string[], onProblem: (problem: ReadProblem) => void): AsyncGenerator<VaultRequest> {
  for (const input of inputs) {
    let files: string[];
    try {
      files = await listInputFiles(input);
    } catch (error) {
      onProblem({ file: input, message: `cannot read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})` });
      continue;
    }
    for (const file of files) {
      let bad = 0;
      try {
        for await (const line of lines(textChunks(file), () => onProblem({ file, message: `a line is longer than ${MAX_LINE_CHARS} characters: skipped` }))) {
          if (!line.trim()) continue;
          let entry: unknown;
          try {
            entry = JSON.parse(line);
          } catch {
            bad++;
            continue;
          }
          const request = toVaultRequest(entry);
          if (request) yield request;
        }
      } catch (error) {
        onProblem({ file, message: `cannot read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})` });
      }
      if (bad) onProblem({ file, message: `${bad} line(s) are not JSON: skipped` });
    }
  }
}
