/**
 * Types of the copy, transfer and ingestion services that name a bucket, table, queue, topic,
 * secret, parameter, stream or KMS key in their inputs but are not rows of the flow table, each with
 * why no agent data moves through them (or which other adapter reads them). The flow table's
 * closed-world test (test/policy/flow-table-closed-world.test.ts) fails for a type of those services
 * that is neither a row nor named here.
 */

const because = (reason: string, types: readonly string[]): Array<readonly [string, string]> => types.map((type) => [type, reason]);

export const FLOW_OUT_OF_SCOPE: ReadonlyMap<string, string> = new Map([
  ...because(
    "names a KMS key only to encrypt the service's own data at rest; no agent data moves, and who may use the key is decided by its key policy and grants, which the resource-policy and IAM checks read",
    [
      "aws:dms/instanceProfile:InstanceProfile",
      "aws:dms/replicationConfig:ReplicationConfig",
      "aws:glue/securityConfiguration:SecurityConfiguration",
      "aws:bedrock/agentcoreEvaluator:AgentcoreEvaluator",
      "aws:bedrock/agentcoreGateway:AgentcoreGateway",
      "aws:bedrock/agentcoreTokenVaultCmk:AgentcoreTokenVaultCmk",
      "aws:bedrock/guardrail:Guardrail",
      "aws:kendra/index:Index",
      "aws:kinesis/stream:Stream",
      "aws:kinesis/videoStream:VideoStream",
      "aws:sagemaker/modelCard:ModelCard",
      "aws:sagemaker/notebookInstance:NotebookInstance",
      "aws:securitylake/dataLake:DataLake",
      "aws:qbusiness/application:Application",
      "aws:redshift/cluster:Cluster",
      "aws:redshift/integration:Integration",
      "aws:redshift/snapshotCopyGrant:SnapshotCopyGrant",
      "aws:rds/clusterActivityStream:ClusterActivityStream",
      "aws:rds/clusterSnapshotCopy:ClusterSnapshotCopy",
      "aws:rds/instanceAutomatedBackupsReplication:InstanceAutomatedBackupsReplication",
      "aws:rds/integration:Integration",
      "aws:rds/snapshotCopy:SnapshotCopy",
      "aws:timestreamwrite/database:Database",
      "aws:cloudwatch/logAnomalyDetector:LogAnomalyDetector",
      "aws:backup/vault:Vault",
      "aws:opensearch/application:Application",
      "aws:opensearch/serverlessCollection:ServerlessCollection",
      "aws:lambda/capacityProvider:CapacityProvider",
      "aws:sfn/activity:Activity",
      "aws:s3tables/tableBucket:TableBucket",
    ],
  ),
  ...because(
    "a state machine's definition calls services with its own role, bounded by that role's policy; its inputs name a KMS key only to encrypt its state. The state machine itself is refused as a deploy-time executor (deploy-executors.ts) unless declared",
    ["aws:sfn/stateMachine:StateMachine"],
  ),
  ...because(
    "configures the bucket itself (transfer acceleration, CORS, tiering, metrics, object lock, requester pays, default encryption, versioning, website, ABAC): it moves no object in or out and grants no principal; who reads the bucket is decided by its policies and ACLs, which resource-policies and aws-data read (on a CloudTrail trail's bucket, versioning and object lock are judged by trail-buckets)",
    [
      "aws:s3/bucketAbac:BucketAbac",
      "aws:s3/bucketAccelerateConfiguration:BucketAccelerateConfiguration",
      "aws:s3/bucketAccelerateConfigurationV2:BucketAccelerateConfigurationV2",
      "aws:s3/bucketCorsConfiguration:BucketCorsConfiguration",
      "aws:s3/bucketCorsConfigurationV2:BucketCorsConfigurationV2",
      "aws:s3/bucketIntelligentTieringConfiguration:BucketIntelligentTieringConfiguration",
      "aws:s3/bucketMetric:BucketMetric",
      "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration",
      "aws:s3/bucketObjectLockConfigurationV2:BucketObjectLockConfigurationV2",
      "aws:s3/bucketRequestPaymentConfiguration:BucketRequestPaymentConfiguration",
      "aws:s3/bucketRequestPaymentConfigurationV2:BucketRequestPaymentConfigurationV2",
      "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
      "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
      "aws:s3/bucketVersioning:BucketVersioning",
      "aws:s3/bucketVersioningV2:BucketVersioningV2",
      "aws:s3/bucketWebsiteConfiguration:BucketWebsiteConfiguration",
      "aws:s3/bucketWebsiteConfigurationV2:BucketWebsiteConfigurationV2",
      "aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock",
    ],
  ),
  ...because("creates a bucket, index, namespace, table or topic of its own name; it names no other resource as a source or sink", [
    "aws:s3/directoryBucket:DirectoryBucket",
    "aws:s3/vectorsVectorBucket:VectorsVectorBucket",
    "aws:s3/vectorsIndex:VectorsIndex",
    "aws:s3control/bucket:Bucket",
    "aws:s3tables/namespace:Namespace",
    "aws:s3tables/table:Table",
    "aws:sns/topic:Topic",
  ]),
  ...because(
    "a resource policy on an S3 on Outposts, S3 Tables or S3 Vectors bucket: it grants, it copies nothing; agent data classes are general-purpose buckets, and the resource-policy adapter does not read these policies yet",
    [
      "aws:s3control/bucketPolicy:BucketPolicy",
      "aws:s3tables/tableBucketPolicy:TableBucketPolicy",
      "aws:s3tables/tablePolicy:TablePolicy",
      "aws:s3/vectorsVectorBucketPolicy:VectorsVectorBucketPolicy",
    ],
  ),
  ...because("a resource policy, read as a grant (resource-policies.ts), not a copy", [
    "aws:s3/bucketPolicy:BucketPolicy",
    "aws:sqs/queuePolicy:QueuePolicy",
    "aws:secretsmanager/secretPolicy:SecretPolicy",
  ]),
  ...because("an access point: the bucket behind it is what grants and flows through it reach (s3-access-points.ts resolves them); it moves no data itself", [
    "aws:s3/accessPoint:AccessPoint",
    "aws:s3control/multiRegionAccessPoint:MultiRegionAccessPoint",
    "aws:s3control/multiRegionAccessPointRoutes:MultiRegionAccessPointRoutes",
  ]),
  ...because("a path inside an S3 Files file system, whose bucket is read from the FilesFileSystem row", ["aws:s3/filesAccessPoint:FilesAccessPoint"]),
  ...because(
    "the secret itself (its policy is read by resource-policies.ts); its replicas stay in the account under the same policy, and a KMS key only encrypts them",
    ["aws:secretsmanager/secret:Secret"],
  ),
  ...because("the agent's own log group, read by log-groups.ts (stack/audit-log-group); a KMS key only encrypts it", ["aws:cloudwatch/logGroup:LogGroup"]),
  ...because("an OpenSearch domain: its access policy is read by resource-policies.ts; a KMS key only encrypts it", ["aws:opensearch/domain:Domain"]),
  ...because(
    "names a Glue catalog table (or its index, filter or tag), not where its data lies: a catalog table or partition over an agent's bucket is itself a row, and Lake Formation permissions are read by aws-data-shares.ts",
    [
      "aws:glue/dataQualityRuleset:DataQualityRuleset",
      "aws:glue/mLTransform:MLTransform",
      "aws:glue/partitionIndex:PartitionIndex",
      "aws:lakeformation/dataCellsFilter:DataCellsFilter",
      "aws:lakeformation/optIn:OptIn",
      "aws:lakeformation/resourceLfTag:ResourceLfTag",
      "aws:lakeformation/resourceLfTags:ResourceLfTags",
      "aws:quicksight/dataSet:DataSet",
    ],
  ),
  ...because("adds an index inside the table; reading it needs a grant on `table/<name>/index/*`, which the pack matches as the table's", [
    "aws:dynamodb/globalSecondaryIndex:GlobalSecondaryIndex",
  ]),
  ...because("names a bucket on an object storage server outside AWS (serverHostname), not an S3 bucket", [
    "aws:datasync/locationObjectStorage:LocationObjectStorage",
  ]),
]);
