/**
 * Resource policies (bucket, key, queue, topic, secret policies ...), Lambda permissions and KMS
 * grants: they may give an agent role access its identity policy does not show, or give everyone
 * access. Per resource: a statement allowing every principal or NotPrincipal, a document unknown at
 * preview or unreadable, a Lambda permission for `*`. Across the stack: a statement, permission or
 * grant naming an agent role is that identity's grant.
 */
import { asList, type PolicyDocument, type PolicyStatement } from "../../components/core/iam-document";
import type { Problem } from "../../components/rules/define";
import { checkPermissionPolicy } from "../../components/rules/iam";
import { asString, asStrings, readPolicyDocument, type KnownInputs } from "../inputs";
import type { Adapter, PackFinding, PackResource } from "../types";
import { judgeAgentPrincipals, SHARE_RULE } from "./agent-principals";
import { KMS_GRANT_TYPE, kmsGrantDocument } from "./kms-grants";
import { agentRoles, finding, namedAgentRole, readOfType, type AgentRole, type Read } from "./shared";
import type { StackIndex } from "../stack-index";
import { ACCESS_POINT_TYPES, asBucketStatement } from "./s3-access-points";

export const RESOURCE_POLICY_ADAPTER_TYPES = {
  lambdaPermission: "aws:lambda/permission:Permission",
  kmsGrant: KMS_GRANT_TYPE,
  functionUrl: "aws:lambda/functionUrl:FunctionUrl",
} as const;

export const RESOURCE_POLICY_TYPES: Readonly<Record<string, string>> = {
  "aws:s3/bucketPolicy:BucketPolicy": "policy",
  "aws:s3/bucket:Bucket": "policy",
  "aws:s3/bucketV2:BucketV2": "policy",
  "aws:secretsmanager/secretPolicy:SecretPolicy": "policy",
  "aws:secretsmanager/secret:Secret": "policy",
  "aws:kms/key:Key": "policy",
  "aws:kms/keyPolicy:KeyPolicy": "policy",
  "aws:sqs/queue:Queue": "policy",
  "aws:sqs/queuePolicy:QueuePolicy": "policy",
  "aws:sns/topic:Topic": "policy",
  "aws:sns/topicPolicy:TopicPolicy": "policy",
  "aws:ecr/repositoryPolicy:RepositoryPolicy": "policy",
  "aws:cloudwatch/logResourcePolicy:LogResourcePolicy": "policyDocument",
  "aws:efs/fileSystemPolicy:FileSystemPolicy": "policy",
  "aws:opensearch/domainPolicy:DomainPolicy": "accessPolicies",
  "aws:apigateway/restApiPolicy:RestApiPolicy": "policy",
  "aws:backup/vaultPolicy:VaultPolicy": "policy",
  "aws:ecr/registryPolicy:RegistryPolicy": "policy",
  "aws:ecrpublic/repositoryPolicy:RepositoryPolicy": "policy",
  "aws:glacier/vaultLock:VaultLock": "policy",
  "aws:s3control/accessPointPolicy:AccessPointPolicy": "policy",
  "aws:s3/accessPoint:AccessPoint": "policy",
  "aws:cloudwatch/eventBusPolicy:EventBusPolicy": "policy",
  "aws:kinesis/resourcePolicy:ResourcePolicy": "policy",
  "aws:dynamodb/resourcePolicy:ResourcePolicy": "policy",
  "aws:codeartifact/repositoryPermissionsPolicy:RepositoryPermissionsPolicy": "policyDocument",
  "aws:kms/replicaKey:ReplicaKey": "policy",
  "aws:kms/externalKey:ExternalKey": "policy",
  "aws:kms/replicaExternalKey:ReplicaExternalKey": "policy",
  "aws:opensearch/domain:Domain": "accessPolicies",
  "aws:elasticsearch/domain:Domain": "accessPolicies",
  "aws:elasticsearch/domainPolicy:DomainPolicy": "accessPolicies",
  "aws:apigateway/restApi:RestApi": "policy",
  "aws:glue/resourcePolicy:ResourcePolicy": "policy",
  "aws:s3control/multiRegionAccessPointPolicy:MultiRegionAccessPointPolicy": "details.policy",
  "aws:s3control/objectLambdaAccessPointPolicy:ObjectLambdaAccessPointPolicy": "policy",
  // Every other IAM-format resource policy the installed @pulumi/aws exports (its Args name the input).
  "aws:acmpca/policy:Policy": "policy",
  "aws:amp/resourcePolicy:ResourcePolicy": "policyDocument",
  "aws:apigateway/domainName:DomainName": "policy",
  "aws:bedrock/agentcoreResourcePolicy:AgentcoreResourcePolicy": "policy",
  "aws:codeartifact/domainPermissions:DomainPermissions": "policyDocument",
  "aws:codebuild/resourcePolicy:ResourcePolicy": "policy",
  "aws:dsql/clusterPolicy:ClusterPolicy": "policy",
  "aws:ecr/repositoryCreationTemplate:RepositoryCreationTemplate": "repositoryPolicy",
  "aws:glacier/vault:Vault": "accessPolicy",
  "aws:lambda/resourcePolicy:ResourcePolicy": "policy",
  "aws:mediastore/containerPolicy:ContainerPolicy": "policy",
  "aws:msk/clusterPolicy:ClusterPolicy": "policy",
  "aws:networkfirewall/resourcePolicy:ResourcePolicy": "policy",
  "aws:oam/sinkPolicy:SinkPolicy": "policy",
  "aws:opensearchingest/resourcePolicy:ResourcePolicy": "policy",
  "aws:pinpoint/smsvoicev2ResourcePolicy:Smsvoicev2ResourcePolicy": "policy",
  "aws:redshift/resourcePolicy:ResourcePolicy": "policy",
  "aws:redshiftserverless/resourcePolicy:ResourcePolicy": "policy",
  "aws:s3/filesFileSystemPolicy:FilesFileSystemPolicy": "policy",
  "aws:s3/vectorsVectorBucketPolicy:VectorsVectorBucketPolicy": "policy",
  "aws:s3control/bucketPolicy:BucketPolicy": "policy",
  "aws:s3tables/tableBucketPolicy:TableBucketPolicy": "resourcePolicy",
  "aws:s3tables/tablePolicy:TablePolicy": "resourcePolicy",
  "aws:schemas/registryPolicy:RegistryPolicy": "policy",
  "aws:ses/identityPolicy:IdentityPolicy": "policy",
  "aws:sesv2/emailIdentityPolicy:EmailIdentityPolicy": "policy",
  "aws:vpclattice/authPolicy:AuthPolicy": "policy",
  "aws:vpclattice/resourcePolicy:ResourcePolicy": "policy",
  "aws:xray/resourcePolicy:ResourcePolicy": "policyDocument",
};

