/**
 * Splits a stream of JSON text into records without holding the whole input: the elements of a
 * top-level `{"Records": [...]}` array (CloudTrail as delivered to S3), or each top-level object
 * itself (the single-event form, and one event per line). Each record's text is cut out by
 * tracking depth and strings, then handed to `JSON.parse`; only one record is held at a time.
 *
 * Hand-written rather than a streaming JSON library (stream-json, @streamparser/json): those
 * tokenize every value in JavaScript, several times slower than this scan plus the native
 * `JSON.parse`, and 1,000,000 events must be read in seconds. The scan only has to find where
 * each record starts and ends; `JSON.parse` still rejects any malformed record.
 */

export interface RecordLimits {
  /** Characters one record may have; a longer one is skipped and reported. */
  readonly maxRecordChars: number;
  /** Characters one file may have; reading stops there and it is reported. */
  readonly maxFileChars: number;
}

export const DEFAULT_RECORD_LIMITS: RecordLimits = { maxRecordChars: 1 << 20, maxFileChars: 4 * 1024 ** 3 };

export type RecordItem = { readonly kind: "record"; readonly value: unknown } | { readonly kind: "problem"; readonly message: string };

const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;

/**
 * Records of one text stream (already decoded). Top-level values other than objects, and
 * top-level objects that are too large to be one event and hold no `Records` array, are reported.
 */
export async function* jsonRecords(chunks: AsyncIterable<string>, limits: RecordLimits = DEFAULT_RECORD_LIMITS): AsyncGenerator<RecordItem> {
  let depth = 0;
  let inString = false;
  let escaped = false;
  /** Depth-1 key last read, when it was short enough to be one we care about. */
  let lastKey: string | null = null;
  let keyStart = -1;
  /** Start of a depth-1 string that began in an earlier chunk (at most 64 characters kept). */
  let keyPrefix = "";
  let afterKeyString = false;
  /** Depth of the `Records` array's elements (2) while inside it, else 0. */
  let recordsDepth = 0;
  let sawRecords = false;
  /** Text kept from the current record (or the top-level object, for the single-event form). */
  let held = "";
  let holding = false;
  let holdStart = 0;
  let tooLarge = false;
  let total = 0;
  let topLevelIndex = 0;

  for await (const chunk of chunks) {
    total += chunk.length;
    if (total > limits.maxFileChars) {
      yield { kind: "problem", message: `larger than ${limits.maxFileChars} characters: the rest is not read` };
      return;
    }
    holdStart = 0;
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk.charCodeAt(i);
      if (inString) {
        if (escaped) escaped = false;
        else if (c === BACKSLASH) escaped = true;
        else if (c === QUOTE) {
          inString = false;
          if (keyStart >= 0) {
            // A depth-1 string: the key candidate, when it fits in this chunk (keys we need are short).
            lastKey = keyPrefix.length > 64 ? null : keyPrefix + chunk.slice(keyStart, i);
            keyStart = -1;
            keyPrefix = "";
            afterKeyString = true;
          }
        }
        continue;
      }
      if (c === QUOTE) {
        inString = true;
        if (depth === 1 && !afterKeyString) keyStart = i + 1;
        continue;
      }
      if (c === COLON) {
        continue;
      }
      if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
        if (depth === 0) {
          topLevelIndex++;
          if (c !== OPEN_OBJECT) {
            yield { kind: "problem", message: `top-level value ${topLevelIndex} is not an object` };
          } else {
            // Hold the top-level object: it is the event itself unless a `Records` array turns up.
            holding = true;
            holdStart = i;
            held = "";
            tooLarge = false;
            sawRecords = false;
          }
        } else if (depth === 1 && c === OPEN_ARRAY && afterKeyString && lastKey === "Records") {
          recordsDepth = 2;
          sawRecords = true;
          holding = false;
          held = "";
        } else if (recordsDepth && depth === recordsDepth && c === OPEN_OBJECT) {
          holding = true;
          holdStart = i;
          held = "";
          tooLarge = false;
        }
        depth++;
        afterKeyString = false;
        continue;
      }
      if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
        depth--;
        afterKeyString = false;
        if (depth < 0) {
          yield { kind: "problem", message: "unbalanced brackets: the rest is not read" };
          return;
        }
        if (recordsDepth && depth === recordsDepth && c === CLOSE_OBJECT && holding) {
          yield parsed(held + chunk.slice(holdStart, i + 1), tooLarge, limits);
          holding = false;
          held = "";
        } else if (recordsDepth && depth === recordsDepth - 1) {
          recordsDepth = 0;
        } else if (depth === 0 && holding && !sawRecords) {
          yield parsed(held + chunk.slice(holdStart, i + 1), tooLarge, limits);
          holding = false;
          held = "";
        }
        continue;
      }
      if (c > 0x20) afterKeyString = false;
    }
    if (holding && !tooLarge) {
      held += chunk.slice(holdStart);
      if (held.length > limits.maxRecordChars) {
        tooLarge = true;
        held = "";
      }
    }
    if (keyStart >= 0) {
      // A depth-1 string goes on in the next chunk: keep its start (keys we look for are short).
      if (keyPrefix.length <= 64) keyPrefix += chunk.slice(keyStart, keyStart + 65);
      keyStart = 0;
    }
  }
  if (depth !== 0 || inString) yield { kind: "problem", message: "the text ends inside a value (truncated file?)" };
}

function parsed(text: string, tooLarge: boolean, limits: RecordLimits): RecordItem {
  if (tooLarge || text.length > limits.maxRecordChars)
    return { kind: "problem", message: `a record is larger than ${limits.maxRecordChars} characters: skipped` };
  try {
    return { kind: "record", value: JSON.parse(text) as unknown };
  } catch (error) {
    return { kind: "problem", message: `a record is not valid JSON (${(error as Error).message.slice(0, 120)}): skipped` };
  }
}
