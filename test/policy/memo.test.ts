/**
 * The generated pack runs each check once per resource and once per stack, not once per policy:
 * the engine asks every policy in turn with fresh args, so findings are memoised on the inputs.
 */
import { describe, expect, it, vi } from "vitest";
import { PLATFORM, agent } from "../helpers/fixtures";
import { componentResources } from "../helpers/component-resources";
import { runPack } from "../helpers/policy-args";

const calls = vi.hoisted(() => ({ resource: 0, stack: 0 }));
vi.mock("../../policy/resources", async (importOriginal) => {
  const original = await importOriginal<typeof import("../../policy/resources")>();
  return { ...original, checkResource: (...args: Parameters<typeof original.checkResource>) => (calls.resource++, original.checkResource(...args)) };
});
vi.mock("../../policy/stack", async (importOriginal) => {
  const original = await importOriginal<typeof import("../../policy/stack")>();
  return {
    ...original,
    checkStackPass: (...args: Parameters<typeof original.checkStackPass>) => (calls.stack++, original.checkStackPass(...args)),
  };
});

describe("pack: one evaluation per resource and per stack", () => {
  it("runs checkResource once per resource and the stack pass once, whatever the number of policies", async () => {
    const resources = await componentResources({ platform: PLATFORM, agents: [agent("billing")] });
    calls.resource = 0;
    calls.stack = 0;
    // runPack asks every policy about every resource in turn (policy-major), as a worst case for a
    // one-entry memo; the engine asks resource-major (all policies for one resource), which it also serves.
    await runPack(resources);
    expect(calls.stack).toBe(1);
    expect(calls.resource).toBe(resources.length);
  });
});