/** The policy input of a resource-policy type (a path: `details.policy`). */
export function policyInput(type: string, v: Record<string, unknown>): unknown {
  return RESOURCE_POLICY_TYPES[type]
    .split(".")
    .reduce<unknown>((at, key) => (at && typeof at === "object" ? (at as Record<string, unknown>)[key] : undefined), v);
}

const RULE = "iam/resource-policy";
const IAM_CHECKS = ["iam/action-wildcard", "iam/privilege-escalation", "iam/resource-wildcard", "separation/cross-agent-grant"];

const principalsOf = (statement: PolicyStatement): string[] | "*" => {
  const principal = (statement as { Principal?: unknown }).Principal;
  if (principal === "*") return "*";
  if (!principal || typeof principal !== "object") return [];
  const aws = asList((principal as { AWS?: string | string[] }).AWS);
  return aws.includes("*") ? "*" : aws;
};

/** The readable policy document of a resource-policy input, or the problem that makes it unreadable; undefined when unset. */
function readResourcePolicy(resource: PackResource, inputs: KnownInputs): PolicyDocument | Problem | undefined {
  const field = RESOURCE_POLICY_TYPES[resource.type];
  if (inputs.unknown.some((path) => path === field || path.startsWith(`${field}.`) || field.startsWith(`${path}.`)))
    return {
      rule: RULE,
      message: `${resource.type} ${resource.name}: ${field} is unknown at preview, so the principals it allows cannot be read`,
      fix: "build the policy from known values (an ARN from a known name) so the pack can read it",
    };
  const value = policyInput(resource.type, inputs.value);
  if (value === undefined || value === "") return undefined;
  return (
    readPolicyDocument(value) ?? {
      rule: RULE,
      message: `${resource.type} ${resource.name}: ${field} is not a readable policy document`,
      fix: "pass a JSON policy document with a Statement list",
    }
  );
}

const isDocument = (read: PolicyDocument | Problem | undefined): read is PolicyDocument => read !== undefined && "Statement" in read;

