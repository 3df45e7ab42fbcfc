/**
 * A batch of trail events as sent from a reading worker to the main thread: each distinct string
 * once (a batch's events share their source, region, account and roles), and the events as
 * indexes into those strings in a transferable Int32Array, so a batch crosses threads as one
 * string list and one buffer instead of thousands of small objects. Layout per event: time,
 * source, name, region, account, errorCode, principalArn, issuerArn, accessKeyId, roleArn,
 * mintedAccessKeyId, then the tag count (-1: none) and key/value pairs, then the resource count
 * and resources; -1 stands for null.
 */
import type { TrailEvent } from "./cloudtrail-reader";

export interface EncodedBatch {
  readonly strings: readonly string[];
  readonly codes: Int32Array;
}

export function encodeBatch(events: readonly TrailEvent[]): EncodedBatch {
  const strings: string[] = [];
  const ids = new Map<string, number>();
  const codes: number[] = [];
  const id = (value: string | null): number => {
    if (value === null) return -1;
    let at = ids.get(value);
    if (at === undefined) {
      at = strings.length;
      strings.push(value);
      ids.set(value, at);
    }
    return at;
  };
  for (const e of events) {
    codes.push(id(e.time), id(e.source), id(e.name), id(e.region), id(e.account), id(e.errorCode));
    codes.push(id(e.principalArn), id(e.issuerArn), id(e.accessKeyId), id(e.roleArn), id(e.mintedAccessKeyId));
    if (e.sessionTags) {
      codes.push(e.sessionTags.size);
      for (const [key, value] of e.sessionTags) codes.push(id(key), id(value));
    } else codes.push(-1);
    codes.push(e.resources.length);
    for (const resource of e.resources) codes.push(id(resource));
  }
  return { strings, codes: Int32Array.from(codes) };
}

export function decodeBatch({ strings, codes }: EncodedBatch): TrailEvent[] {
  const events: TrailEvent[] = [];
  let i = 0;
  const str = (): string | null => {
    const at = codes[i++];
    return at < 0 ? null : strings[at];
  };
  while (i < codes.length) {
    const time = str()!;
    const source = str()!;
    const name = str()!;
    const region = str()!;
    const account = str();
    const errorCode = str();
    const principalArn = str();
    const issuerArn = str();
    const accessKeyId = str();
    const roleArn = str();
    const mintedAccessKeyId = str();
    const tagCount = codes[i++];
    let sessionTags: Map<string, string> | null = null;
    if (tagCount >= 0) {
      sessionTags = new Map();
      for (let t = 0; t < tagCount; t++) sessionTags.set(str()!, str()!);
    }
    const resourceCount = codes[i++];
    const resources: string[] = [];
    for (let r = 0; r < resourceCount; r++) resources.push(str()!);
    events.push({ time, source, name, region, account, errorCode, principalArn, issuerArn, accessKeyId, resources, roleArn, sessionTags, mintedAccessKeyId });
  }
  return events;
}
