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
 * The scan as a push parser: `write` takes the next chunk and hands every record it completes to
 * `emit` synchronously (no promise per record: this is the per-record hot path of `narrow`);
 * `end` reports a truncated text. After a problem that stops reading (`done`), further text is ignored.
 * Top-level values other than objects, and top-level objects that are too large to be one event
 * and hold no `Records` array, are reported.
 */
export class RecordScanner {
  private depth = 0;
  private inString = false;
  /** The chunk so far ended inside a string on an odd run of backslashes: its first character is escaped. */
  private escapedCarry = false;
  /** The depth-1 string being read (a key candidate), or null. */
  private key: string | null = null;
  private keyOpen = false;
  /** The last depth-1 string and the text after it: `"Records"` then `:` opens the records array. */
  private candidate: string | null = null;
  private gap = "";
  private recordsDepth = 0;
  private sawRecords = false;
  /** Text kept from the current record (or the top-level object, for the single-event form). */
  private held = "";
  private holding = false;
  private tooLarge = false;
  private total = 0;
  private topLevelIndex = 0;
  /** Reading stopped (file too large, unbalanced brackets). */
  done = false;

  constructor(private readonly limits: RecordLimits = DEFAULT_RECORD_LIMITS) {}

  write(chunk: string, emit: (item: RecordItem) => void): void {
    if (this.done) return;
    const limits = this.limits;
    this.total += chunk.length;
    if (this.total > limits.maxFileChars) {
      this.done = true;
      emit({ kind: "problem", message: `larger than ${limits.maxFileChars} characters: the rest is not read` });
      return;
    }
    let { depth, inString, escapedCarry, key, keyOpen, candidate, gap, recordsDepth, sawRecords, held, holding, tooLarge } = this;
    let holdStart = 0;
    let i = 0;
    let gapFrom = candidate !== null ? 0 : -1;
    const save = () => {
      Object.assign(this, { depth, inString, escapedCarry, key, keyOpen, candidate, gap, recordsDepth, sawRecords, held, holding, tooLarge });
    };
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
          this.topLevelIndex++;
          if (c !== OPEN_OBJECT) {
            emit({ kind: "problem", message: `top-level value ${this.topLevelIndex} is not an object` });
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
        save();
        this.done = true;
        emit({ kind: "problem", message: "unbalanced brackets: the rest is not read" });
        return;
      }
      if (recordsDepth && depth === recordsDepth && c === CLOSE_OBJECT && holding) {
        emit(parsed(held ? held + chunk.slice(holdStart, at + 1) : chunk.slice(holdStart, at + 1), tooLarge, limits));
        holding = false;
        held = "";
      } else if (recordsDepth && depth === recordsDepth - 1) {
        recordsDepth = 0;
      } else if (depth === 0 && holding && !sawRecords) {
        emit(parsed(held ? held + chunk.slice(holdStart, at + 1) : chunk.slice(holdStart, at + 1), tooLarge, limits));
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
    save();
  }

  /** The text ended: a problem when it ended inside a value. */
  end(emit: (item: RecordItem) => void): void {
    if (!this.done && (this.depth !== 0 || this.inString)) emit({ kind: "problem", message: "the text ends inside a value (truncated file?)" });
    this.done = true;
  }
}

/** Records of one text stream (already decoded), by the scan above. */
export async function* jsonRecords(chunks: AsyncIterable<string>, limits: RecordLimits = DEFAULT_RECORD_LIMITS): AsyncGenerator<RecordItem> {
  const scanner = new RecordScanner(limits);
  const items: RecordItem[] = [];
  const emit = (item: RecordItem) => void items.push(item);
  for await (const chunk of chunks) {
    scanner.write(chunk, emit);
    yield* items.splice(0);
    if (scanner.done) return;
  }
  scanner.end(emit);
  yield* items.splice(0);
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