/**
 * Every readable resource-policy document of the stack, and each KMS grant with a known grantee as
 * the key-policy statement it is equivalent to (kms-grants.ts): one list for the agent-role and the
 * other-principal judges (aws-principals.ts). Unknown or unreadable documents are reported per resource.
 */
export function resourcePolicyDocuments(ix: StackIndex): Array<{ r: Read; document: PolicyDocument }> {
  const out: Array<{ r: Read; document: PolicyDocument }> = [];
  for (const type of Object.keys(RESOURCE_POLICY_TYPES))
    for (const r of readOfType(ix, type)) {
      const read = readResourcePolicy(r.resource, { value: r.v, unknown: r.unknown });
      if (isDocument(read)) out.push({ r, document: read });
    }
  for (const r of readOfType(ix, RESOURCE_POLICY_ADAPTER_TYPES.kmsGrant)) {
    const document = kmsGrantDocument(r);
    if (document) out.push({ r, document });
  }
  return out;
}

/** What one resource's policy shows alone: everyone allowed, NotPrincipal, unreadable or unknown. */
function resourcePolicyProblems(resource: PackResource, inputs: KnownInputs): Problem[] {
  const read = readResourcePolicy(resource, inputs);
  if (read === undefined) return [];
  if (!isDocument(read)) return [read];
  const problems: Problem[] = [];
  for (const statement of read.Statement.filter((s) => s.Effect === "Allow")) {
    if (principalsOf(statement) === "*")
      problems.push({
        rule: RULE,
        message: `${resource.type} ${resource.name} allows ${asList(statement.Action).join(", ") || "(NotAction)"} to every principal ("*")`,
        fix: "name the principals; every agent role is a principal",
      });
    else if ((statement as { NotPrincipal?: unknown }).NotPrincipal !== undefined)
      problems.push({ rule: RULE, message: `${resource.type} ${resource.name} allows with NotPrincipal (everyone not listed)`, fix: "name the principals" });
  }
  return problems;
}

