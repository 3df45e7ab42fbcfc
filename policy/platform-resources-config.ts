/**
 * Platform resources the security team declares for the pack, in CrossGuard policy configuration
 * (`kubernetesPlatformResources`, beside `exceptions` and `kubernetesOperators`): set on the policy
 * group outside the pull request, so a change cannot declare its own resource. In a stack with
 * agents, a cluster-scoped custom resource (its operator acts over every namespace) and a Helm v3
 * Release (its chart renders inside the provider, unread), a second Vault or Kubernetes provider
 * for another server or cluster (policy/adapters/providers.ts), a Vault JWT role nothing of which
 * excludes an agent's ServiceAccount token (vault-jwt-logins.ts) and a CSIDriver requesting tokens
 * for an agent audience (csi-drivers.ts) are refused unless declared here by the resource's
 * URN (its parent chain, stack and project included) and a digest of its inputs (inputsDigest):
 * another resource of the same type and name, or the same resource with other inputs (another
 * template, command or user data), is not declared. A declaration never covers a resource that names an agent's namespace or
 * ServiceAccount (refused whatever it says). Vault entity aliases on agent-usable auth mounts and
 * groups adding members by ID or keeping an existing group's members with policies, and policies
 * added to an entity or group the stack does not create (vault-platform.ts), auth mounts' trust roots
 * (vault-auth-trust.ts), AWS resources that create other resources or run code at deployment
 * (CloudFormation stacks, Cloud Control resources ...: deploy-executors.ts, refused in every stack
 * unless declared) and a CloudTrail trail or event data store that records less than every
 * management event of every region, can be stopped, or hands the record to another account
 * (cloudtrail.ts), a destructive setting of a bucket the stack does not create (trail-buckets.ts) and
 * a DNS change that may redirect the Vault host (dns-redirection.ts), a certificate, PKI role, CA or route that may answer
 * as the Vault host (vault-host-identity.ts) and a Kubernetes object landing in kube-system or
 * changing an existing namespace's objects (kubernetes-placement.ts), a Vault engine object on an agent's mount
 * (vault-agent-mount-objects.ts) and an SSH role signing user logins (vault-ssh-roles.ts) are declarable the same way; per-resource policies honour the declarations too.
 * A configuration that does not parse declares nothing.
 */
import { z } from "zod";
import { readInputs } from "./inputs";
import { digestOfInputs } from "./inputs-digest";

/** The declarable resource types (the last type of a URN's type chain). */
const TYPE =
  "(?:kubernetes:[A-Za-z0-9.-]{1,253}/[A-Za-z0-9]{1,63}:[A-Za-z0-9]{1,63}|pulumi:providers:(?:vault|kubernetes)|aws:[a-z0-9]{1,40}/[A-Za-z0-9]{1,63}:[A-Za-z0-9]{1,63}|vault:jwt/authBackendRole:AuthBackendRole|vault:(?:jwt|github|ldap|okta|saml|gcp)/authBackend:AuthBackend|vault:azure/authBackendConfig:AuthBackendConfig|vault:index/ociAuthBackend:OciAuthBackend|vault:aws/authBackend(?:Client:AuthBackendClient|Cert:AuthBackendCert|StsRole:AuthBackendStsRole|ConfigIdentity:AuthBackendConfigIdentity)|vault:kubernetes/secretBackend(?:Role:SecretBackendRole|:SecretBackend)|vault:index/(?:mount:Mount|authBackend:AuthBackend|plugin:Plugin|pluginPinnedVersion:PluginPinnedVersion|raftSnapshotAgentConfig:RaftSnapshotAgentConfig)|vault:database/secretsMount:SecretsMount|vault:ad/(?:secretBackend:SecretBackend|secretLibrary:SecretLibrary|secretRole:SecretRole)|vault:aws/secretBackendStaticRole:SecretBackendStaticRole|vault:azure/(?:backend:Backend|backendRole:BackendRole)|vault:consul/secretBackend:SecretBackend|vault:gcp/(?:secretBackend:SecretBackend|secretImpersonatedAccount:SecretImpersonatedAccount|secretRoleset:SecretRoleset|secretStaticAccount:SecretStaticAccount)|vault:index/nomadSecretBackend:NomadSecretBackend|vault:kmip/(?:secretBackend:SecretBackend|secretRole:SecretRole|secretScope:SecretScope)|vault:ldap/(?:secretBackend:SecretBackend|secretBackendDynamicRole:SecretBackendDynamicRole|secretBackendLibrarySet:SecretBackendLibrarySet|secretBackendStaticRole:SecretBackendStaticRole)|vault:mongodbatlas/(?:secretBackend:SecretBackend|secretRole:SecretRole)|vault:pkiSecret/(?:backendConfigAutoTidy:BackendConfigAutoTidy|backendConfigCluster:BackendConfigCluster|backendConfigCmpv2:BackendConfigCmpv2|backendConfigEst:BackendConfigEst|backendConfigScep:BackendConfigScep|secretBackendConfigIssuers:SecretBackendConfigIssuers|secretBackendConfigUrls:SecretBackendConfigUrls|secretBackendCrlConfig:SecretBackendCrlConfig|secretBackendIssuer:SecretBackendIssuer)|vault:rabbitMq/(?:secretBackend:SecretBackend|secretBackendRole:SecretBackendRole)|vault:ssh/(?:secretBackendCa:SecretBackendCa|secretBackendRole:SecretBackendRole)|vault:terraformcloud/(?:secretBackend:SecretBackend|secretRole:SecretRole)|vault:transform/(?:alphabet:Alphabet|role:Role|template:Template|transformation:Transformation)|vault:transit/(?:secretBackendKey:SecretBackendKey|secretCacheConfig:SecretCacheConfig)|vault:aws/secretBackend:SecretBackend|vault:kubernetes/authBackendConfig:AuthBackendConfig|vault:identity/(?:entityAlias:EntityAlias|group:Group|groupMemberEntityIds:GroupMemberEntityIds|groupMemberGroupIds:GroupMemberGroupIds|entityPolicies:EntityPolicies|groupPolicies:GroupPolicies)|vault:pkiSecret/(?:secretBackendRole:SecretBackendRole|secretBackendCert:SecretBackendCert|secretBackendSign:SecretBackendSign|secretBackendRootSignIntermediate:SecretBackendRootSignIntermediate|secretBackendRootCert:SecretBackendRootCert|secretBackendIntermediateCertRequest:SecretBackendIntermediateCertRequest|secretBackendKey:SecretBackendKey|secretBackendConfigCa:SecretBackendConfigCa)|(?!(?:aws|vault|kubernetes|pulumi):)[a-z][a-z0-9-]{0,63}:[A-Za-z0-9._/-]{1,128}:[A-Za-z0-9]{1,63})";
