/**
 * Rules about platform resources the plan does not hold per agent (audit devices, auth backend
 * configs, database connections, the AWS engine, NetworkPolicies, Namespaces) and about Vault and
 * IAM grants judged by what they reach rather than by name. Only stack resources carry them, so
 * the policy pack checks them (policy/checks/); the components' own resources pass.
 */
import { meta, PACK } from "./define";
import { standards } from "./standards";
import type { RuleMeta } from "./types";

const PLATFORM = standards(["NHI5", "NHI9"], ["ASI03"], ["L4 Deployment & Infrastructure", "L6 Security & Compliance"], ["MEASURE 2.7"]);
const AUDIT = standards(["NHI5"], ["ASI03", "ASI10"], ["L5 Evaluation & Observability", "L6 Security & Compliance"], ["MEASURE 2.8", "MANAGE 2.4"]);
const REACH = standards(["NHI5", "NHI9"], ["ASI03"], ["L4 Deployment & Infrastructure", "L7 Agent Ecosystem"], ["MEASURE 2.7"]);

export const PLATFORM_RESOURCE_RULES: readonly RuleMeta[] = [
  meta(
    "stack/provider-endpoints",
    "stack",
    "error",
    "Resources are judged as what the declared platform receives, so no AWS provider overrides service `endpoints` or sets `insecure`, no Vault provider sets `skipTlsVerify`, and no resource is created through such a provider; a stack's Vault providers name one address, unless the security team declares a provider in kubernetesPlatformResources (by the provider's URN and inputs digest); in a stack with agents, a Kubernetes provider for a cluster (kubeconfig, context, cluster) other than those the agents' ServiceAccounts are created through is refused unless declared (never when its default namespace is an agent's), and so is any object it creates in an agent namespace.",
    PLATFORM,
    PACK.both,
  ),
  meta(
    "vault/audit-device",
    "vault",
    "error",
    "A `vault.Audit` device is a file or TCP socket device as `platform.bootstrap.audit` allows (file path not under /dev, /proc or /sys; socket to a private or loopback address, never UDP), never `log_raw`, with no option beyond those; every `vault.AuditRequestHeader` sets `hmac: true`; no `vault.Mount`, `vault.database.SecretsMount` or auth mount `tune` lists audit non-HMAC request/response keys, passthrough request headers or allowed response headers (the trail would hold agents' secrets and tokens in clear).",
    AUDIT,
    PACK.resource,
  ),
  meta(
    "vault/auth-backend-host",
    "vault",
    "error",
    "A Kubernetes auth backend config calls an EKS API server endpoint with a pinned CA certificate, of a cluster whose OIDC issuer the agents' IRSA roles trust (endpoint and issuer carry one id); its `issuer`, if set, is that cluster's, `disableIssValidation` and `pemKeys` stay unset; each API server and each backend has one config, so a second config cannot point a cluster's TokenReview at another API server.",
    PLATFORM,
    PACK.both,
  ),
  meta(
    "vault/aws-engine",
    "vault",
    "error",
    "The AWS secrets engine gets its own credentials from a role (`roleArn` with plugin identity tokens), never static `accessKey`/`secretKey`; `stsEndpoint`, `iamEndpoint` and `stsFallbackEndpoints` are unset or AWS's own endpoints (`https://sts[-fips][.<region>].amazonaws.com[.cn]`, `https://iam[-fips][.us-gov|.<region>].amazonaws.com[.cn]`); one engine per mount and one engine per stack, so a second engine on an admin role cannot stand in for the one tool roles trust.",
    PLATFORM,
    PACK.both,
  ),
  meta(
    "vault/agent-path-reach",
    "vault",
    "error",
    "No Vault policy other than an identity's own reaches a path that identity holds (its STS or database credentials, its KV data, metadata, subkeys, delete, undelete and destroy paths), by Vault's glob (`*` suffix) and `+` segment semantics, an identity template matching every value, paths compared cleaned as Vault's listener cleans them; no write resource writes such a path; no second secret role mints an agent's exact tool session, assumes a role an agent's tool assumes, or mints users on an agent's database connection (its grants read by the SQL parser), and no static role sits on such a connection. What controls what agents get counts as reaching them, as an allowlist: under `identity/` a platform policy reaches only the default policy's self-reads of its own entity; on a secrets mount an agent's held path or secret role uses, only issuing paths (KV v2's data, metadata, subkeys, delete, undelete, destroy; AWS `creds`/`sts`; database `creds`/`static-creds`), never its config, roles or rotation; a glob reaching `sys/` or the agents' auth mount beyond `login` is refused too (literal `sys/` and `auth/` paths are vault/policy-system-path's). Shares are declared in the plan (`platform.shared`), which the pack cannot read: here every such reach is refused.",
    REACH,
    PACK.stack,
  ),
  meta(
    "database/connection-tls",
    "database",
    "error",
    "A Vault database connection's URL (`vault.database.SecretBackendConnection`, or one embedded in a `vault.database.SecretsMount`) verifies the server's certificate (`sslmode=verify-full` or `verify-ca`; never `disable`, `allow`, `prefer` or `require`), and carries no credentials but Vault's templates.",
    PLATFORM,
    PACK.resource,
  ),
  meta(
    "database/connection-root-login",
    "database",
    "error",
    "A Vault database connection the stack writes (`vault.database.SecretBackendConnection`, or one embedded in a `vault.database.SecretsMount`) names its own root login, `username` and a non-empty `password`, as `platform.bootstrap.databaseConnections` does (`passwordConfigKey`): Vault keeps the root password it stores under a connection's name when a write leaves it out, so a connection written without one (a re-point of an existing connection, such as an agent's) would send the stored, rotated root password to whatever host its URL names. A password unknown at preview is judged at update, when it is known.",
    PLATFORM,
    PACK.resource,
  ),
  meta(
    "database/connection-allowed-roles",
    "database",
    "error",
    "A Vault database connection's `allowedRoles` lists exact role names, never `*` or a glob, and across the stack exactly the database secret roles of this stack that use it.",
    PLATFORM,
    PACK.both,
  ),
  meta(
    "kubernetes/egress-private",
    "kubernetes",
    "error",
    "A NetworkPolicy (or a Patch of one, such as the agents' default deny) allows egress only to in-cluster selectors and private /16-or-narrower IPv4 blocks (10/8, 172.16/12, 192.168/16, 100.64/10); an egress rule without `to` allows every destination, and a `namespaceSelector` pinning no label (`{}`) reaches every pod of every namespace (a proxy out). A CiliumNetworkPolicy in an agent namespace, and every CiliumClusterwideNetworkPolicy, is judged the same way (no `world`, `all` or `cluster` entity, no public `toCIDR`, no peer field the pack does not read).",
    PLATFORM,
    PACK.both,
  ),
  meta(
    "kubernetes/pod-security",
    "kubernetes",
    "error",
    "An agent namespace enforces the `restricted` Pod Security level (`pod-security.kubernetes.io/enforce`, version `latest` or unset); no Namespace or NamespacePatch relaxes it to `baseline` or `privileged`, pins an older `enforce-version`, or sets its `warn` or `audit` level to anything but `restricted` (version `latest` or unset).",
    PLATFORM,
    PACK.both,
  ),
  meta(
    "kubernetes/node-access",
    "kubernetes",
    "error",
    "No workload the stack creates or patches, in any namespace (Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob, ReplicationController and their Patches), reaches the node or other pods' tokens beyond the Pod Security Standards baseline profile, and no storage hands a node's files to whatever pod claims it: a PersistentVolume's source is network or cloud storage on the allowlist (a CSI source only of the AWS EBS, EFS, FSx or S3 drivers), a StorageClass's provisioner one of those drivers (or `kubernetes.io/aws-ebs`, `kubernetes.io/no-provisioner`), anything else (`hostPath`, `local`, `flexVolume`, `rancher.io/local-path`, `hostpath.csi.k8s.io` ...) unless declared in kubernetesPlatformResources; custom resources are read wherever they carry a pod spec (any object with a `containers` list): no `privileged` container, `hostNetwork`, `hostPID`, `hostIPC`, hostPath volume, host port, capability outside baseline's list, `procMount` other than Default, SELinux type, user or role outside baseline's, seccomp or AppArmor `Unconfined`, sysctl outside baseline's list, Windows HostProcess, probe host, inline CSI volume of a driver not listed (`secrets-store.csi.k8s.io`, `s3.csi.aws.com`) or FlexVolume; such a field unknown at preview fails closed. The security team may declare a workload's exact grants in the pack's `kubernetesNodeAccess` configuration (kind, namespace, metadata.name, and every container the grant reaches with its image: a pod-level grant, or any grant with shareProcessNamespace, reaches every container).",
    PLATFORM,
    PACK.resource,
  ),
  meta(
    "kubernetes/kube-system-config",
    "kubernetes",
    "error",
    "No ConfigMap (or Patch, or List item) in `kube-system`, where cluster DNS (CoreDNS, kube-dns, NodeLocal DNSCache) and kube-proxy read their configuration, nor one named as their configuration (`coredns`, `coredns-custom`, `kube-dns`, `node-local-dns`, `kube-proxy`, `kube-proxy-config`) in any namespace, is created or patched unless the security team declares it in the pack's kubernetesPlatformResources configuration: a hosts entry or forward there redirects agents' Vault logins. `aws-auth` is judged by kubernetes/eks-access; a DNS or kube-proxy name with a namespace unknown at preview, or a name and namespace both unknown, fails closed.",
    PLATFORM,
    PACK.resource,
  ),
  meta(
    "kubernetes/object-placement",
    "kubernetes",
    "error",
    "In a stack with agents, every Kubernetes object outside agents' namespaces is judged by where it lands: a namespaced one states its namespace (metadata.namespace or the provider's `namespace`; the kubeconfig context's is not read); nothing lands in `kube-system`, `kube-public` or `kube-node-lease`; in a namespace the stack does not create, every object is refused, since any of them may be an imported twin of one that exists there (a policy does not see the import option, and an import with other inputs imports then updates), and the message names the sharper reason where there is one (a Patch, an upserting provider, a Role or RoleBinding, a token Secret, a pod reading the namespace's Secrets or volumes or running as an account declared there, an EndpointSlice, a custom kind); a custom resource only of a kind on a sourced allowlist (PrometheusRule anywhere; in a namespace the stack creates also bounded cert-manager Certificates and Issuers and Prometheus monitors), every other kind refused in any namespace; a Namespace the stack creates that holds objects is relied on as its own and refused until declared (a policy cannot tell it from an imported existing namespace of the same name); no Patch of a cluster-scoped object other than a Namespace the stack creates, and no cluster-scoped object created of a kind no other rule reads whole (only Namespaces, ClusterRoles and bindings, PersistentVolumes, StorageClasses, CSIDrivers, admission webhooks and policies, and CertificateSigningRequests are). Each is refused unless the security team declares the resource in kubernetesPlatformResources; a field unknown at preview fails closed.",
    PLATFORM,
    PACK.stack,
  ),
  meta(
    "stack/dns-redirection",
    "stack",
    "error",
    "Nothing the stack creates redirects the names agents resolve (their Vault's host, AWS endpoints) unless the security team declares the resource in the pack's kubernetesPlatformResources configuration: no `corefile` in the `coredns` EKS add-on's `configurationValues`; no EndpointSlice, Endpoints or Service (or Patch) in `kube-system`, nor a Service named as cluster DNS (`kube-dns`, `coredns`, `node-local-dns`) anywhere; no Route 53 record, records set, traffic policy instance, private hosted zone or Resolver rule for an AWS endpoint name (`amazonaws.com` and its parents) or a Resolver DNS Firewall rule answering with an override; no VPC DHCP options set naming a DNS server other than `AmazonProvidedDNS` or a domain other than the region's default (`ec2.internal`, `<region>.compute.internal`), and no DHCP options association bringing a set other than `default` or one of this stack's sets that passes; in a stack with agents, no Route 53 record, zone, Resolver rule or their associations (zone, Route 53 Profile and VPC association authorizations among them), Cloud Map DNS namespace or service for a name covering a Vault host the stack's Vault providers name (a Cloud Map service in a namespace by id, an instance added to a service by id, a DNS Firewall rule group association of a group the stack does not create, a VPC endpoint with private DNS for a service neither AWS's nor the stack's, and an endpoint service whose private DNS name covers the Vault host are refused), and, when no Vault provider names its address (the pack is not told the Vault's host), for any name.",
    PLATFORM,
    PACK.both,
  ),
  meta(
    "vault/kubernetes-secrets-engine",
    "vault",
    "error",
    "In a stack with agents, no Vault Kubernetes secrets engine mount or role is created unless the security team declares it in kubernetesPlatformResources: a role mints a ServiceAccount token for the account it names, or creates a ServiceAccount bound to a Role or ClusterRole it names or generates, for whoever reads its creds path, and the mount's configured account can do all of that. A role whose allowed namespaces include an agent's namespace, `*` or any glob, a selector or a value unknown at preview is refused even when declared: an agent's ServiceAccount token is its AWS and Vault identity.",
    PLATFORM,
    PACK.stack,
  ),
  meta(
    "stack/vault-host-identity",
    "stack",
    "error",
    "Nothing the stack creates can answer as the Vault host agents log in to (a Vault provider's address) unless the security team declares the resource in kubernetesPlatformResources: in a stack with agents, no certificate covers it by TLS name matching (a cert-manager Certificate's dnsNames, ipAddresses or commonName, an ACM or IAM server certificate's names or imported body, a Vault PKI `secretBackendCert`), and none is issued from a CSR the pack does not parse (cert-manager CertificateRequest, ACM PCA certificate, Vault PKI `secretBackendSign`) or is a CA (cert-manager `isCA`); no Vault PKI role admits it (`allow_any_name`, `allowed_domains` by bare, subdomain, glob or identity-template match, `allow_ip_sans` for an IP host); no intermediate CA is signed without `permittedDnsDomains` excluding it, and no CA key is generated `exported` (into Pulumi state) or imported with its private key (`secretBackendConfigCa`); no Ingress, Gateway API Gateway or route, Istio VirtualService, ServiceEntry, Gateway or DestinationRule, external-dns DNSEndpoint or `external-dns.alpha.kubernetes.io/hostname` annotation claims it, and no Service's in-cluster DNS name (`<name>.<namespace>.svc.cluster.local` and the forms pods' search list completes) is a known Vault host. When no Vault provider names its address, every such resource is refused in a stack with agents. In any stack, no certificate or PKI role is for an AWS endpoint name (`*.amazonaws.com`).",
    PLATFORM,
    PACK.stack,
  ),
  meta(
    "kubernetes/rbac-guard-edit",
    "kubernetes",
    "error",
    "No Role or ClusterRole bound to an agent ServiceAccount lets it change NetworkPolicies, RBAC (roles and bindings) or ServiceAccounts, its own included.",
    PLATFORM,
    PACK.stack,
  ),
  meta(
    "kubernetes/projected-token",
    "kubernetes",
    "error",
    "A workload labelled as an agent's, or in an agent namespace, does not set `automountServiceAccountToken: true`, and every projected ServiceAccount token any workload mounts sets `expirationSeconds` of at most 3600; in a stack with agents, no CSIDriver's `tokenRequests` names an audience agents' credentials accept (their Vault audience, `sts.amazonaws.com`, `pods.eks.amazonaws.com`, or the API server's: none, `https://kubernetes.default.svc` or another in-cluster name of it) unless the security team declares the driver in kubernetesPlatformResources.",
    PLATFORM,
    PACK.both,
  ),
  meta(
    "stack/deploy-time-executor",
    "stack",
    "error",
    "Closed world over resources that create other resources or run code at deployment or boot under a role, where the pack cannot read what they do: a CloudFormation stack, stack set, stack set instance or registered type, a Cloud Control resource, a Service Catalog provisioned product, an SSM document that runs (Command, Automation, Policy, CloudFormation ...: every type but those that only configure), an SSM association, maintenance window task or Quick Setup configuration, a Lambda invocation, a CodePipeline pipeline (it runs when created), an Image Builder image (built when created), a Control Tower landing zone or baseline; an EC2 instance, spot request, launch template or launch configuration with user data, an instance profile or a launch template, a spot fleet, EC2 fleet, Auto Scaling group or EMR cluster; a Step Functions state machine, a CodeBuild project or webhook; an EventBridge target with a role or a running target (SSM, Step Functions, CodeBuild, ECS, Batch, SageMaker, API destination), a Scheduler schedule or pipe whose target runs (universal aws-sdk targets included); pulumi-command's local and remote commands and copies, and dynamic providers (Node.js and Python). In a stack with agents, also any AWS resource (IAM's own aside) whose role-bearing input (a name ending in role, roleArn, roleName, roles or instanceProfile, at any depth) is not a role or instance profile the stack creates (unknown at preview: not an output of one), and any EventBridge or Scheduler target, pipe, S3 notification, SNS subscription, Lambda permission, event source mapping, event invoke config or function URL reaching a Lambda function the stack does not create. Each is refused unless the security team declares the resource in the pack's configuration (kubernetesPlatformResources: its URN and inputs digest). Templates, scripts and definitions are never parsed: they may come from a URL or be unknown at preview, so reading them could never be complete.",
    PLATFORM,
    PACK.both,
  ),
  meta(
    "stack/unread-package",
    "stack",
    "error",
    "Closed world over provider packages: a resource of any package other than aws, vault, kubernetes, Pulumi's own and this project's components is refused before creation (its provider may run code or call any API with the deployer's credentials), unless it is one of the sourced types that only compute values locally (random, tls) or the security team declares it in kubernetesPlatformResources (URN and inputs digest). A component of another package registered without inputs or provider runs nothing itself and is not refused; its children are judged.",
    PLATFORM,
    PACK.resource,
  ),
  meta(
    "stack/one-role-per-identity",
    "stack",
    "error",
    "At most one IAM role is tagged as each agent identity (besides the execution identity's tool role), so a second role cannot carry grants under the identity's name.",
    PLATFORM,
    PACK.stack,
  ),
];
