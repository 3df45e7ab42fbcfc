/**
 * The input paths of every resource type the installed @pulumi/aws exports, read from its type
 * definitions: a resource's `<Name>Args` interface and, through `inputs.<module>.<Type>`
 * references, the nested input types of node_modules/@pulumi/aws/types/input.d.ts. A list is
 * written `a[].b` (the flow table's path form). Used by the flow table's closed-world test.
 */
import { readFileSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";

const root = dirname(require.resolve("@pulumi/aws/package.json"));
type Props = ReadonlyArray<readonly [name: string, type: string]>;

/** Nested input types by `module.Type`. */
function inputTypes(): Map<string, Props> {
  const types = new Map<string, Array<[string, string]>>();
  let namespace = "";
  let current: Array<[string, string]> | undefined;
  for (const line of readFileSync(join(root, "types/input.d.ts"), "utf8").split("\n")) {
    let m: RegExpExecArray | null;
    if ((m = /^export declare namespace (\w+) \{/.exec(line))) namespace = m[1];
    else if ((m = /^ {4}interface (\w+) \{/.exec(line))) types.set(`${namespace}.${m[1]}`, (current = []));
    else if (/^ {4}\}/.test(line)) current = undefined;
    else if (current && (m = /^ {8}(\w+)\??: (.*)$/.exec(line))) current.push([m[1], m[2]]);
  }
  return types;
}

function paths(types: Map<string, Props>, props: Props, prefix: string, depth: number): string[] {
  const out: string[] = [];
  for (const [name, type] of props) {
    const path = prefix + name;
    out.push(path);
    const ref = /inputs\.(\w+)\.(\w+)/.exec(type);
    if (ref && depth < 8) out.push(...paths(types, types.get(`${ref[1]}.${ref[2]}`) ?? [], `${path}${type.includes("[]") ? "[]" : ""}.`, depth + 1));
  }
  return out;
}

/** Every resource type token of the given provider modules, with its input paths. */
export function awsInputPaths(modules: readonly string[]): Map<string, string[]> {
  const types = inputTypes();
  const out = new Map<string, string[]>();
  for (const module of modules) {
    const dir = join(root, module);
    for (const file of readdirSync(dir)) {
      if (!file.endsWith(".js") || file === "index.js") continue;
      const token = /__pulumiType = ['"]([^'"]+)['"]/.exec(readFileSync(join(dir, file), "utf8"))?.[1];
      if (!token) continue;
      const lines = readFileSync(join(dir, file.replace(/\.js$/, ".d.ts")), "utf8").split("\n");
      const start = lines.findIndex((l) => /^export interface \w+Args \{/.test(l));
      if (start < 0) continue;
      const props: Array<[string, string]> = [];
      for (let i = start + 1; i < lines.length && !/^\}/.test(lines[i]); i++) {
        const m = /^ {4}(\w+)\??: (.*)$/.exec(lines[i]);
        if (m) props.push([m[1], m[2]]);
      }
      out.set(token, paths(types, props, "", 0));
    }
  }
  return out;
}
