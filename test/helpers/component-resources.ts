/** The resources the real components register for a declaration, under Pulumi mocks. */
import { AgentFleet } from "../../components";
import type { DeclarationInput } from "../../components/core/schema";
import { installMocks, resources, settle } from "./pulumi-mocks";
import { TODAY_DATE } from "./fixtures";
import type { Resource } from "./policy-args";

/**
 * The mock monitor and the record of registrations are process-wide: two calls at once (concurrent
 * tests, e.g. the engine harness's dev and prod) would interleave and mix their resources. Calls run
 * one after another.
 */
let queue: Promise<unknown> = Promise.resolve();

export function componentResources(declaration: DeclarationInput, rootPasswords?: Record<string, string>): Promise<Resource[]> {
  const next = queue.then(() => register(declaration, rootPasswords));
  queue = next.catch(() => undefined);
  return next;
}

async function register(declaration: DeclarationInput, rootPasswords?: Record<string, string>): Promise<Resource[]> {
  installMocks();
  new AgentFleet("platform", {
    platform: declaration.platform,
    agents: declaration.agents ?? [],
    validationDate: TODAY_DATE,
    ...(rootPasswords ? { rootPasswords } : {}),
  });
  await settle();
  // Component resources are not checked by the pack (they have no provider inputs).
  return resources()
    .filter((r) => r.custom)
    .map((r) => ({ type: r.type, name: r.name, props: r.inputs }));
}
