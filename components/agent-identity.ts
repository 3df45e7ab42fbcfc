/**
 * One non-human identity of one agent: a Kubernetes ServiceAccount, an IRSA role pinned to it,
 * its inline permission policies, and its Vault policy, Kubernetes-auth role and dynamic secret
 * roles. It creates exactly what its `IdentityPlan` says and nothing else.
 */
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as vault from "@pulumi/vault";
import type { IdentityPlan, SecretRolePlan } from "./core/plan-types";
import { ROLE_PLAN_ANNOTATION, VAULT_PLAN_ANNOTATION } from "./core/compile";
import { rolePlanRecordText } from "./core/role-plan";
import { authRoleInputs, awsSecretRoleInputs, databaseSecretRoleInputs, vaultPlanRecordText, vaultPolicyInputs } from "./core/vault-plan";
import { waitFor } from "./pending-declaration";

/** Kubernetes providers by cluster name (`platform.clusters[].name`); required for an agent in several clusters. */
export type ClusterProviders = Readonly<Record<string, pulumi.ProviderResource>>;

/**
 * AgentPlatform's resources by the declared path they create: each role depends on the auth backend
 * (and its config) or the mount it lives in, so it waits for that and no agent waits for another.
 * The path itself stays the plain declared string, so the policy pack can read it at preview (an
 * output would be unknown there and every role would look like it shares one path).
 */
export interface PlatformWiring {
  readonly authBackends: Readonly<Record<string, readonly pulumi.Resource[]>>;
  readonly mounts: Readonly<Record<string, readonly pulumi.Resource[]>>;
  /** The database connections by name: a secret role waits for the connection that lists it in allowed_roles. */
  readonly connections: Readonly<Record<string, pulumi.Resource>>;
}

export interface AgentIdentityArgs {
  /** The compiled identity (from `compileAgent`); validated by the caller. */
  readonly plan: IdentityPlan;
  /** The agent's Namespace resource per cluster, when the agent has its own; the ServiceAccount waits for it. */
  readonly namespace?: pulumi.Resource | Readonly<Record<string, pulumi.Resource>>;
  readonly kubernetesProviders?: ClusterProviders;
  /** Present when platform.bootstrap is on. */
  readonly wiring?: PlatformWiring;
  /**
   * The identity compiled again once platform outputs (OIDC provider, boundary) resolved and
   * validated: the trust policy and boundary come from it, and every child waits for it.
   */
  readonly resolved?: pulumi.Output<IdentityPlan>;
}

/** The provider of one cluster; a single-cluster identity may use the default provider. */
export function clusterProvider(
  providers: ClusterProviders | undefined,
  cluster: string,
  clusterCount: number,
  owner: string,
  resource: pulumi.Resource,
): pulumi.ProviderResource | undefined {
  const provider = providers?.[cluster];
  if (!provider && clusterCount > 1) {
    throw new pulumi.ResourceError(
      `${owner}: runs in ${clusterCount} clusters but no Kubernetes provider is given for cluster "${cluster}": pass kubernetesProviders with one provider per cluster name`,
      resource,
      true,
    );
  }
  return provider;
}

export class AgentIdentity extends pulumi.ComponentResource {
  public readonly plan: IdentityPlan;
  public readonly serviceAccountName: pulumi.Output<string>;
  public readonly serviceAccountNamespace: pulumi.Output<string>;
  public readonly roleName: pulumi.Output<string>;
  public readonly roleArn: pulumi.Output<string>;
  /** Undefined when the agent is revoked (the Vault role is removed). */
  public readonly vaultRoleName: pulumi.Output<string | undefined>;
  /** Undefined when the agent is revoked (the Vault policy is removed). */
  public readonly vaultPolicyName: pulumi.Output<string | undefined>;

