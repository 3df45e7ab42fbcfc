/**
 * What `check --all` keeps of a stack's plan once its own rules have judged it: exactly the fields
 * the organisation-wide rules (components/rules/organisation.ts) read, and nothing else. A worker
 * thread sends this back instead of the whole plan (policies, trust documents, statements), which
 * is most of the plan's size and all of the cost of copying it between threads and keeping it in
 * memory until every stack is planned. test/cli/check-digest.test.ts fails when those rules read a
 * field this leaves out.
 */
import type { FleetPlan, IamRolePlan, IdentityPlan, VaultRolePlan } from "../components/core/plan-types";

type Named = Pick<VaultRolePlan, "name" | "backend">;

export interface CrossStackPlan {
  readonly platform: {
    readonly aws: Pick<FleetPlan["platform"]["aws"], "partition" | "accountId" | "oidcProviderArn">;
    readonly vault: Pick<FleetPlan["platform"]["vault"], "kvMount" | "databaseMount" | "awsMount" | "awsEngineRoleArn"> & {
      readonly address?: string;
      readonly databaseConnections: readonly { readonly name: string; readonly plugin: string }[];
    };
    readonly clusters?: readonly Pick<
      NonNullable<FleetPlan["platform"]["clusters"]>[number],
      "name" | "binding" | "oidcProviderArn" | "region" | "clusterName"
    >[];
  };
  readonly bootstrap: {
    readonly kvMount: { readonly path: string };
    readonly databaseMount: { readonly path: string } | null;
    readonly awsMount: { readonly path: string; readonly roleArn: string } | null;
    readonly authBackends: readonly { readonly path: string }[];
  } | null;
  readonly agents: readonly CrossStackAgent[];
}

interface CrossStackAgent {
  readonly name: string;
  readonly owns: readonly string[];
  readonly auditLogGroup: { readonly name: string; readonly arn: string };
  readonly namespace: { readonly name: string; readonly create: boolean };
  readonly identities: readonly CrossStackIdentity[];
}

interface CrossStackIdentity {
  readonly kind: IdentityPlan["kind"];
  readonly serviceAccount: { readonly namespace: string; readonly name: string };
  readonly iamRole: Pick<IamRolePlan, "name">;
  readonly toolRole: Pick<IamRolePlan, "name"> | null;
  readonly bindings: readonly { readonly cluster: string }[];
  readonly vault: {
    readonly role: Named | null;
    readonly additionalRoles: readonly Named[];
    readonly policy: { readonly name: string; readonly paths: readonly { readonly path: string }[] } | null;
    readonly secretRoles: readonly Named[];
  };
}

const named = ({ name, backend }: Named): Named => ({ name, backend });

export function crossStackPlan(plan: FleetPlan): CrossStackPlan {
  const { aws, vault, clusters } = plan.platform;
  const { bootstrap } = plan;
  return {
    platform: {
      aws: { partition: aws.partition, accountId: aws.accountId, oidcProviderArn: aws.oidcProviderArn },
      vault: {
        address: (vault as { address?: string }).address,
        kvMount: vault.kvMount,
        databaseMount: vault.databaseMount,
        awsMount: vault.awsMount,
        awsEngineRoleArn: vault.awsEngineRoleArn,
        databaseConnections: vault.databaseConnections.map(({ name, plugin }) => ({ name, plugin })),
      },
      clusters: clusters?.map(({ name, binding, oidcProviderArn, region, clusterName }) => ({ name, binding, oidcProviderArn, region, clusterName })),
    },
    bootstrap: bootstrap && {
      kvMount: { path: bootstrap.kvMount.path },
      databaseMount: bootstrap.databaseMount && { path: bootstrap.databaseMount.path },
      awsMount: bootstrap.awsMount && { path: bootstrap.awsMount.path, roleArn: bootstrap.awsMount.roleArn },
      authBackends: bootstrap.authBackends.map(({ path }) => ({ path })),
    },
    agents: plan.agents.map((agent) => ({
      name: agent.name,
      owns: agent.owns,
      auditLogGroup: { name: agent.auditLogGroup.name, arn: agent.auditLogGroup.arn },
      namespace: { name: agent.namespace.name, create: agent.namespace.create },
      identities: agent.identities.map((identity) => ({
        kind: identity.kind,
        serviceAccount: { namespace: identity.serviceAccount.namespace, name: identity.serviceAccount.name },
        iamRole: { name: identity.iamRole.name },
        toolRole: identity.toolRole && { name: identity.toolRole.name },
        bindings: identity.bindings.map(({ cluster }) => ({ cluster })),
        vault: {
          role: identity.vault.role && named(identity.vault.role),
          additionalRoles: identity.vault.additionalRoles.map(named),
          policy: identity.vault.policy && { name: identity.vault.policy.name, paths: identity.vault.policy.paths.map(({ path }) => ({ path })) },
          secretRoles: identity.vault.secretRoles.map(named),
        },
      })),
    })),
  };
}

/**
 * The organisation rules take a FleetPlan; they read only what a CrossStackPlan holds (the test
 * named above proves it on this repository's stacks, each colliding with a copy of itself).
 */
export const asFleetPlan = (plan: CrossStackPlan): FleetPlan => plan as unknown as FleetPlan;