export const resourcePolicies: Adapter = {
  family: "resource-policies",
  holdings: "a resource-policy statement naming an agent role is added to that identity's AWS grants, as the role's own statement without the principal",
  types: [
    ...Object.keys(RESOURCE_POLICY_TYPES).map((type) => ({
      type,
      route: `a resource policy (${RESOURCE_POLICY_TYPES[type]}) that may name an agent role or everyone`,
      checkedBy: [RULE, ...IAM_CHECKS],
    })),
    {
      type: RESOURCE_POLICY_ADAPTER_TYPES.lambdaPermission,
      key: "lambdaPermission",
      route: "lets a principal invoke or manage a function",
      checkedBy: [RULE],
    },
    {
      type: RESOURCE_POLICY_ADAPTER_TYPES.kmsGrant,
      key: "kmsGrant",
      route: "gives a principal operations on a KMS key: read as the key-policy statement it is equivalent to",
      checkedBy: [RULE, SHARE_RULE, ...IAM_CHECKS],
    },
    ...[ACCESS_POINT_TYPES.multiRegionAccessPoint, ACCESS_POINT_TYPES.objectLambdaAccessPoint].map((type) => ({
      type,
      route: "an access point in front of buckets: read to find the bucket its policy's statements reach",
      checkedBy: ["separation/undeclared-share"],
    })),
    {
      type: RESOURCE_POLICY_ADAPTER_TYPES.functionUrl,
      key: "functionUrl",
      route: "an HTTPS endpoint of a function; authorizationType NONE lets anyone on the internet invoke it",
      required: ["authorizationType"],
      checkedBy: [RULE, "stack/unknown-input"],
    },
  ],
  check: (resource, inputs) => {
    if (RESOURCE_POLICY_TYPES[resource.type]) return resourcePolicyProblems(resource, inputs);
    // Like a permission for `*`, whoever the function is: its role's grants (an agent's data) answer the internet.
    if (
      resource.type === RESOURCE_POLICY_ADAPTER_TYPES.functionUrl &&
      asString(inputs.value.authorizationType) !== "AWS_IAM" &&
      !inputs.unknown.includes("authorizationType")
    )
      return [
        {
          rule: RULE,
          message: `Lambda function URL ${resource.name} of ${asString(inputs.value.functionName) ?? "a function"} has authorizationType ${asString(inputs.value.authorizationType) ?? "(missing)"}: anyone may invoke it`,
          fix: "set authorizationType AWS_IAM and grant lambda:InvokeFunctionUrl to named principals",
        },
      ];
    if (resource.type === RESOURCE_POLICY_ADAPTER_TYPES.kmsGrant && asString(inputs.value.granteePrincipal) === "*")
      return [
        {
          rule: RULE,
          message: `KMS grant ${resource.name} gives * ${asStrings(inputs.value.operations).join(", ") || "key operations"} on ${asString(inputs.value.keyId) ?? "a key"}`,
          fix: "name the grantee principal; never grant to *",
        },
      ];
    if (resource.type === RESOURCE_POLICY_ADAPTER_TYPES.lambdaPermission && asString(inputs.value.principal) === "*")
      return [
        {
          rule: RULE,
          message: `Lambda permission ${resource.name} lets * ${asString(inputs.value.action) ?? "act"} on ${asString(inputs.value.function) ?? "a function"}`,
          fix: "grant an agent what its tools need in its declaration; never grant to *",
        },
      ];
    return [];
  },
  stack: (ix, pass) => {
    const { findings, extraPolicies } = pass;
    const roles = agentRoles(ix);
    const hold = (role: AgentRole, document: PolicyDocument) => {
      const key = role.name.toLowerCase();
      const list = extraPolicies.get(key);
      if (list) list.push(document);
      else extraPolicies.set(key, [document]);
    };
    for (const { r, document: read } of resourcePolicyDocuments(ix)) {
      for (const [index, statement] of read.Statement.entries()) {
        if (statement.Effect !== "Allow") continue;
        const principals = principalsOf(statement);
        if (principals === "*" || (statement as { NotPrincipal?: unknown }).NotPrincipal !== undefined) continue; // per resource
        // The statement as the role's own grant: same actions, resources and conditions, no principal.
        // Through an access point, the bucket behind it (s3-access-points.ts).
        const grant = asBucketStatement(
          ix,
          r,
          Object.fromEntries(Object.entries(statement).filter(([field]) => field !== "Principal")) as unknown as PolicyStatement,
        );
        const via = {
          what: `${r.resource.type} ${r.resource.name} (${r.resource.type === KMS_GRANT_TYPE ? "as a key-policy statement" : `statement ${statement.Sid ?? `#${index + 1}`}`})`,
          urn: r.resource.urn,
          name: r.resource.name,
        };
        // Within what the identity's plan holds, or an undeclared share (agent-principals.ts).
        const matched = judgeAgentPrincipals(ix, pass, roles, principals, grant, via);
        for (const role of new Set(matched)) {
          const document: PolicyDocument = { Version: "2012-10-17", Statement: [grant] };
          hold(role, document);
          findings.push(...checkPermissionPolicy(document).map((p): PackFinding => ({ ...p, agent: role.agent, identity: role.kind, urn: r.resource.urn })));
        }
      }
    }
    for (const r of readOfType(ix, RESOURCE_POLICY_ADAPTER_TYPES.lambdaPermission)) {
      const principal = asString(r.v.principal);
      const role = namedAgentRole(roles, r, "principal", principal);
      if (principal === "*" || !(role === "unknown" || role)) continue; // `*` per resource
      findings.push(
        finding(
          role === "unknown" ? { agent: r.resource.name, kind: null } : role,
          r.resource.urn,
          RULE,
          `Lambda permission ${r.resource.name} lets ${principal ?? "(unknown at preview)"} ${asString(r.v.action) ?? "act"} on ${asString(r.v.function) ?? "a function"}`,
          "grant an agent what its tools need in its declaration; never grant to *",
        ),
      );
    }
    // A grant with a known grantee is judged above as its key-policy statement (kms-grants.ts); one
    // whose grantee is unknown at preview may be any agent role, or anyone.
    for (const r of readOfType(ix, RESOURCE_POLICY_ADAPTER_TYPES.kmsGrant)) {
      if (kmsGrantDocument(r)) continue;
      const role = namedAgentRole(roles, r, "granteePrincipal", undefined);
      if (!role) continue;
      findings.push(
        finding(
          role === "unknown" ? { agent: r.resource.name, kind: null } : role,
          r.resource.urn,
          RULE,
          `KMS grant ${r.resource.name} gives ${role === "unknown" ? "a principal unknown at preview" : `agent role ${role.name}`} ${asStrings(r.v.operations).join(", ") || "key operations"}`,
          "name the grantee with a known ARN, so the pack can judge the grant as a key-policy statement",
        ),
      );
    }
  },
};