  constructor(name: string, args: AgentIdentityArgs, opts?: pulumi.ComponentResourceOptions) {
    super("agent-identity:index:AgentIdentity", name, {}, opts);
    const plan = args.plan;
    this.plan = plan;
    const resolved = args.resolved;
    const parent: pulumi.CustomResourceOptions = resolved ? { parent: this, dependsOn: waitFor(resolved) } : { parent: this };

    const owner = `agent ${plan.serviceAccount.labels["agent-identity.io/agent"]} (${plan.kind})`;
    const several = plan.bindings.length > 1;
    const namespaceOf = (cluster: string): pulumi.Resource | undefined =>
      args.namespace === undefined
        ? undefined
        : pulumi.Resource.isInstance(args.namespace)
          ? args.namespace
          : (args.namespace as Record<string, pulumi.Resource>)[cluster];
    // Resolve every cluster's provider before the first child, so a missing one fails cleanly.
    const providers = plan.bindings.map((binding) => clusterProvider(args.kubernetesProviders, binding.cluster, plan.bindings.length, owner, this));
    const vaultRecord = vaultPlanRecordText(plan.vault);
    // One ServiceAccount per cluster, the same name and namespace in each; one cluster keeps the old resource name.
    const serviceAccounts = plan.bindings.map((binding, index) => {
      const namespace = namespaceOf(binding.cluster);
      return new k8s.core.v1.ServiceAccount(
        several ? `${name}-${binding.cluster}-service-account` : `${name}-service-account`,
        {
          metadata: {
            name: plan.serviceAccount.name,
            namespace: plan.serviceAccount.namespace,
            labels: { ...plan.serviceAccount.labels },
            // The owns annotation comes from the resolved plan when owns held outputs. The role as
            // planned goes with it (role-plan.ts), so the policy pack can refuse a role changed after
            // compilation; written here, not kept in the plan, where every diff and plan would carry it.
            // The Vault resources as planned likewise (vault-plan.ts); they are created from `plan`, so recorded from it.
            annotations: resolved
              ? resolved.apply((p) => ({
                  ...p.serviceAccount.annotations,
                  [ROLE_PLAN_ANNOTATION]: rolePlanRecordText(p.iamRole),
                  [VAULT_PLAN_ANNOTATION]: vaultRecord,
                  ...p.bindings[index].serviceAccountAnnotations,
                }))
              : {
                  ...plan.serviceAccount.annotations,
                  [ROLE_PLAN_ANNOTATION]: rolePlanRecordText(plan.iamRole),
                  [VAULT_PLAN_ANNOTATION]: vaultRecord,
                  ...binding.serviceAccountAnnotations,
                },
          },
          automountServiceAccountToken: plan.serviceAccount.automountServiceAccountToken,
        },
        { ...parent, dependsOn: waitFor(resolved, namespace ? [namespace] : []), ...(providers[index] ? { provider: providers[index] } : {}) },
      );
    });
    const serviceAccount = serviceAccounts[0];

    const role = new aws.iam.Role(
      `${name}-role`,
      {
        name: plan.iamRole.name,
        description: `${plan.kind} identity of agent ${plan.serviceAccount.labels["agent-identity.io/agent"]} (managed by pulumi-agent-identity)`,
        assumeRolePolicy: resolved ? resolved.apply((p) => JSON.stringify(p.iamRole.trustPolicy)) : JSON.stringify(plan.iamRole.trustPolicy),
        maxSessionDuration: plan.iamRole.maxSessionDuration,
        permissionsBoundary: resolved ? resolved.apply((p) => p.iamRole.permissionsBoundary ?? undefined) : (plan.iamRole.permissionsBoundary ?? undefined),
        // Detach anything attached by hand before the role is replaced or deleted.
        forceDetachPolicies: true,
        tags: { ...plan.iamRole.tags },
      },
      parent,
    );

    // Documents from the resolved plan when the declaration held outputs (the names are the same: Agent checks).
    const documentOf = (pick: (p: IdentityPlan) => readonly { name: string; document: unknown }[] | undefined, policyName: string, fallback: unknown) =>
      resolved ? resolved.apply((p) => JSON.stringify(pick(p)?.find((d) => d.name === policyName)?.document ?? fallback)) : JSON.stringify(fallback);
    for (const policy of plan.iamRole.policies) {
      new aws.iam.RolePolicy(
        `${name}-${policy.name}`,
        { name: policy.name, role: role.name, policy: documentOf((p) => p.iamRole.policies, policy.name, policy.document) },
        parent,
      );
    }
    holdOnlyOwnPolicies(`${name}-role`, role, plan.iamRole.policies, parent);

    // tagged-sessions: the tool role, assumable only by Vault's AWS engine with one tool's session tags.
    const toolRole = plan.toolRole;
    if (toolRole) {
      const tools = new aws.iam.Role(
        `${name}-tool-role`,
        {
          name: toolRole.name,
          description: `tool sessions of agent ${plan.serviceAccount.labels["agent-identity.io/agent"]}: assumed only by Vault, one tool per session (managed by pulumi-agent-identity)`,
          assumeRolePolicy: JSON.stringify(toolRole.trustPolicy),
          maxSessionDuration: toolRole.maxSessionDuration,
          permissionsBoundary: resolved ? resolved.apply((p) => p.toolRole?.permissionsBoundary ?? undefined) : (toolRole.permissionsBoundary ?? undefined),
          forceDetachPolicies: true,
          tags: { ...toolRole.tags },
        },
        parent,
      );
      for (const policy of toolRole.policies) {
        new aws.iam.RolePolicy(
          `${name}-tool-role-${policy.name}`,
          { name: policy.name, role: tools.name, policy: documentOf((p) => p.toolRole?.policies, policy.name, policy.document) },
          parent,
        );
      }
      holdOnlyOwnPolicies(`${name}-tool-role`, tools, toolRole.policies, parent);
    }

    // EKS Pod Identity: one association per Pod Identity cluster; session tags stay on (the trust reads them).
    for (const binding of plan.bindings) {
      const association = binding.podIdentityAssociation;
      if (!association) continue;
      new aws.eks.PodIdentityAssociation(
        `${name}-${binding.cluster}-pod-identity`,
        {
          clusterName: association.clusterName,
          region: association.region,
          namespace: association.namespace,
          serviceAccount: association.serviceAccount,
          roleArn: role.arn,
          disableSessionTags: association.disableSessionTags,
          tags: { ...plan.iamRole.tags },
        },
        parent,
      );
    }

    let vaultPolicyName: pulumi.Output<string | undefined> | undefined;
    let vaultRoleName: pulumi.Output<string | undefined> | undefined;
    const vaultPlan = plan.vault;
    if (vaultPlan.policy && vaultPlan.role) {
      const policy = new vault.Policy(`${name}-vault-policy`, vaultPolicyInputs(vaultPlan.policy), parent);
      const roles = [vaultPlan.role, ...vaultPlan.additionalRoles];
      const authRoles = roles.map(
        (role, index) =>
          new vault.kubernetes.AuthBackendRole(
            // The first cluster keeps the single-cluster name; further ones are named by their cluster.
            index === 0 ? `${name}-vault-role` : `${name}-${plan.bindings[index].cluster}-vault-role`,
            // Reference the policy resource's name so Vault gets the policy before the role uses it.
            authRoleInputs(role, [policy.name]),
            { ...parent, dependsOn: waitFor(resolved, [...(args.wiring?.authBackends[role.backend] ?? [])]) },
          ),
      );
      // The outputs themselves, widened by type only: an `apply` per name would cost a promise chain each.
      vaultPolicyName = policy.name;
      vaultRoleName = authRoles[0].roleName;
    }
    for (const secretRole of vaultPlan.secretRoles) createSecretRole(name, secretRole, this, resolved, args.wiring);

    this.serviceAccountName = serviceAccount.metadata.name;
    this.serviceAccountNamespace = serviceAccount.metadata.namespace;
    this.roleName = role.name;
    this.roleArn = role.arn;
    this.vaultRoleName = vaultRoleName ?? pulumi.output(undefined);
    this.vaultPolicyName = vaultPolicyName ?? pulumi.output(undefined);
    this.registerOutputs({
      serviceAccountName: this.serviceAccountName,
      serviceAccountNamespace: this.serviceAccountNamespace,
      roleName: this.roleName,
      roleArn: this.roleArn,
      vaultRoleName: this.vaultRoleName,
      vaultPolicyName: this.vaultPolicyName,
    });
  }
}

