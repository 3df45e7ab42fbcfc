/**
 * Reads CloudTrail as delivered to S3 (gzip or plain `{"Records": [...]}` files, in folders, or the
 * single-event form) into the few fields attribution needs. Every value is untrusted: only strings
 * of bounded length are kept, nothing is merged into an object, and a malformed record is
 * counted and skipped, never fatal.
 */
import { listInputFiles, textChunks } from "./input-files";
import { DEFAULT_RECORD_LIMITS, RecordScanner, type RecordItem, type RecordLimits } from "./json-records";
import { field, text } from "./record-fields";
import { requestResources } from "./resources";
import { readInWorkers, workersAvailable } from "./trail-workers";

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
  /** The resources the call touched: ARNs from `resources[]`, else the ARN its request parameters name (resources.ts). */
  readonly resources: readonly string[];
  /** AssumeRole only: `requestParameters.roleArn`, the role assumed. */
  readonly roleArn: string | null;
  /** AssumeRole only: `requestParameters.tags` as key → value, and the minted key. */
  readonly sessionTags: ReadonlyMap<string, string> | null;
  readonly mintedAccessKeyId: string | null;
}

export interface ReadProblem {
  readonly file: string;
  readonly message: string;
}

export { MAX_FIELD } from "./record-fields";
const MAX_RESOURCES = 50;
const MAX_TAGS = 50;

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
  const principalArn = text(field(identity, "arn"));
  const region = text(field(record, "awsRegion")) ?? "";
  const account = text(field(record, "recipientAccountId")) ?? text(field(identity, "accountId"));
  let sessionTags: Map<string, string> | null = null;
  let minted: string | null = null;
  let roleArn: string | null = null;
  if (source === "sts.amazonaws.com" && name.startsWith("AssumeRole")) {
    roleArn = text(field(request, "roleArn"));
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
    region,
    account,
    errorCode: text(field(record, "errorCode")),
    principalArn,
    issuerArn: text(issuer),
    accessKeyId: text(field(identity, "accessKeyId")),
    resources: resources.length ? resources : requestResources(request, principalArn, account, region),
    roleArn,
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

/**
 * One file's events, a chunk's worth (1 MiB of text) at a time: the scan hands each record over
 * synchronously, so no promise is made per record. Problems (a malformed record, a file that cannot
 * be read) go to `onProblem`. Used by the in-process reader and by each worker thread (trail-worker.ts).
 */
export async function* trailFileBatches(
  file: string,
  limits: RecordLimits,
  stats: ReadStats,
  onProblem: (message: string) => void,
): AsyncGenerator<TrailEvent[]> {
  const scanner = new RecordScanner(limits);
  let batch: TrailEvent[] = [];
  const emit = (item: RecordItem) => {
    if (item.kind === "problem") {
      stats.skipped++;
      onProblem(item.message);
      return;
    }
    const event = toTrailEvent(item.value);
    if (event) {
      stats.records++;
      batch.push(event);
    } else stats.skipped++;
  };
  try {
    for await (const chunk of textChunks(file)) {
      scanner.write(chunk, emit);
      if (batch.length) yield batch;
      batch = [];
      if (scanner.done) return;
    }
    scanner.end(emit);
  } catch (error) {
    onProblem(`cannot read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  if (batch.length) yield batch;
}

/** An input's files in reading order, or the problem that it cannot be listed. */
export type TrailSource = { readonly file: string } | { readonly problem: ReadProblem };

export async function trailSources(inputs: readonly string[]): Promise<TrailSource[]> {
  const sources: TrailSource[] = [];
  for (const input of inputs) {
    try {
      for (const file of await listInputFiles(input, isTrailFileName)) sources.push({ file });
    } catch (error) {
      sources.push({ problem: { file: input, message: `cannot read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})` } });
    }
  }
  return sources;
}

/**
 * Every event of every input (files or folders), in file order, a chunk's worth at a time;
 * problems go to `onProblem`. With `threads` > 1 (and the compiled module), the files are read on
 * that many worker threads (trail-workers.ts), with the same events in the same order.
 */
export async function* readCloudTrailBatches(
  inputs: readonly string[],
  onProblem: (problem: ReadProblem) => void,
  stats: ReadStats = { files: 0, records: 0, skipped: 0 },
  limits: RecordLimits = DEFAULT_RECORD_LIMITS,
  threads = 1,
): AsyncGenerator<TrailEvent[]> {
  const sources = await trailSources(inputs);
  const files = sources.filter((s) => "file" in s).length;
  if (threads > 1 && files > 1 && workersAvailable()) {
    yield* readInWorkers(sources, Math.min(threads, files), onProblem, stats, limits);
    return;
  }
  for (const source of sources) {
    if ("problem" in source) {
      onProblem(source.problem);
      continue;
    }
    const { file } = source;
    stats.files++;
    yield* trailFileBatches(file, limits, stats, (message) => onProblem({ file, message }));
  }
}

/** Every event of every input, one at a time (for callers that want single events). */
export async function* readCloudTrail(
  inputs: readonly string[],
  onProblem: (problem: ReadProblem) => void,
  stats: ReadStats = { files: 0, records: 0, skipped: 0 },
  limits: RecordLimits = DEFAULT_RECORD_LIMITS,
): AsyncGenerator<TrailEvent> {
  for await (const batch of readCloudTrailBatches(inputs, onProblem, stats, limits)) yield* batch;
}
