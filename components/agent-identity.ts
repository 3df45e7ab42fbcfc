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
import { renderVaultPolicy } from "./core/vault-policy";
import { waitFor } from "./pending-platform";

export interface AgentIdentityArgs {
  /** The compiled identity (from `compileAgent`); validated by the caller. */
  readonly plan: IdentityPlan;
  /** The agent's Namespace resource, when the agent has its own; the ServiceAccount waits for it. */
  readonly namespace?: pulumi.Resource;
  /**
   * The identity compiled again once platform outputs (OIDC provider, boundary) resolved and
   * validated: the trust policy and boundary come from it, and every child waits for it.
   */
  readonly resolved?: pulumi.Output<IdentityPlan>;
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

    const serviceAccount = new k8s.core.v1.ServiceAccount(
      `${name}-service-account`,
      {
        metadata: {
          name: plan.serviceAccount.name,
          namespace: plan.serviceAccount.namespace,
          labels: { ...plan.serviceAccount.labels },
          annotations: { ...plan.serviceAccount.annotations },
        },
        automountServiceAccountToken: plan.serviceAccount.automountServiceAccountToken,
      },
      { ...parent, dependsOn: waitFor(resolved, args.namespace ? [args.namespace] : []) },
    );

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

    for (const policy of plan.iamRole.policies) {
      new aws.iam.RolePolicy(
        `${name}-${policy.name}`,
        { name: policy.name, role: role.name, policy: JSON.stringify(policy.document) },
        parent,
      );
    }

    let vaultPolicyName: pulumi.Output<string | undefined> | undefined;
    let vaultRoleName: pulumi.Output<string | undefined> | undefined;
    const vaultPlan = plan.vault;
    if (vaultPlan.policy && vaultPlan.role) {
      const policy = new vault.Policy(
        `${name}-vault-policy`,
        { name: vaultPlan.policy.name, policy: renderVaultPolicy(vaultPlan.policy.paths) },
        parent,
      );
      const role = vaultPlan.role;
      const authRole = new vault.kubernetes.AuthBackendRole(
        `${name}-vault-role`,
        {
          backend: role.backend,
          roleName: role.name,
          boundServiceAccountNames: [...role.boundServiceAccountNames],
          boundServiceAccountNamespaces: [...role.boundServiceAccountNamespaces],
          audience: role.audience,
          tokenTtl: role.tokenTtl,
          tokenMaxTtl: role.tokenMaxTtl,
          // Reference the policy resource's name so Vault gets the policy before the role uses it.
          tokenPolicies: [policy.name],
          tokenNoDefaultPolicy: role.tokenNoDefaultPolicy,
          aliasNameSource: role.aliasNameSource,
          // Left out (not sent as {}) where the declared Vault does not store it.
          aliasMetadata: role.aliasMetadata ? { ...role.aliasMetadata } : undefined,
        },
        parent,
      );
      // The outputs themselves, widened by type only: an `apply` per name would cost a promise chain each.
      vaultPolicyName = policy.name;
      vaultRoleName = authRole.roleName;
    }
    for (const secretRole of vaultPlan.secretRoles) createSecretRole(name, secretRole, parent);

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

function createSecretRole(name: string, plan: SecretRolePlan, options: pulumi.CustomResourceOptions): pulumi.CustomResource {
  if (plan.type === "database") {
    return new vault.database.SecretBackendRole(
      `${name}-secret-${plan.tool}`,
      {
        backend: plan.backend,
        name: plan.name,
        dbName: plan.dbName,
        creationStatements: [...plan.creationStatements],
        revocationStatements: plan.revocationStatements.length ? [...plan.revocationStatements] : undefined,
        defaultTtl: plan.defaultTtl,
        maxTtl: plan.maxTtl,
      },
      options,
    );
  }
  return new vault.aws.SecretBackendRole(
    `${name}-secret-${plan.tool}`,
    {
      backend: plan.backend,
      name: plan.name,
      credentialType: plan.credentialType,
      roleArns: [...plan.roleArns],
      defaultStsTtl: plan.defaultStsTtl,
      maxStsTtl: plan.maxStsTtl,
    },
    options,
  );
}