/**
 * A role holds only the policies its plan writes: no managed policy, and exactly its planned inline
 * ones. If a role of that name already exists (a leftover, or one imported through a transform), the
 * update removes whatever it carried (iam/principal-exclusive-policies), and later out-of-band
 * attachments go at the next `pulumi up --refresh`.
 */
function holdOnlyOwnPolicies(name: string, role: aws.iam.Role, policies: readonly { name: string }[], parent: pulumi.CustomResourceOptions): void {
  new aws.iam.RolePolicyAttachmentsExclusive(`${name}-attachments`, { roleName: role.name, policyArns: [] }, parent);
  new aws.iam.RolePoliciesExclusive(`${name}-inline`, { roleName: role.name, policyNames: policies.map((p) => p.name) }, parent);
}

function createSecretRole(
  name: string,
  plan: SecretRolePlan,
  parent: pulumi.Resource,
  resolved: pulumi.Output<unknown> | undefined,
  wiring: PlatformWiring | undefined,
): pulumi.CustomResource {
  const mount = [...(wiring?.mounts[plan.backend] ?? [])];
  if (plan.type === "database") {
    // The connection must list this role in allowed_roles before Vault accepts it.
    const connection = wiring?.connections[plan.dbName];
    return new vault.database.SecretBackendRole(`${name}-secret-${plan.tool}`, databaseSecretRoleInputs(plan), {
      parent,
      dependsOn: waitFor(resolved, [...mount, ...(connection ? [connection] : [])]),
    });
  }
  return new vault.aws.SecretBackendRole(`${name}-secret-${plan.tool}`, awsSecretRoleInputs(plan), { parent, dependsOn: waitFor(resolved, mount) });
}
