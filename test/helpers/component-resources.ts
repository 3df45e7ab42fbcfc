/** The resources the real components register for a declaration, under Pulumi mocks. */
import { AgentFleet } from "../../components";
import type { DeclarationInput } from "../../components/core/schema";
import { installMocks, resources, settle } from "./pulumi-mocks";
import { TODAY_DATE } from "./fixtures";
import type { Resource } from "./policy-args";

export async function componentResources(declaration: DeclarationInput): Promise<Resource[]> {
  installMocks();
  new AgentFleet("platform", { platform: declaration.platform, agents: declaration.agents ?? [], validationDate: TODAY_DATE });
  await settle();
  // Component resources are not checked by the pack (they have no provider inputs).
  return resources()
    .filter((r) => r.custom)
    .map((r) => ({ type: r.type, name: r.name, props: r.inputs }));
}
