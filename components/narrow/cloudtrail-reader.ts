/**
 * Reads CloudTrail as delivered to S3 (gzip or plain `{"Records": [...]}` files, in folders, or the
 * single-event form) into the few fields attribution needs. Every value is untrusted: only strings
 * of bounded length are kept, nothing is merged into an object, and a malformed record is
 * counted and skipped, never fatal.
 */
import { listInputFiles, textChunks } from "./input-files";
import { DEFAULT_RECORD_LIMITS, jsonRecords, type RecordLimits } from "./json-records";

export interface TrailEvent {
  readonly time: string;
  readonly source: string;
  readonly name: string;
  readonly region: string;
  readonly account: string | null;
  readonly errorCode: string | null;
  /** `userIdentity.arn`: the assumed-role session ARN (role and session name). */
  readonly principalArn: string | null;
  /** `userIdentity.sessionContext.sessionIssuer.arn`: the role. */
  readonly issuerArn: string | null;
  readonly accessKeyId: string | null;
  /** ARNs from `resources[]`. */
  readonly resources: readonly string[];
  /** `requestParameters` as parsed (read field by field, never spread). */
  readonly request: unknown;
  /** AssumeRole only: `requestParameters.tags` as key → value, and the minted key. */
  readonly sessionTags: ReadonlyMap<string, string> | null;
  readonly mintedAccessKeyId: string | null;
}

export interface ReadProblem {
  readonly file: string;
  readonly message: string;
}

/** The longest string kept from any field (ARNs are at most 2,048 characters). */
export const MAX_FIELD = 2048;
const MAX_RESOURCES = 50;
const MAX_TAGS = 50;

export function field(value: unknown, key: string): unknown {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return undefined;
  // Own properties only: a record's `__proto__` or `constructor` key is data, never the prototype.
  return Object.prototype.hasOwnProperty.call(value, key) ? (value as Record<string, unknown>)[key] : undefined;
}

export function text(value: unknown): string | null {
  return typeof value === "string" && value.length > 0 && value.length <= MAX_FIELD ? value : null;
}

/** The fields of one record, or null when it is not a CloudTrail event. */
export function toTrailEvent(record: unknown): TrailEvent | null {
  const source = text(field(record, "eventSource"));
  const name = text(field(record, "eventName"));
  const time = text(field(record, "eventTime"));
  if (!source || !name || !time) return null;
  const identity = field(record, "userIdentity");
  const issuer = field(field(field(identity, "sessionContext"), "sessionIssuer"), "arn");
  const resourcesField = field(record, "resources");
  const resources: string[] = [];
  if (Array.isArray(resourcesField)) {
    for (const entry of resourcesField.slice(0, MAX_RESOURCES)) {
      const arn = text(field(entry, "ARN")) ?? text(field(entry, "arn"));
      if (arn) resources.push(arn);
    }
  }
  const request = field(record, "requestParameters");
  let sessionTags: Map<string, string> | null = null;
  let minted: string | null = null;
  if (source === "sts.amazonaws.com" && name.startsWith("AssumeRole")) {
    const tags = field(request, "tags");
    if (Array.isArray(tags)) {
      sessionTags = new Map();
      for (const tag of tags.slice(0, MAX_TAGS)) {
        const key = text(field(tag, "key"));
        const value = text(field(tag, "value"));
        if (key && value) sessionTags.set(key, value);
      }
    }
    minted = text(field(field(field(record, "responseElements"), "credentials"), "accessKeyId"));
  }
  return {
    time,
    source,
    name,
    region: text(field(record, "awsRegion")) ?? "",
    account: text(field(record, "recipientAccountId")) ?? text(field(identity, "accountId")),
    errorCode: text(field(record, "errorCode")),
    principalArn: text(field(identity, "arn")),
    issuerArn: text(issuer),
    accessKeyId: text(field(identity, "accessKeyId")),
    resources,
    request,
    sessionTags,
    mintedAccessKeyId: minted,
  };
}

/** CloudTrail's object names end in `.json.gz`; plain `.json` copies are read too. Digest and other files in a folder are not. */
export const isTrailFileName = (name: string): boolean => /\.json(\.gz)?$/i.test(name);

export interface ReadStats {
  files: number;
  records: number;
  skipped: number;
}

/** Every event of every input (files or folders), in file order; problems go to `onProblem`. */
export async function* readCloudTrail(
  inputs: readonly string[],
  onProblem: (problem: ReadProblem) => void,
  stats: ReadStats = { files: 0, records: 0, skipped: 0 },
  limits: RecordLimits = DEFAULT_RECORD_LIMITS,
): AsyncGenerator<TrailEvent> {
  for (const input of inputs) {
    let files: string[];
    try {
      files = await listInputFiles(input, isTrailFileName);
    } catch (error) {
      onProblem({ file: input, message: `cannot read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})` });
      continue;
    }
    for (const file of files) {
      stats.files++;
      try {
        for await (const item of jsonRecords(textChunks(file), limits)) {
          if (item.kind === "problem") {
            stats.skipped++;
            onProblem({ file, message: item.message });
            continue;
          }
          const event = toTrailEvent(item.value);
          if (event) {
            stats.records++;
            yield event;
          } else stats.skipped++;
        }
      } catch (error) {
        onProblem({ file, message: `cannot read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})` });
      }
    }
  }
}
