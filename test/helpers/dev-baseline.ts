/**
 * The dev stack's own component resources as the pack's baseline: a test adds resources next to
 * them and reads only the rule ids the addition brings (what the clean stack reports is left out).
 */
import { beforeAll } from "vitest";
import { componentResources } from "./component-resources";
import { TODAY, stackDeclaration } from "./fixtures";
import { ruleIds, runPack, type Reported, type Resource } from "./policy-args";

export interface DevBaseline {
  /** The dev stack's resources (read after the suite's beforeAll ran). */
  readonly base: () => readonly Resource[];
  /** The pack's findings on the dev stack plus `extra`, without those the dev stack alone has. */
  readonly addedFindings: (extra: readonly Resource[], config?: object) => Promise<Reported[]>;
  /** Their rule ids. */
  readonly added: (extra: readonly Resource[], config?: object) => Promise<string[]>;
}

/** Registers a beforeAll that builds the baseline once per test file. */
export function devBaseline(): DevBaseline {
  let base: Resource[] = [];
  let before = new Set<string>();
  beforeAll(async () => {
    base = await componentResources(stackDeclaration("dev"));
    before = new Set((await runPack(base, TODAY)).map((r) => r.message));
  }, 120_000);
  const addedFindings = async (extra: readonly Resource[], config: object = {}) =>
    (await runPack([...base, ...extra], TODAY, config)).filter((r) => !before.has(r.message));
  return { base: () => base, addedFindings, added: async (extra, config) => ruleIds(await addedFindings(extra, config)) };
}
