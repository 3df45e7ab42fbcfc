/**
 * Splits a stream of JSON text into records without holding the whole input: the elements of a
 * top-level `{"Records": [...]}` array (CloudTrail as delivered to S3), or each top-level object
 * itself (the single-event form, and one event per line). Each record's text is cut out by
 * tracking depth and strings, then handed to `JSON.parse`; only one record is held at a time.
 *
 * Hand-written rather than a streaming JSON library (stream-json, @streamparser/json): those
 * tokenize every value in JavaScript, several times slower than this scan plus the native
 * `JSON.parse`, and 1,000,000 events (1.5 GB) must be read in seconds. The scan jumps over each
 * string with `indexOf` for its closing quote, so string contents (most of a record) are never
 * looked at character by character; `JSON.parse` still rejects any
 * malformed record.
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
const OPEN_ARRAY = 0x5b;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const CLOSE_OBJECT = 0x7d;
const CLOSE_ARRAY = 0x5d;
/** Longest depth-1 string kept as a key candidate (we only look for `Records`). */
const KEY_MAX = 64;

/**
 * Records of one text stream (already decoded). Top-level values other than objects, and
 * top-level objects that are too large to be one event and hold no `Records` array, are reported.
 */
export async function* jsonRecords(chunks: AsyncIterable<string>, limits: RecordLimits = DEFAULT_RECORD_LIMITS): AsyncGenerator<RecordItem> {
  let depth = 0;
  let inString = false;
  /** The chunk so far ended inside a string on an odd run of backslashes: its first character is escaped. */
  let escapedCarry = false;
  /** The depth-1 string being read (a key candidate), or null. */
  let key: string | null = null;
  let keyOpen = false;
  /** The last depth-1 string and the text after it: `"Records"` then `:` opens the records array. */
  let candidate: string | null = null;
  let gap = "";
  let recordsDepth = 0;
  let sawRecords = false;
  /** Text kept from the current record (or the top-level object, for the single-event form). */
  let held = "";
  let holding = false;
  let tooLarge = false;
  let total = 0;
  let topLevelIndex = 0;

  for await (const chunk of chunks) {
    total += chunk.length;
    if (total > limits.maxFileChars) {
      yield { kind: "problem", message: `larger than ${limits.maxFileChars} characters: the rest is not read` };
      return;
    }
    let holdStart = 0;
    let i = 0;
    let gapFrom = candidate !== null ? 0 : -1;
    while (i < chunk.length) {
      if (inString) {
        // The closing quote: the next one not escaped by an odd run of backslashes.
        // After a carried escape the chunk's first character is escaped: it neither closes nor counts.
        const from = escapedCarry ? i + 1 : i;
        escapedCarry = false;
        let end = chunk.indexOf('"', from);
        while (end >= 0) {
          let slashes = 0;
          for (let k = end - 1; k >= from && chunk.charCodeAt(k) === BACKSLASH; k--) slashes++;
          if (slashes % 2 === 0) break;
          end = chunk.indexOf('"', end + 1);
        }
        if (end < 0) {
          if (keyOpen && key !== null) key = key.length + chunk.length - i > KEY_MAX ? null : key + chunk.slice(i);
          let slashes = 0;
          for (let k = chunk.length - 1; k >= from && chunk.charCodeAt(k) === BACKSLASH; k--) slashes++;
          escapedCarry = slashes % 2 === 1;
          i = chunk.length;
          break;
        }
        if (keyOpen) {
          candidate = key !== null && key.length + end - i <= KEY_MAX ? key + chunk.slice(i, end) : null;
          gap = "";
          gapFrom = end + 1;
          keyOpen = false;
          key = null;
        }
        inString = false;
        i = end + 1;
        continue;
      }
      // Outside strings only punctuation, numbers and literals remain: a plain loop to the next structural character.
      let at = i;
      let c = 0;
      for (; at < chunk.length; at++) {
        c = chunk.charCodeAt(at);
        if (c === QUOTE || c === OPEN_OBJECT || c === OPEN_ARRAY || c === CLOSE_OBJECT || c === CLOSE_ARRAY) break;
      }
      if (at >= chunk.length) break;
      i = at + 1;
      if (c === QUOTE) {
        inString = true;
        if (depth === 1) {
          keyOpen = true;
          key = "";
        }
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
            holdStart = at;
            held = "";
            tooLarge = false;
            sawRecords = false;
          }
        } else if (depth === 1 && c === OPEN_ARRAY && candidate === "Records" && (gap + chunk.slice(Math.max(gapFrom, 0), at)).trim() === ":") {
          recordsDepth = 2;
          sawRecords = true;
          holding = false;
          held = "";
        } else if (recordsDepth && depth === recordsDepth && c === OPEN_OBJECT) {
          holding = true;
          holdStart = at;
          held = "";
          tooLarge = false;
        }
        if (depth === 1) candidate = null;
        depth++;
        continue;
      }
      // A closing bracket.
      depth--;
      if (depth <= 1) candidate = null;
      if (depth < 0) {
        yield { kind: "problem", message: "unbalanced brackets: the rest is not read" };
        return;
      }
      if (recordsDepth && depth === recordsDepth && c === CLOSE_OBJECT && holding) {
        yield parsed(held + chunk.slice(holdStart, at + 1), tooLarge, limits);
        holding = false;
        held = "";
      } else if (recordsDepth && depth === recordsDepth - 1) {
        recordsDepth = 0;
      } else if (depth === 0 && holding && !sawRecords) {
        yield parsed(held + chunk.slice(holdStart, at + 1), tooLarge, limits);
        holding = false;
        held = "";
      }
    }
    if (candidate !== null) {
      gap += chunk.slice(Math.max(gapFrom, 0));
      if (gap.length > KEY_MAX) candidate = null;
    }
    if (holding && !tooLarge) {
      held += chunk.slice(holdStart);
      if (held.length > limits.maxRecordChars) {
        tooLarge = true;
        held = "";
      }
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
