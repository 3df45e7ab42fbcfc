/**
 * Types in the families that grant, authenticate, route traffic, hold secrets or record audit trails
 * that no adapter reads, each with the reason. The type-classification test
 * (test/policy/type-classification.test.ts) fails for any such type of the installed providers that
 * is neither read by an adapter nor named here.
 */
import type { Adapter, TypeEntry } from "../types";

/** Entries sharing one reason: each type is still named exactly. */
const because = (outOfScope: string, route: string, types: readonly string[]): TypeEntry[] => types.map((type) => ({ type, route, outOfScope }));

const USERS_AND_GROUPS =
  "users and groups are never agent identities, and an agent cannot become one: iam/privilege-escalation and iam/credentials-exposure refuse the actions that would";

/** Engine objects with a mount are read by vault-agent-mount-objects.ts (judged on the agents' own mounts); these have none. */
const VAULT_ENGINES = ["vault:managed/keys:Keys"];
const VAULT_MINTED_AT_DEPLOYMENT = [
  "vault:pkiSecret/secretBackendIntermediateSetSigned:SecretBackendIntermediateSetSigned",
  "vault:terraformcloud/secretCreds:SecretCreds",
];
const VAULT_MOUNTS = [
  "vault:aws/authBackendIdentityWhitelist:AuthBackendIdentityWhitelist",
  "vault:aws/authBackendRoletagBlacklist:AuthBackendRoletagBlacklist",
];

