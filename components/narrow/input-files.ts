/**
 * The files an input names: a file itself, or every file under a folder (sorted by path, so
 * CloudTrail's time-stamped names are read roughly in time order), and each file's text as a
 * stream of decoded chunks, gunzipped when it starts with gzip's magic bytes. Nothing is read
 * whole: chunks of 1 MiB flow through `zlib`'s streaming gunzip.
 */
import { createReadStream, type Dirent } from "node:fs";
import { open, readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { StringDecoder } from "node:string_decoder";
import { createGunzip } from "node:zlib";

/** Folders deeper than this are not entered (CloudTrail's layout is account/CloudTrail/region/yyyy/mm/dd). */
const MAX_DEPTH = 12;
/** Files one input may expand to. */
export const MAX_FILES = 1_000_000;

/** Every file a folder holds whose name `accept` takes (a file named directly is always read). */
export async function listInputFiles(input: string, accept: (name: string) => boolean = () => true): Promise<string[]> {
  const info = await stat(input);
  if (info.isFile()) return [input];
  if (!info.isDirectory()) throw new Error(`${input}: neither a file nor a folder`);
  const files: string[] = [];
  const walk = async (dir: string, depth: number): Promise<void> => {
    if (depth > MAX_DEPTH) return;
    const entries: Dirent[] = await readdir(dir, { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      if (files.length >= MAX_FILES) return;
      // Hidden files (.DS_Store, editor swap files) are not trail files.
      if (entry.name.startsWith(".")) continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) await walk(path, depth + 1);
      else if (entry.isFile() && accept(entry.name)) files.push(path);
    }
  };
  await walk(input, 0);
  return files;
}

async function isGzip(file: string): Promise<boolean> {
  const handle = await open(file, "r");
  try {
    const head = Buffer.alloc(2);
    const { bytesRead } = await handle.read(head, 0, 2, 0);
    return bytesRead === 2 && head[0] === 0x1f && head[1] === 0x8b;
  } finally {
    await handle.close();
  }
}

/** The file's text, decoded as UTF-8 across chunk boundaries. */
export async function* textChunks(file: string): AsyncGenerator<string> {
  const raw = createReadStream(file, { highWaterMark: 1 << 20 });
  const source = (await isGzip(file)) ? raw.pipe(createGunzip({ chunkSize: 1 << 20 })) : raw;
  // A gunzip error (corrupt file) must end this file's reading, not the process.
  raw.on("error", (error) => source.destroy(error));
  const decoder = new StringDecoder("utf8");
  try {
    for await (const chunk of source as AsyncIterable<Buffer>) {
      const text = decoder.write(chunk);
      if (text) yield text;
    }
    const rest = decoder.end();
    if (rest) yield rest;
  } finally {
    raw.destroy();
    source.destroy();
  }
}
