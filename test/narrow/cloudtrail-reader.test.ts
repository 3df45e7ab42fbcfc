/**
 * The CloudTrail reader on records no one here wrote (test/fixtures/cloudtrail/invictus-aws-dataset,
 * see its SOURCE.md), gzip and plain, in folders, split at every chunk boundary, and on hostile input.
 */
import { mkdtempSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readCloudTrail, toTrailEvent, type ReadProblem, type TrailEvent } from "../../components/narrow/cloudtrail-reader";
import { jsonRecords, type RecordItem } from "../../components/narrow/json-records";

const FIXTURES = "test/fixtures/cloudtrail/invictus-aws-dataset";
const files = readdirSync(FIXTURES)
  .filter((f) => f.endsWith(".json"))
  .sort();
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "agent-identity-trail-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function collect(inputs: string[]): Promise<{ events: TrailEvent[]; problems: ReadProblem[] }> {
  const events: TrailEvent[] = [];
  const problems: ReadProblem[] = [];
  for await (const event of readCloudTrail(inputs, (p) => problems.push(p))) events.push(event);
  return { events, problems };
}

async function split(text: string, size: number): Promise<RecordItem[]> {
  async function* chunks() {
    for (let i = 0; i < text.length; i += size) yield text.slice(i, i + size);
  }
  const items: RecordItem[] = [];
  for await (const item of jsonRecords(chunks())) items.push(item);
  return items;
}

describe("CloudTrail reader: public sample (Invictus IR aws_dataset, real records)", () => {
  it("reads every record of every file, as JSON.parse does", async () => {
    const { events, problems } = await collect([FIXTURES]);
    const expected = files.flatMap((f) => JSON.parse(readFileSync(join(FIXTURES, f), "utf8")).Records as Array<{ eventName: string; eventTime: string }>);
    expect(problems).toEqual([]);
    expect(events.map((e) => `${e.time} ${e.name}`)).toEqual(expected.map((r) => `${r.eventTime} ${r.eventName}`));
    expect(events.length).toBe(35);
  });

  it("reads the same records gzipped, as CloudTrail delivers them to S3", async () => {
    const gz = join(dir, "gz", "AWSLogs", "218007301253", "CloudTrail", "us-east-1", "2023", "07", "10");
    mkdirSync(gz, { recursive: true });
    for (const f of files) writeFileSync(join(gz, `${f}.gz`), gzipSync(readFileSync(join(FIXTURES, f))));
    const plain = await collect([FIXTURES]);
    const zipped = await collect([join(dir, "gz")]);
    expect(zipped.problems).toEqual([]);
    expect(zipped.events).toEqual(plain.events);
  });

  it("keeps an AssumeRole event's outcome, an assumed-role caller's issuer, and errors", async () => {
    const { events } = await collect([FIXTURES]);
    const denied = events.find((e) => e.name === "AssumeRole" && e.errorCode === "AccessDenied");
    expect(denied?.principalArn).toMatch(/^arn:aws:iam::\d{12}:user\//);
    const assumed = events.find((e) => e.issuerArn !== null);
    expect(assumed?.issuerArn).toMatch(/^arn:aws:iam::\d{12}:role\//);
    expect(assumed?.principalArn).toMatch(/^arn:aws:sts::\d{12}:assumed-role\//);
    const success = events.find((e) => e.name === "AssumeRole" && e.errorCode === null);
    expect(success?.mintedAccessKeyId).toMatch(/^ASIA/);
  });

  it("gives the same records whatever the chunk boundaries", async () => {
    const text = readFileSync(join(FIXTURES, files[0]), "utf8");
    const whole = await split(text, text.length);
    for (const size of [1, 2, 3, 7, 64, 1000]) expect(await split(text, size)).toEqual(whole);
  });
});

describe("json-records: forms and hostile input", () => {
  it("reads the single-event form and one event per line", async () => {
    const event = { eventVersion: "1.08", eventTime: "2026-11-30T08:00:00Z", eventSource: "s3.amazonaws.com", eventName: "GetObject" };
    expect(await split(JSON.stringify(event), 5)).toEqual([{ kind: "record", value: event }]);
    expect(await split(`${JSON.stringify(event)}\n${JSON.stringify(event)}\n`, 4)).toHaveLength(2);
  });

  it("takes strings holding brackets, quotes and the word Records as data", async () => {
    const records = [{ eventName: 'a"}]{[', note: "\\", Records: "[{" }, { eventName: "b" }];
    expect(await split(JSON.stringify({ other: { Records: [1] }, Records: records }), 3)).toEqual(records.map((value) => ({ kind: "record", value })));
  });

  it("escapes split across chunk boundaries: backslash runs and escaped quotes", async () => {
    const records = [{ eventName: "a\\", x: '\\"}', y: '\\\\"]' }, { eventName: "\\\\" }, { eventName: '"' }];
    const text = JSON.stringify({ Records: records });
    for (const size of [1, 2, 3, 4, 5]) expect(await split(text, size)).toEqual(records.map((value) => ({ kind: "record", value })));
  });

  it("skips a record over the size limit and reports it, then reads on", async () => {
    const big = { eventName: "x".repeat(5000) };
    const items: RecordItem[] = [];
    async function* one() {
      yield JSON.stringify({ Records: [big, { eventName: "small" }] });
    }
    for await (const item of jsonRecords(one(), { maxRecordChars: 1000, maxFileChars: 1e9 })) items.push(item);
    expect(items[0].kind).toBe("problem");
    expect(items[1]).toEqual({ kind: "record", value: { eventName: "small" } });
  });

  it("stops at the file size limit, and reports truncated and malformed input", async () => {
    const items: RecordItem[] = [];
    async function* many() {
      for (let i = 0; i < 100; i++) yield "[".repeat(0) + JSON.stringify({ eventName: `e${i}` });
    }
    for await (const item of jsonRecords(many(), { maxRecordChars: 1000, maxFileChars: 100 })) items.push(item);
    expect(items.at(-1)).toEqual({ kind: "problem", message: "larger than 100 characters: the rest is not read" });
    expect((await split('{"Records":[{"a":1},{"b":', 4)).at(-1)?.kind).toBe("problem");
    expect((await split('{"Records":[{"a":tru}]}', 4))[0].kind).toBe("problem");
    expect((await split("}}", 1))[0].kind).toBe("problem");
  });

  it("a __proto__ key stays data: no prototype is touched and no field is read through it", async () => {
    const text = '{"Records":[{"__proto__":{"eventSource":"s3.amazonaws.com","polluted":true},"eventName":"GetObject","eventTime":"2026-11-30T08:00:00Z"}]}';
    const [item] = await split(text, 7);
    expect(item.kind).toBe("record");
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    // eventSource only exists under __proto__: the record is not an event.
    expect(toTrailEvent((item as { value: unknown }).value)).toBeNull();
  });
});