const TYPE_PATTERN = new RegExp(`^${TYPE}$`);
const DIGEST = /^sha256:[0-9a-f]{64}$/;

/**
 * A resource's full URN: `urn:pulumi:<stack>::<project>::<parent type>$...$<type>::<name>`. The parent
 * chain is part of it, so a resource of the same type and name under another parent (or in another
 * stack or project) is another URN. Read by splitting, not by one backtracking pattern.
 */
function isDeclarableUrn(urn: string): boolean {
  // No space, control or format character (NUL, bidi controls): a declaration names a URN literally.
  if (!urn.startsWith("urn:pulumi:") || /[\s\p{Cc}\p{Cf}]/u.test(urn)) return false;
  const [stack, project, chain, ...name] = urn.slice("urn:pulumi:".length).split("::");
  if (!stack || !project || !chain || name.length === 0 || name.join("::") === "") return false;
  const types = chain.split("$");
  return types.length <= 20 && TYPE_PATTERN.test(types[types.length - 1]!);
}

const platformResourceSchema = z
  .object({
    urn: z
      .string()
      .max(4000)
      .refine(isDeclarableUrn, "the full URN of a declarable resource, e.g. urn:pulumi:prod::network::aws:cloudformation/stack:Stack::platform-network"),
    inputsDigest: z.string().regex(DIGEST, "sha256:<64 hex digits>, as the pack's finding or `agent-identity inputs-digest` prints it"),
    reason: z.string().min(10).max(500),
    approvedBy: z.string().min(1).max(200),
  })
  .strict();
const platformResourcesSchema = z.array(platformResourceSchema).max(200);

const { $schema: _drop, ...jsonSchema } = z.toJSONSchema(platformResourcesSchema, { io: "input" }) as Record<string, unknown>;
void _drop;

/** The `kubernetesPlatformResources` property of every policy's configuration schema. */
export const PLATFORM_RESOURCES_CONFIG_PROPERTY = jsonSchema;

/** How a finding names a resource a declaration may cover (in words; the declaration itself names the URN). */
export const platformResourceKey = (type: string, name: string) => `${type}::${name}`;

/**
 * The digest a declaration pins a resource's inputs to (inputs-digest.ts). Undefined when an input is unknown (at preview): what is not known cannot be
 * matched, so the resource stays refused until its inputs are known.
 */
export function inputsDigest(props: Record<string, unknown>): string | undefined {
  const inputs = readInputs(props);
  if (inputs.unknown.length > 0) return undefined;
  return digestOfInputs(inputs.value);
}

/** The declared inputs digests by URN (none when the configuration does not parse). */
export type DeclaredPlatformResources = ReadonlyMap<string, ReadonlySet<string>>;

const NONE: DeclaredPlatformResources = new Map();
const parsedOf = new WeakMap<object, DeclaredPlatformResources>();

/** The resources declared in a policy's configuration (none when it does not parse), parsed once per configuration object. */
export function declaredPlatformResources(config: unknown): DeclaredPlatformResources {
  if (!config || typeof config !== "object") return NONE;
  const known = parsedOf.get(config);
  if (known) return known;
  const raw = (config as { kubernetesPlatformResources?: unknown }).kubernetesPlatformResources;
  const parsed = raw === undefined ? undefined : platformResourcesSchema.safeParse(raw);
  const out = new Map<string, Set<string>>();
  if (parsed?.success) for (const entry of parsed.data) out.set(entry.urn, new Set([...(out.get(entry.urn) ?? []), entry.inputsDigest]));
  parsedOf.set(config, out);
  return out;
}

/** Whether the resource at `urn`, whose inputs have `digest`, is declared. */
export const isDeclaredPlatformResource = (declared: DeclaredPlatformResources, urn: string, digest: string | undefined) =>
  digest !== undefined && (declared.get(urn)?.has(digest) ?? false);
