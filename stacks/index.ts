/**
 * The deployable program: reads the stack's declaration from config and builds the fleet.
 * This is the only place that reads `pulumi.Config`; the components take plain arguments.
 */
import * as pulumi from "@pulumi/pulumi";
import { AgentFleet } from "../components";
import type { AgentInput, PlatformInput } from "../components";

const config = new pulumi.Config("agent-identity");
const platform = config.requireObject<PlatformInput>("platform");
const agents = config.getObject<AgentInput[]>("agents") ?? [];

const fleet = new AgentFleet("platform", { platform, agents });

/** Per agent and identity: the names a workload and an operator need. */
export const identities = Object.fromEntries(
  Object.entries(fleet.agents).map(([name, agent]) => [
    name,
    Object.fromEntries(
      Object.entries(agent.identities).map(([kind, identity]) => [
        kind,
        {
          serviceAccount: pulumi.interpolate`${identity.serviceAccountNamespace}/${identity.serviceAccountName}`,
          roleArn: identity.roleArn,
          vaultRole: identity.vaultRoleName,
          vaultPolicy: identity.vaultPolicyName,
        },
      ]),
    ),
  ]),
);