export const OUT_OF_SCOPE_ENTRIES: readonly TypeEntry[] = [
  // ---------------------------------------------------------------- AWS IAM, STS, SSO
  ...because(
    "runs nothing itself: a CodeBuild fleet is capacity for a project's builds (the project is refused as a deploy-time executor), a source credential is a token CodeBuild uses to read a repository",
    "build capacity and repository credentials of CodeBuild",
    ["aws:codebuild/fleet:Fleet", "aws:codebuild/sourceCredential:SourceCredential"],
  ),
  ...because(
    "names a state machine version or groups schedules: what runs is the state machine or schedule itself, refused or read as a deploy-time executor",
    "a name over state machines or schedules",
    ["aws:sfn/alias:Alias", "aws:scheduler/scheduleGroup:ScheduleGroup"],
  ),
  ...because(
    "an activity is a queue of tasks a worker outside AWS polls with its own credentials; it runs no code under a role of the stack",
    "a task queue for outside workers",
    ["aws:sfn/activity:Activity"],
  ),
  ...because(USERS_AND_GROUPS, "IAM users, groups and their credentials", ["aws:iam/virtualMfaDevice:VirtualMfaDevice"]),
  ...because("account settings: they grant no principal anything and authenticate no workload", "account-wide IAM settings", [
    "aws:iam/accountAlias:AccountAlias",
    "aws:iam/accountPasswordPolicy:AccountPasswordPolicy",
    "aws:iam/securityTokenServicePreferences:SecurityTokenServicePreferences",
    "aws:iam/organizationsFeatures:OrganizationsFeatures",
  ]),
  ...because(
    "turns on outbound identity federation for the account; it grants nothing: a principal still needs sts:GetWebIdentityToken in its own policy, which the IAM permission checks judge",
    "lets the account's principals get AWS-signed web identity tokens",
    ["aws:iam/outboundWebIdentityFederation:OutboundWebIdentityFederation"],
  ),
  ...because(
    "trusts only its AWS service and carries AWS's own policy; no agent role is service-linked, and a tool role may not trust one (trust/tool-role-vault-only)",
    "a role an AWS service assumes for itself",
    ["aws:iam/serviceLinkedRole:ServiceLinkedRole"],
  ),
  // ---------------------------------------------------------------- AWS DNS and certificates (what answers for a name: dns-redirection, vault-host-identity)
  ...because(
    "decides nothing about what a name resolves to: IP-based routing data, a reusable set of name servers, health checks for records (the records are read), DNSSEC signing and validation, query logging, reverse (PTR) lookups, Resolver endpoints (only the Resolver rules that use them forward, and they are read)",
    "Route 53 plumbing around the records, zones and rules",
    [
      "aws:route53/cidrCollection:CidrCollection",
      "aws:route53/cidrLocation:CidrLocation",
      "aws:route53/delegationSet:DelegationSet",
      "aws:route53/healthCheck:HealthCheck",
      "aws:route53/hostedZoneDnsSec:HostedZoneDnsSec",
      "aws:route53/keySigningKey:KeySigningKey",
      "aws:route53/queryLog:QueryLog",
      "aws:route53/resolverConfig:ResolverConfig",
      "aws:route53/resolverDnsSecConfig:ResolverDnsSecConfig",
      "aws:route53/resolverEndpoint:ResolverEndpoint",
      "aws:route53/resolverQueryLogConfig:ResolverQueryLogConfig",
      "aws:route53/resolverQueryLogConfigAssociation:ResolverQueryLogConfigAssociation",
    ],
  ),
  ...because(
    "holds or routes nothing until used: a traffic policy is a document whose instances (read) create records; a Route 53 Profile is empty until resources and VPCs are associated (both read); a firewall domain list or rule group matches only through rules (read: an override answer is refused) and group associations (read); the firewall config only says whether lookups fail open",
    "Route 53 containers and documents",
    [
      "aws:route53/trafficPolicy:TrafficPolicy",
      "aws:route53/profilesProfile:ProfilesProfile",
      "aws:route53/resolverFirewallDomainList:ResolverFirewallDomainList",
      "aws:route53/resolverFirewallRuleGroup:ResolverFirewallRuleGroup",
      "aws:route53/resolverFirewallConfig:ResolverFirewallConfig",
    ],
  ),
  ...because(
    "an HTTP namespace creates no DNS zone or record: its instances are found by the DiscoverInstances API only (AWS Cloud Map Developer Guide, namespace types), so it answers no lookup",
    "a Cloud Map namespace without DNS",
    ["aws:servicediscovery/httpNamespace:HttpNamespace"],
  ),
  ...because("waits for an ACM certificate's validation; the names are the certificate's, which is read (stack/vault-host-identity)", "ACM validation", [
    "aws:acm/certificateValidation:CertificateValidation",
  ]),
  ...because(
    "a private CA, its own CA certificate and ACM's permission to renew from it issue nothing for a name by themselves: certificates come from ACM PCA certificates and ACM private certificates, both read (stack/vault-host-identity); who may issue from the CA is its policy, read (resource-policies)",
    "ACM Private CA authorities",
    [
      "aws:acmpca/certificateAuthority:CertificateAuthority",
      "aws:acmpca/certificateAuthorityCertificate:CertificateAuthorityCertificate",
      "aws:acmpca/permission:Permission",
    ],
  ),
  ...because(
    "IAM Roles Anywhere lets X.509 certificate holders assume roles that trust rolesanywhere.amazonaws.com; an agent role's trust never admits that service (trust/service-principal, trust/web-identity-only)",
    "role sessions for certificate holders outside AWS",
    ["aws:rolesanywhere/profile:Profile", "aws:rolesanywhere/trustAnchor:TrustAnchor"],
  ),
  ...because(
    "IAM Identity Center users and groups are people, never agent identities; what they may do comes from permission sets (below)",
    "workforce users and groups",
    // A GroupMembership hands out the group's account assignments: iam/outside-principal (outside-principals.ts).
    ["aws:identitystore/user:User", "aws:identitystore/group:Group"],
  ),
  ...because(
    "permission sets give Identity Center users (people) AWSReservedSSO_* roles in accounts; an agent identity is never an Identity Center principal, and an agent role's trust admits no SSO role",
    "Identity Center permission sets and their assignments",
    ["aws:ssoadmin/permissionSet:PermissionSet", "aws:ssoadmin/permissionsBoundaryAttachment:PermissionsBoundaryAttachment"],
  ),
  ...because(
    "Identity Center applications, attributes, token issuers and regions: they decide how people sign in to applications, not what an agent identity holds",
    "Identity Center configuration",
    [
      "aws:ssoadmin/application:Application",
      "aws:ssoadmin/applicationAccessScope:ApplicationAccessScope",
      "aws:ssoadmin/applicationAssignment:ApplicationAssignment",
      "aws:ssoadmin/applicationAssignmentConfiguration:ApplicationAssignmentConfiguration",
      "aws:ssoadmin/instanceAccessControlAttributes:InstanceAccessControlAttributes",
      "aws:ssoadmin/trustedTokenIssuer:TrustedTokenIssuer",
      "aws:ssoadmin/region:Region",
    ],
  ),
  {
    type: "other AWS resource policies (SSM documents' permissions, Serverless application policies ...)",
    route: "may grant an agent role access in the same account without its identity policy",
    outOfScope: "not read yet: review them by hand; the pack reads the services agents' tools use most (table above)",
  },
  // ---------------------------------------------------------------- AWS data forwarding (what they connect is read: aws-forwarding)
  ...because(
    "connects a delivery source to a destination; both are read (separation/agent-data-copy): a source of an agent's resource, or a destination writing into one, is refused",
    "a vended-log delivery",
    ["aws:cloudwatch/logDelivery:LogDelivery"],
  ),
  ...because(
    "lets other accounts deliver into, or subscribe their own log groups to, a destination; this account's log groups reach it only through subscription filters and deliveries, which are read (separation/agent-data-copy)",
    "who may send to a log destination",
    ["aws:cloudwatch/logDeliveryDestinationPolicy:LogDeliveryDestinationPolicy", "aws:cloudwatch/logDestinationPolicy:LogDestinationPolicy"],
  ),
  ...because(
    "who a share reaches is its principals, what it exposes its resource associations; the associations are read (separation/agent-data-copy), so a share of an agent's resource is refused whoever its principals are",
    "a RAM share and its principals",
    ["aws:ram/resourceShare:ResourceShare", "aws:ram/principalAssociation:PrincipalAssociation"],
  ),
  ...because(
    "an Access Grants instance holds nothing until a location and a grant are added; locations, grants and the instance's resource policy are read (separation/agent-data-copy)",
    "the account's S3 Access Grants instance",
    ["aws:s3control/accessGrantsInstance:AccessGrantsInstance"],
  ),
  // ---------------------------------------------------------------- AWS CloudWatch (the audit trail's neighbours)
  // Every aws:* resource is still searched for an agent's audit log group name (stack/audit-log-group):
  // these types are out of scope only in what else they do.
  ...because(
    "alarms and their mute rules act on metrics, never on log events; an agent's audit group yields no metric (metric filters on it are refused)",
    "alarms on metrics",
    ["aws:cloudwatch/metricAlarm:MetricAlarm", "aws:cloudwatch/compositeAlarm:CompositeAlarm", "aws:cloudwatch/alarmMuteRule:AlarmMuteRule"],
  ),
  ...because(
    "streams or enriches metrics and telemetry, not log events; no agent's audit group yields a metric (metric filters on it are refused)",
    "metric and telemetry routing",
    ["aws:cloudwatch/metricStream:MetricStream", "aws:cloudwatch/otelEnrichment:OtelEnrichment"],
  ),
  ...because(
    "a managed Contributor Insights rule analyses a named AWS resource's own metrics (a DynamoDB table's keys), never a log group",
    "managed contributor analysis",
    ["aws:cloudwatch/contributorManagedInsightRule:ContributorManagedInsightRule"],
  ),
  ...because(
    "a dashboard renders widgets with the viewer's own permissions (identity grants, judged); a log widget naming an agent's audit group is refused as any resource naming it",
    "dashboards",
    ["aws:cloudwatch/dashboard:Dashboard"],
  ),
  ...because(
    "a saved Logs Insights query stores text only; running it needs logs:StartQuery on the group, an identity grant the holdings model judges (allowlisted by stack/audit-log-group)",
    "saved queries",
    ["aws:cloudwatch/queryDefinition:QueryDefinition"],
  ),
  ...because(
    "EventBridge buses, archives, connections, endpoints and API destinations carry events only where rules and targets send them; rules and targets are read (separation/agent-data-copy), bus policies too (resource-policies)",
    "EventBridge plumbing",
    [
      "aws:cloudwatch/eventBus:EventBus",
      "aws:cloudwatch/eventArchive:EventArchive",
      "aws:cloudwatch/eventConnection:EventConnection",
      "aws:cloudwatch/eventEndpoint:EventEndpoint",
      "aws:cloudwatch/eventApiDestination:EventApiDestination",
    ],
  ),
  ...because(
    "lets another account or organisation put events on a bus; it reads nothing of this account, and what reaches agents' resources from the bus is decided by rules and targets, which are read",
    "who may send events to a bus",
    ["aws:cloudwatch/eventPermission:EventPermission"],
  ),
  // ---------------------------------------------------------------- AWS cross-account observability, Observability Admin, Security Lake, X-Ray
  // Links, centralization and telemetry rules and pipelines are read (observability-sharing.ts); sink policies too (resource-policies).
  ...because(
    "a sink is the monitoring account's side of cross-account observability: other accounts' telemetry arrives through it, none of this account's leaves; who may link is its sink policy, which is read",
    "where other accounts' telemetry arrives",
    ["aws:oam/sink:Sink"],
  ),
  ...because(
    "turns on the discovery of telemetry settings (StartTelemetryEvaluation) or the tagging of infrastructure metrics with resource tags (StartTelemetryEnrichment): it reads or labels telemetry, moves no log event",
    "audits or tags telemetry settings",
    [
      "aws:observabilityadmin/telemetryEvaluation:TelemetryEvaluation",
      "aws:observabilityadmin/telemetryEvaluationForOrganization:TelemetryEvaluationForOrganization",
      "aws:observabilityadmin/telemetryEnrichment:TelemetryEnrichment",
    ],
  ),
  ...because(
    "an S3 Tables integration copies nothing until a data source is associated with it; the association (aws.cloudwatch.LogS3TableIntegrationSource) is read by stack/audit-log-group",
    "the target of CloudWatch's S3 Tables copies",
    ["aws:observabilityadmin/s3TableIntegration:S3TableIntegration"],
  ),
  ...because(
    "Security Lake collects copies of AWS logs (CloudTrail, VPC flow, Route 53 ...) into the account's lake; the sources keep their own record, and who reads the lake is its subscribers, which are read (separation/agent-data-copy)",
    "Security Lake's lake and its sources",
    [
      "aws:securitylake/awsLogSource:AwsLogSource",
      "aws:securitylake/customLogSource:CustomLogSource",
      "aws:securitylake/dataLake:DataLake",
      "aws:securitylake/subscriberNotification:SubscriberNotification",
    ],
  ),
  ...because(
    "X-Ray groups, sampling and indexing rules, trace encryption and the segment destination shape how traces are sampled, kept and stored; traces are not the agents' audit log, and who reads them is decided by identity grants and the X-Ray resource policy, both read",
    "X-Ray trace settings",
    [
      "aws:xray/encryptionConfig:EncryptionConfig",
      "aws:xray/group:Group",
      "aws:xray/indexingRule:IndexingRule",
      "aws:xray/samplingRule:SamplingRule",
      "aws:xray/traceSegmentDestination:TraceSegmentDestination",
    ],
  ),
  // ---------------------------------------------------------------- AWS KMS, Secrets Manager
  ...because("encrypts a value with a key at deployment time; it grants nothing", "a ciphertext made at deployment", ["aws:kms/ciphertext:Ciphertext"]),
  ...because("a CloudHSM or external key store behind keys; access to each key is by its key policy and grants, which are read", "where keys live", [
    "aws:kms/customKeyStore:CustomKeyStore",
  ]),
  ...because("the secret's value; who may read it is in the secret's resource policy and in identity policies, both read", "a secret's value", [
    "aws:secretsmanager/secretVersion:SecretVersion",
  ]),
  ...because(
    "rotation runs a Lambda function under the function's own role, whose trust admits lambda.amazonaws.com, which an agent role's trust never does",
    "rotates a secret",
    ["aws:secretsmanager/secretRotation:SecretRotation"],
  ),
  ...because("a tag on a secret; agents' grants name resources by ARN (their declared owns), so a tag changes no agent identity's grant", "a tag on a secret", [
    "aws:secretsmanager/tag:Tag",
  ]),
  // ---------------------------------------------------------------- Deploy-time executors (what runs is refused: deploy-executors)
  ...because(
    "holds a template for later; it deploys nothing until provisioned, and provisioning in a stack is a ProvisionedProduct (stack/deploy-time-executor, refused unless declared)",
    "a Service Catalog product and its versions",
    ["aws:servicecatalog/product:Product", "aws:servicecatalog/provisioningArtifact:ProvisioningArtifact"],
  ),
  ...because(
    "decides who may launch which products (under a launch constraint's role); a principal still needs servicecatalog:ProvisionProduct in its own policy, which the IAM rules judge, and provisioning in a stack is refused unless declared (stack/deploy-time-executor)",
    "Service Catalog portfolios, their members and launch constraints",
    [
      "aws:servicecatalog/portfolio:Portfolio",
      "aws:servicecatalog/portfolioShare:PortfolioShare",
      "aws:servicecatalog/principalPortfolioAssociation:PrincipalPortfolioAssociation",
      "aws:servicecatalog/productPortfolioAssociation:ProductPortfolioAssociation",
      "aws:servicecatalog/constraint:Constraint",
      "aws:servicecatalog/organizationsAccess:OrganizationsAccess",
    ],
  ),
  ...because(
    "a self-service action runs an SSM document on a provisioned product only when a person starts it, never at deployment; the documents that run are refused unless declared (stack/deploy-time-executor)",
    "Service Catalog self-service actions",
    ["aws:servicecatalog/serviceAction:ServiceAction"],
  ),
  ...because("catalog metadata (applications, attribute groups, budgets, tag options); it runs nothing and grants nothing", "Service Catalog metadata", [
    "aws:servicecatalog/appregistryApplication:AppregistryApplication",
    "aws:servicecatalog/appregistryAttributeGroup:AppregistryAttributeGroup",
    "aws:servicecatalog/appregistryAttributeGroupAssociation:AppregistryAttributeGroupAssociation",
    "aws:servicecatalog/budgetResourceAssociation:BudgetResourceAssociation",
    "aws:servicecatalog/tagOption:TagOption",
    "aws:servicecatalog/tagOptionResourceAssociation:TagOptionResourceAssociation",
  ]),
  ...because(
    "a schedule and the instances it targets; it runs nothing without a task, and maintenance window tasks are refused unless declared (stack/deploy-time-executor)",
    "SSM maintenance windows and their targets",
    ["aws:ssm/maintenanceWindow:MaintenanceWindow", "aws:ssm/maintenanceWindowTarget:MaintenanceWindowTarget"],
  ),
  ...because(
    "which operating-system patches instances approve; patching runs only through an association or maintenance window task, both refused unless declared (stack/deploy-time-executor)",
    "SSM patch baselines",
    ["aws:ssm/patchBaseline:PatchBaseline", "aws:ssm/patchGroup:PatchGroup", "aws:ssm/defaultPatchBaseline:DefaultPatchBaseline"],
  ),
  ...because(
    "a configuration value (a SecureString encrypted by a KMS key whose policy is read); who may read it is decided by identity policies, which are read",
    "an SSM parameter",
    ["aws:ssm/parameter:Parameter"],
  ),
  ...because(
    "registers machines outside AWS under an IAM role that must trust ssm.amazonaws.com, which an agent role's trust never admits (trust/service-principal, trust/web-identity-only)",
    "hybrid machine activation",
    ["aws:ssm/activation:Activation"],
  ),
  ...because(
    "account-level SSM settings (parameter tier and throughput, the default instance management role, which must trust ssm.amazonaws.com: an agent role's trust never admits it); they run nothing",
    "SSM service settings",
    ["aws:ssm/serviceSetting:ServiceSetting"],
  ),
  ...because("copies SSM inventory (instance metadata, installed software) to a bucket; it carries no agent credential or data", "SSM inventory sync", []),
  ...because("an Incident Manager on-call rotation of people's contacts; it grants nothing and runs nothing", "on-call rotations", [
    "aws:ssm/contactsRotation:ContactsRotation",
  ]),
  ...because(
    "enables a Control Tower control that AWS manages (a service control policy, a Config rule or a proactive hook); it only restricts or detects",
    "Control Tower guardrails",
    ["aws:controltower/controlTowerControl:ControlTowerControl"],
  ),
  // ---------------------------------------------------------------- AWS EKS
  ...because(
    "its pod execution role must trust eks-fargate-pods.amazonaws.com, which an agent role's trust never admits (and is judged by stack/deploy-time-executor); pods keep their own identity through IRSA",
    "compute the cluster runs pods on",
    ["aws:eks/fargateProfile:FargateProfile"],
  ),
  ...because(
    "an EKS capability (Argo CD, ACK, kro) runs under a role that trusts capabilities.eks.amazonaws.com, which an agent role's trust never admits",
    "managed controllers in the cluster",
    ["aws:eks/capability:Capability"],
  ),
  // ---------------------------------------------------------------- Kubernetes
  ...because(
    "a validating admission policy runs CEL inside the API server and only refuses requests; it grants nothing and sends nothing out",
    "validates objects at admission",
    [
      "kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicy",
      "kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicyBinding",
      "kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicyBindingList",
      "kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicyBindingPatch",
      "kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicyList",
      "kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicyPatch",
      "kubernetes:admissionregistration.k8s.io/v1alpha1:ValidatingAdmissionPolicy",
      "kubernetes:admissionregistration.k8s.io/v1alpha1:ValidatingAdmissionPolicyBinding",
      "kubernetes:admissionregistration.k8s.io/v1alpha1:ValidatingAdmissionPolicyBindingList",
      "kubernetes:admissionregistration.k8s.io/v1alpha1:ValidatingAdmissionPolicyBindingPatch",
      "kubernetes:admissionregistration.k8s.io/v1alpha1:ValidatingAdmissionPolicyList",
      "kubernetes:admissionregistration.k8s.io/v1alpha1:ValidatingAdmissionPolicyPatch",
      "kubernetes:admissionregistration.k8s.io/v1beta1:ValidatingAdmissionPolicy",
      "kubernetes:admissionregistration.k8s.io/v1beta1:ValidatingAdmissionPolicyBinding",
      "kubernetes:admissionregistration.k8s.io/v1beta1:ValidatingAdmissionPolicyBindingList",
      "kubernetes:admissionregistration.k8s.io/v1beta1:ValidatingAdmissionPolicyBindingPatch",
      "kubernetes:admissionregistration.k8s.io/v1beta1:ValidatingAdmissionPolicyList",
      "kubernetes:admissionregistration.k8s.io/v1beta1:ValidatingAdmissionPolicyPatch",
    ],
  ),
  ...because(
    "defines a kind and grants nothing; custom resources of it are read as other kinds (workloads: one naming an agent ServiceAccount fails closed)",
    "a custom resource definition",
    [
      "kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition",
      "kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinitionList",
      "kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinitionPatch",
      "kubernetes:apiextensions.k8s.io/v1beta1:CustomResourceDefinition",
      "kubernetes:apiextensions.k8s.io/v1beta1:CustomResourceDefinitionList",
      "kubernetes:apiextensions.k8s.io/v1beta1:CustomResourceDefinitionPatch",
    ],
  ),
  ...because(
    "a stored snapshot of a DaemonSet's or StatefulSet's pod template; its controller uses it only to roll back a workload the pack reads",
    "a workload's revision history",
    [
      "kubernetes:apps/v1:ControllerRevision",
      "kubernetes:apps/v1:ControllerRevisionList",
      "kubernetes:apps/v1:ControllerRevisionPatch",
      "kubernetes:apps/v1beta1:ControllerRevision",
      "kubernetes:apps/v1beta1:ControllerRevisionList",
      "kubernetes:apps/v1beta1:ControllerRevisionPatch",
      "kubernetes:apps/v1beta2:ControllerRevision",
      "kubernetes:apps/v1beta2:ControllerRevisionList",
      "kubernetes:apps/v1beta2:ControllerRevisionPatch",
    ],
  ),
  ...because("a stored pod template; it runs no pod (a workload built from it is read)", "a reusable pod template", [
    "kubernetes:core/v1:PodTemplate",
    "kubernetes:core/v1:PodTemplateList",
    "kubernetes:core/v1:PodTemplatePatch",
  ]),
  ...because("PodSecurityPolicy was removed in Kubernetes 1.25; where still served it only restricts pods", "pod admission limits (removed API)", [
    "kubernetes:extensions/v1beta1:PodSecurityPolicy",
    "kubernetes:extensions/v1beta1:PodSecurityPolicyList",
    "kubernetes:extensions/v1beta1:PodSecurityPolicyPatch",
    "kubernetes:policy/v1beta1:PodSecurityPolicy",
    "kubernetes:policy/v1beta1:PodSecurityPolicyList",
    "kubernetes:policy/v1beta1:PodSecurityPolicyPatch",
  ]),
  // ---------------------------------------------------------------- Vault
  ...because(
    "issues credentials, keys or certificates of another system; only a token whose policies reach its path can use it, and every Vault policy is read (vault/policy-*) and judged by the paths it reaches",
    "a secrets engine or role for another system",
    VAULT_ENGINES,
  ),
  ...because(
    "ACME on a PKI mount needs no Vault token (an external account binding, when required, only names the account), but Vault issues a name only after the requester proves control of it by http-01, tls-alpn-01 or dns-01, which for the Vault host needs its DNS or its traffic: stack/dns-redirection and stack/vault-host-identity refuse those; the names a directory issues for are its role's (read) or, under sign-verbatim, any name so proven",
    "ACME issuance from a PKI mount",
    ["vault:pkiSecret/backendConfigAcme:BackendConfigAcme", "vault:pkiSecret/backendAcmeEab:BackendAcmeEab"],
  ),
  ...because(
    "issues a credential or certificate to the deployment itself (kept in Pulumi state) under the deployer's Vault token; no agent identity holds it",
    "credentials minted at deployment",
    VAULT_MINTED_AT_DEPLOYMENT,
  ),
  ...because(
    "enables or configures an engine or auth method; it grants nothing until a role hands out policies (vault/agent-policy-use) and a policy reaches its path (vault/policy-*)",
    "a mount, auth method or its configuration",
    VAULT_MOUNTS,
  ),

  ...because("MFA methods and their enforcement only add a login requirement; they grant nothing", "multi-factor login", [
    "vault:identity/mfaDuo:MfaDuo",
    "vault:identity/mfaLoginEnforcement:MfaLoginEnforcement",
    "vault:identity/mfaOkta:MfaOkta",
    "vault:identity/mfaPingid:MfaPingid",
    "vault:identity/mfaTotp:MfaTotp",
    "vault:index/mfaDuo:MfaDuo",
    "vault:index/mfaOkta:MfaOkta",
    "vault:index/mfaPingid:MfaPingid",
    "vault:index/mfaTotp:MfaTotp",
  ]),
  ...because(
    "Vault as an OIDC provider signs identity tokens for clients; a token reaches identity/oidc/token only through a policy path, which is read",
    "Vault's OIDC identity provider",
    [
      "vault:identity/oidc:Oidc",
      "vault:identity/oidcAssignment:OidcAssignment",
      "vault:identity/oidcClient:OidcClient",
      "vault:identity/oidcKey:OidcKey",
      "vault:identity/oidcKeyAllowedClientID:OidcKeyAllowedClientID",
      "vault:identity/oidcProvider:OidcProvider",
      "vault:identity/oidcRole:OidcRole",
      "vault:identity/oidcScope:OidcScope",
    ],
  ),
  ...because("they only restrict (deny) requests; they cannot grant", "Sentinel policies (Enterprise)", [
    "vault:index/egpPolicy:EgpPolicy",
    "vault:index/rgpPolicy:RgpPolicy",
  ]),
  ...because("rate and lease-count limits only restrict requests", "quotas", [
    "vault:index/quotaLeaseCount:QuotaLeaseCount",
    "vault:index/quotaRateLimit:QuotaRateLimit",
  ]),
  ...because(
    "a Vault Enterprise namespace is a path prefix: policies inside it are read, and generic writes refuse sys/, auth/ and identity/ at any depth",
    "Vault Enterprise namespaces",
    ["vault:index/namespace:Namespace"],
  ),
  ...because("cluster operation (autopilot, a UI banner); grants nothing", "Vault operation settings", [
    "vault:index/raftAutopilot:RaftAutopilot",
    "vault:config/uiCustomMessage:UiCustomMessage",
  ]),
  ...because(
    "a secrets-sync destination or its global settings copy nothing until an association names a secret; associations are read (separation/agent-data-copy, vault-sync)",
    "where Vault secrets sync may copy to",
    [
      "vault:secrets/syncAwsDestination:SyncAwsDestination",
      "vault:secrets/syncAzureDestination:SyncAzureDestination",
      "vault:secrets/syncConfig:SyncConfig",
      "vault:secrets/syncGcpDestination:SyncGcpDestination",
      "vault:secrets/syncGhDestination:SyncGhDestination",
      "vault:secrets/syncGithubApps:SyncGithubApps",
      "vault:secrets/syncVercelDestination:SyncVercelDestination",
    ],
  ),
];

export const OUT_OF_SCOPE: Adapter = {
  family: "out-of-scope",
  holdings: "none",
  types: OUT_OF_SCOPE_ENTRIES,
};
