/**
 * Rows of the flow table for services that copy, sync, transfer, ingest, export or deliver data
 * with a service role of their own (DataSync, Transfer Family, AppFlow, DMS, Glue, Bedrock, Kendra,
 * Kinesis Analytics, Athena, S3 metadata and Storage Lens, MSK and MSK Connect, OpenSearch
 * Ingestion, SageMaker, Comprehend, Data Exchange, Clean Rooms, RDS, Redshift, IoT, SES, ...): one
 * row per type, naming the inputs that hold a bucket, table, queue, topic, secret or stream it reads
 * (source) or writes (sink), and the registry page that says what each input means (the installed
 * @pulumi/aws type definitions, node_modules/@pulumi/aws/types/input.d.ts, hold the same text). A
 * prefix input (`bucketPrefix`, `s3Prefix`) is not read: the whole bucket counts. Types of these
 * services that name such a resource and are not rows here are named, with the reason, in
 * aws-flows-out-of-scope.ts; test/policy/flow-table-closed-world.test.ts walks the installed
 * package and fails for any other.
 */
import { asRecord } from "../inputs";
import { anyBucket, from, KINDS, registry, s3Arns, to, type End, type Flow } from "./aws-flow-ends";
import { dataArns } from "./aws-arns";

/** Rows whose route is their `does` applied to data that may be an agent's. */
const row = (type: string, page: string, does: string, ends: readonly End[], endsOf?: Flow["endsOf"]): Flow => ({
  type,
  ends,
  does,
  route: `${does}: ${ends.length === 1 ? `its ${ends[0].field}` : `${ends.length} inputs`} may name an agent's bucket, table, queue, topic, secret or stream ([inputs](${registry(page)}))`,
  doc: registry(page),
  ...(endsOf ? { endsOf } : {}),
});

/** Every element path of a list of connector names (`a.<c>.b`). */
const each = (make: (c: string) => End, names: readonly string[]) => names.map(make);

/** A Transfer Family home directory (`/bucket/prefix`) as the bucket it maps. */
const homeDirectory = (field: string): End => ({ field, role: "source", arns: (v) => s3Arns(v.replace(/^\/+/, "")) });

/** Every ARN and `bucket: <name>` of an OpenSearch Ingestion pipeline's YAML body (sources and sinks alike). */
const pipelineBody: End = {
  field: "pipelineConfigurationBody",
  role: "source",
  arns: (body) => {
    const arns = [...body.matchAll(/arn:aws[a-z-]*:[a-z0-9-]+:[^\s"',]*/g)].flatMap((m) => dataArns(m[0]));
    const buckets = [...body.matchAll(/\bbucket(?:_name)?["']?\s*:\s*["']?([a-z0-9.-]{3,63})/g)].flatMap((m) => s3Arns(m[1]));
    return [...arns, ...buckets];
  },
};

/** MSK Connect connector settings naming a bucket (`s3.bucket.name`, `bucket`), the S3 sink and source connectors' keys. */
const connectorBuckets: End = {
  field: "connectorConfiguration",
  role: "sink",
  values: (v) =>
    Object.entries(asRecord(v.connectorConfiguration)).flatMap(([key, value]) => (/bucket/i.test(key) && typeof value === "string" ? [value] : [])),
  arns: s3Arns,
};

/**
 * The buckets a Storage Lens export reports on: those it includes, or without `include` every bucket
 * of the account (an agent's prefixes and object counts among them) once it exports anywhere.
 */
const lensBuckets: End = {
  field: "storageLensConfiguration.include.buckets",
  role: "source",
  values: (v) => {
    const object = (x: unknown): Record<string, unknown> => (x && typeof x === "object" && !Array.isArray(x) ? (x as Record<string, unknown>) : {});
    const lens = object(v.storageLensConfiguration);
    const buckets = object(lens.include).buckets;
    const included = Array.isArray(buckets) ? buckets.filter((b): b is string => typeof b === "string") : [];
    const exports = [lens.dataExport, lens.expandedPrefixesDataExport].some((x) => x !== undefined && x !== null);
    return included.length > 0 ? included : exports ? ["*"] : [];
  },
  arns: (value) => (value === "*" ? ["arn:*:s3:::*", "arn:*:s3:::*/*"] : KINDS.bucket(value)),
};

const APPFLOW_ERROR_BUCKETS = ["customConnector", "eventBridge", "honeycode", "marketo", "redshift", "salesforce", "sapoData", "snowflake", "zendesk"];
const OAUTH_PROVIDERS = ["atlassian", "custom", "github", "google", "included", "linkedin", "microsoft", "salesforce", "slack"];
const TRAINING_INPUT = "inputDataConfigs[].dataSource.s3DataSource.s3Uri";

/** A CodeBuild location: a bucket (`bucket/key`) for S3 sources, artifacts, caches and logs; a repository URL names none. */
const codebuildLocation = (field: string, role: End["role"]): End => ({
  field,
  role,
  arns: (v) => (/^[a-z][a-z0-9+.-]*:\/\//.test(v) && !/^s3:\/\//.test(v) ? [] : s3Arns(v)),
});

export const SERVICE_FLOWS: readonly Flow[] = [
  // DataSync: a location of an agent's bucket (through an access point too) is a source or destination of any task.
  row("aws:datasync/s3Location:S3Location", "datasync/s3location", "makes a DataSync location (any task's source or destination)", [from("s3BucketArn")]),
  row("aws:datasync/task:Task", "datasync/task", "writes DataSync task reports", [to("taskReportConfig.s3Destination.s3BucketArn")]),
  // Transfer Family: users and accesses map a bucket as an SFTP/FTP home; workflows copy uploaded files.
  row("aws:transfer/user:User", "transfer/user", "serves over SFTP/FTP, as a user's home", [
    homeDirectory("homeDirectory"),
    homeDirectory("homeDirectoryMappings[].target"),
  ]),
  row("aws:transfer/access:Access", "transfer/access", "serves over SFTP/FTP, as a directory user's home", [
    homeDirectory("homeDirectory"),
    homeDirectory("homeDirectoryMappings[].target"),
  ]),
  row("aws:transfer/workflow:Workflow", "transfer/workflow", "copies uploaded files", [
    ...["steps", "onExceptionSteps"].flatMap((steps) =>
      ["copyStepDetails", "decryptStepDetails"].map((step) => to(`${steps}[].${step}.destinationFileLocation.s3FileLocation.bucket`)),
    ),
  ]),
  row("aws:transfer/connector:Connector", "transfer/connector", "signs in to a remote SFTP server", [from("sftpConfig.userSecretId")]),
  // AppFlow: a flow reads an S3 source and writes S3 (and staging, error) buckets.
  row("aws:appflow/flow:Flow", "appflow/flow", "runs an AppFlow flow", [
    from("sourceFlowConfig.sourceConnectorProperties.s3.bucketName"),
    to("destinationFlowConfigs[].destinationConnectorProperties.s3.bucketName"),
    to("destinationFlowConfigs[].destinationConnectorProperties.upsolver.bucketName"),
    to("destinationFlowConfigs[].destinationConnectorProperties.redshift.intermediateBucketName"),
    to("destinationFlowConfigs[].destinationConnectorProperties.snowflake.intermediateBucketName"),
    to("destinationFlowConfigs[].destinationConnectorProperties.sapoData.successResponseHandlingConfig.bucketName"),
    ...each((c) => to(`destinationFlowConfigs[].destinationConnectorProperties.${c}.errorHandlingConfig.bucketName`), APPFLOW_ERROR_BUCKETS),
  ]),
  row("aws:appflow/connectorProfile:ConnectorProfile", "appflow/connectorprofile", "stages AppFlow records for Redshift or Snowflake", [
    to("connectorProfileConfig.connectorProfileProperties.redshift.bucketName"),
    to("connectorProfileConfig.connectorProfileProperties.snowflake.bucketName"),
  ]),
  // DMS: an S3 endpoint is a migration's source or target; other endpoints stage in buckets, stream to Kinesis and sign in with secrets.
  row("aws:dms/s3Endpoint:S3Endpoint", "dms/s3endpoint", "makes a DMS endpoint (a replication task's source or target)", [from("bucketName")], (r, ends) =>
    r.v.endpointType === "target" ? ends.map((end) => ({ ...end, role: "sink" as const })) : ends,
  ),
  row("aws:dms/endpoint:Endpoint", "dms/endpoint", "replicates a database", [
    from("secretsManagerArn", "secret"),
    from("oracleSettings.secretsManagerOracleAsmSecretId"),
    to("kinesisSettings.streamArn"),
    to("redshiftSettings.bucketName"),
  ]),
  row("aws:dms/eventSubscription:EventSubscription", "dms/eventsubscription", "publishes DMS events", [to("snsTopicArn")]),
  row("aws:dms/dataProvider:DataProvider", "dms/dataprovider", "describes a DMS data provider", [
    ...each(
      (db) => from(`settings.${db}.s3Path`),
      [
        "ibmDb2LuwSettings",
        "ibmDb2ZosSettings",
        "mariaDbSettings",
        "microsoftSqlServerSettings",
        "mysqlSettings",
        "oracleSettings",
        "postgresqlSettings",
        "redshiftSettings",
      ],
    ),
    from("settings.oracleSettings.secretsManagerOracleAsmSecretId"),
    from("settings.oracleSettings.secretsManagerSecurityDbEncryptionSecretId"),
  ]),
  row("aws:dms/migrationProject:MigrationProject", "dms/migrationproject", "converts schemas", [
    from("sourceDataProviderDescriptors[].secretsManagerSecretId"),
    from("targetDataProviderDescriptors[].secretsManagerSecretId"),
    to("schemaConversionApplicationAttributes.s3BucketPath"),
  ]),
  row("aws:dms/replicationInstance:ReplicationInstance", "dms/replicationinstance", "signs in to Kerberos", [
    from("kerberosAuthenticationSettings.keyCacheSecretId"),
  ]),
  // Glue: catalog tables and partitions point readers (Athena, ETL, Lake Formation) at a location; connections sign in with secrets.
  row("aws:glue/catalogTable:CatalogTable", "glue/catalogtable", "catalogues, for Athena, Glue jobs and Lake Formation", [
    from("storageDescriptor.location"),
    from("openTableFormatInput.icebergInput.icebergTableInput.location"),
  ]),
  row("aws:glue/partition:Partition", "glue/partition", "catalogues, for Athena, Glue jobs and Lake Formation", [from("storageDescriptor.location")]),
  row("aws:glue/catalogTableOptimizer:CatalogTableOptimizer", "glue/catalogtableoptimizer", "deletes orphan files", [
    to("configuration.orphanFileDeletionConfiguration.icebergConfiguration.location"),
  ]),
  row("aws:glue/connection:Connection", "glue/connection", "signs Glue jobs in", [from("authenticationConfiguration.secretArn")]),
  row("aws:glue/devEndpoint:DevEndpoint", "glue/devendpoint", "loads code into a Glue development endpoint", [
    from("extraJarsS3Path"),
    from("extraPythonLibsS3Path"),
  ]),
  row("aws:glue/userDefinedFunction:UserDefinedFunction", "glue/userdefinedfunction", "loads a catalog function's code", [from("resourceUris[].uri")]),
  // Bedrock: knowledge base data sources ingest a bucket; models train on and write buckets; AgentCore reads secrets and code.
  row("aws:bedrock/agentDataSource:AgentDataSource", "bedrock/agentdatasource", "ingests into a Bedrock knowledge base", [
    from("dataSourceConfiguration.s3Configuration.bucketArn"),
    ...each(
      (c) => from(`dataSourceConfiguration.${c}.sourceConfiguration.credentialsSecretArn`),
      ["confluenceConfiguration", "salesforceConfiguration", "sharePointConfiguration"],
    ),
    to("vectorIngestionConfiguration.customTransformationConfiguration.intermediateStorage.s3Location.uri"),
  ]),
  row("aws:bedrock/agentKnowledgeBase:AgentKnowledgeBase", "bedrock/agentknowledgebase", "stores a Bedrock knowledge base", [
    ...each(
      (c) =>
        from(
          `knowledgeBaseConfiguration.sqlKnowledgeBaseConfiguration.redshiftConfiguration.queryEngineConfiguration.${c}.authConfiguration.usernamePasswordSecretArn`,
        ),
      ["provisionedConfiguration", "serverlessConfiguration"],
    ),
    ...each(
      (c) => from(`storageConfiguration.${c}.credentialsSecretArn`),
      ["mongoDbAtlasConfiguration", "pineconeConfiguration", "rdsConfiguration", "redisEnterpriseCloudConfiguration"],
    ),
    to("knowledgeBaseConfiguration.vectorKnowledgeBaseConfiguration.supplementalDataStorageConfiguration.storageLocations[].s3Location.uri"),
    to("storageConfiguration.s3VectorsConfiguration.vectorBucketArn", "any"),
  ]),
  row("aws:bedrock/agentAgentActionGroup:AgentAgentActionGroup", "bedrock/agentagentactiongroup", "reads a Bedrock agent's API schema", [
    from("apiSchema.s3.s3BucketName"),
  ]),
  row("aws:bedrock/agentFlow:AgentFlow", "bedrock/agentflow", "runs a Bedrock flow", [
    from("definition.nodes[].configuration.retrieval.serviceConfiguration.s3.bucketName"),
    to("definition.nodes[].configuration.storage.serviceConfiguration.s3.bucketName"),
  ]),
  row("aws:bedrock/agentcoreAgentRuntime:AgentcoreAgentRuntime", "bedrock/agentcoreagentruntime", "loads an AgentCore runtime's code", [
    from("agentRuntimeArtifact.codeConfiguration.code.s3.bucket"),
  ]),
  row(
    "aws:bedrock/agentcoreApiKeyCredentialProvider:AgentcoreApiKeyCredentialProvider",
    "bedrock/agentcoreapikeycredentialprovider",
    "hands AgentCore agents the API key",
    [from("apiKeySecretConfig.secretId")],
  ),
  row(
    "aws:bedrock/agentcoreOauth2CredentialProvider:AgentcoreOauth2CredentialProvider",
    "bedrock/agentcoreoauth2credentialprovider",
    "hands AgentCore agents the OAuth client secret",
    [...each((p) => from(`oauth2ProviderConfig.${p}Oauth2ProviderConfig.clientSecretConfig.secretId`), OAUTH_PROVIDERS)],
  ),
  row("aws:bedrock/agentcoreBrowser:AgentcoreBrowser", "bedrock/agentcorebrowser", "runs an AgentCore browser", [
    from("certificates[].location.secretsManager.secretArn"),
    from("enterprisePolicies[].location.s3.bucket"),
    to("recording.s3Location.bucket"),
  ]),
  row("aws:bedrock/agentcoreCodeInterpreter:AgentcoreCodeInterpreter", "bedrock/agentcorecodeinterpreter", "trusts certificates", [
    from("certificates[].location.secretsManager.secretArn"),
  ]),
  row("aws:bedrock/agentcoreGatewayTarget:AgentcoreGatewayTarget", "bedrock/agentcoregatewaytarget", "reads an AgentCore gateway target's tool schema", [
    from("targetConfiguration.http.agentcoreRuntime.schema.source.s3.uri"),
    from("targetConfiguration.http.passthrough.schema.source.s3.uri"),
    from("targetConfiguration.mcp.lambda.toolSchema.s3.uri"),
    from("targetConfiguration.mcp.mcpServer.mcpToolSchema.s3.uri"),
    from("targetConfiguration.mcp.openApiSchema.s3.uri"),
    from("targetConfiguration.mcp.smithyModel.s3.uri"),
  ]),
  row("aws:bedrock/agentcoreHarness:AgentcoreHarness", "bedrock/agentcoreharness", "loads AgentCore skills", [from("skills[].s3.uri")]),
  row("aws:bedrock/agentcoreMemory:AgentcoreMemory", "bedrock/agentcorememory", "streams AgentCore memory records", [
    to("streamDeliveryResources.resource.kinesis.dataStreamArn"),
  ]),
  row("aws:bedrock/agentcoreMemoryStrategy:AgentcoreMemoryStrategy", "bedrock/agentcorememorystrategy", "delivers AgentCore memory payloads", [
    to("configuration.selfManagedConfiguration.invocationConfiguration.payloadDeliveryBucketName"),
    to("configuration.selfManagedConfiguration.invocationConfiguration.topicArn"),
  ]),
  row("aws:bedrock/customModel:CustomModel", "bedrock/custommodel", "trains a Bedrock model", [
    from("trainingDataConfig.s3Uri"),
    from("validationDataConfig.validators[].s3Uri"),
    to("outputDataConfig.s3Uri"),
  ]),
  row("aws:bedrock/evaluationJob:EvaluationJob", "bedrock/evaluationjob", "evaluates a model", [
    from("evaluationConfig.automated.datasetMetricConfigs[].dataset.datasetLocation.s3Uri"),
    from("evaluationConfig.human.datasetMetricConfigs[].dataset.datasetLocation.s3Uri"),
    to("outputDataConfig.s3Uri"),
  ]),
  // Kendra: data sources, FAQs, thesauri and block lists are read into an index.
  row("aws:kendra/dataSource:DataSource", "kendra/datasource", "indexes into Kendra", [
    from("configuration.s3Configuration.bucketName"),
    to("customDocumentEnrichmentConfiguration.preExtractionHookConfiguration.s3Bucket"),
    to("customDocumentEnrichmentConfiguration.postExtractionHookConfiguration.s3Bucket"),
  ]),
  row("aws:kendra/faq:Faq", "kendra/faq", "indexes FAQs into Kendra", [from("s3Path.bucket")]),
  row("aws:kendra/thesaurus:Thesaurus", "kendra/thesaurus", "loads a Kendra thesaurus", [from("sourceS3Path.bucket")]),
  row("aws:kendra/querySuggestionsBlockList:QuerySuggestionsBlockList", "kendra/querysuggestionsblocklist", "loads a Kendra block list", [
    from("sourceS3Path.bucket"),
  ]),
  // Kinesis Analytics: applications read streams and reference buckets and write streams.
  row("aws:kinesis/analyticsApplication:AnalyticsApplication", "kinesis/analyticsapplication", "runs a Kinesis Analytics application", [
    from("inputs.kinesisStream.resourceArn", "any"),
    from("referenceDataSources.s3.bucketArn"),
    to("outputs[].kinesisStream.resourceArn", "any"),
    to("cloudwatchLoggingOptions.logStreamArn"),
  ]),
  row("aws:kinesisanalyticsv2/application:Application", "kinesisanalyticsv2/application", "runs a Managed Flink application", [
    from("applicationConfiguration.applicationCodeConfiguration.codeContent.s3ContentLocation.bucketArn"),
    from("applicationConfiguration.sqlApplicationConfiguration.input.kinesisStreamsInput.resourceArn", "any"),
    from("applicationConfiguration.sqlApplicationConfiguration.referenceDataSource.s3ReferenceDataSource.bucketArn"),
    to("applicationConfiguration.sqlApplicationConfiguration.outputs[].kinesisStreamsOutput.resourceArn", "any"),
    to("cloudwatchLoggingOptions.logStreamArn"),
  ]),
  // Athena writes query results.
  row("aws:athena/database:Database", "athena/database", "writes Athena query results", [to("bucket")]),
  row("aws:athena/workgroup:Workgroup", "athena/workgroup", "writes Athena query results", [to("configuration.resultConfiguration.outputLocation")]),
  // S3: objects written into a bucket, its metadata tables, Storage Lens exports, Outposts lifecycle, S3 Files and S3 Tables replication.
  row("aws:s3/bucketObject:BucketObject", "s3/bucketobject", "writes an object", [to("bucket")]),
  row("aws:s3/bucketObjectv2:BucketObjectv2", "s3/bucketobjectv2", "writes an object", [to("bucket")]),
  row("aws:s3/bucketMetadataConfiguration:BucketMetadataConfiguration", "s3/bucketmetadataconfiguration", "journals every object (keys, sizes, tags)", [
    from("bucket"),
  ]),
  row("aws:s3/filesFileSystem:FilesFileSystem", "s3/filesfilesystem", "mounts as a file system", [from("bucket")]),
  row("aws:s3control/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "s3control/bucketlifecycleconfiguration", "expires the objects", [
    from("bucket"),
  ]),
  row("aws:s3control/storageLensConfiguration:StorageLensConfiguration", "s3control/storagelensconfiguration", "exports Storage Lens metrics", [
    lensBuckets,
    to("storageLensConfiguration.dataExport.s3BucketDestination.arn", "bucket"),
    to("storageLensConfiguration.expandedPrefixesDataExport.s3BucketDestination.arn", "bucket"),
  ]),
  row("aws:s3tables/tableBucketReplication:TableBucketReplication", "s3tables/tablebucketreplication", "replicates S3 tables", [
    from("tableBucketArn", "any"),
    to("rule.destinations[].destinationTableBucketArn", "any"),
  ]),
  row("aws:s3tables/tableReplication:TableReplication", "s3tables/tablereplication", "replicates an S3 table", [
    from("tableArn", "any"),
    to("rule.destinations[].destinationTableBucketArn", "any"),
  ]),
  // MSK, MSK Connect, OpenSearch Ingestion.
  row("aws:mskconnect/connector:Connector", "mskconnect/connector", "runs an MSK Connect connector", [
    to("logDelivery.workerLogDelivery.s3.bucket"),
    connectorBuckets,
  ]),
  row("aws:mskconnect/customPlugin:CustomPlugin", "mskconnect/customplugin", "loads an MSK Connect plugin", [from("location.s3.bucketArn")]),
  row("aws:msk/channel:Channel", "msk/channel", "delivers Kafka records", [
    to("s3Destination.storage.bucketArn"),
    to("s3Destination.deadLetterQueueS3.bucketArn"),
    to("icebergDestination.deadLetterQueueS3.bucketArn"),
    to("loggingInfo.s3.bucket"),
  ]),
  row("aws:msk/cluster:Cluster", "msk/cluster", "writes Kafka broker logs", [to("loggingInfo.brokerLogs.s3.bucket")]),
  row("aws:msk/replicator:Replicator", "msk/replicator", "replicates Kafka clusters", [
    from("kafkaClusters[].clientAuthentication.mtls.secretArn"),
    from("kafkaClusters[].clientAuthentication.saslScram.secretArn"),
    to("logDelivery.replicatorLogDelivery.s3.bucket"),
  ]),
  row("aws:msk/singleScramSecretAssociation:SingleScramSecretAssociation", "msk/singlescramsecretassociation", "makes Kafka sign-in credentials", [
    from("secretArn"),
  ]),
  row("aws:opensearchingest/pipeline:Pipeline", "opensearchingest/pipeline", "runs an OpenSearch Ingestion pipeline", [pipelineBody]),
  row("aws:opensearch/package:Package", "opensearch/package", "loads an OpenSearch package", [from("packageSource.s3BucketName")]),
  // SageMaker: jobs read training, model and baseline data and write outputs, captures and reports.
  row("aws:sagemaker/algorithm:Algorithm", "sagemaker/algorithm", "validates a SageMaker algorithm", [
    from("inferenceSpecification.containers[].additionalS3DataSource.s3Uri"),
    from("inferenceSpecification.containers[].modelDataSource.s3DataSource.s3Uri"),
    from("trainingSpecification.additionalS3DataSource.s3Uri"),
    from(`validationSpecification.validationProfiles.trainingJobDefinition.${TRAINING_INPUT}`),
    from("validationSpecification.validationProfiles.transformJobDefinition.transformInput.dataSource.s3DataSource.s3Uri"),
    to("validationSpecification.validationProfiles.trainingJobDefinition.outputDataConfig.s3OutputPath"),
    to("validationSpecification.validationProfiles.transformJobDefinition.transformOutput.s3OutputPath"),
  ]),
  row("aws:sagemaker/codeRepository:CodeRepository", "sagemaker/coderepository", "signs in to Git", [from("gitConfig.secretArn")]),
  ...["dataQualityJobDefinition", "monitoringSchedule"].map((kind) => {
    const root = kind === "monitoringSchedule" ? "monitoringScheduleConfig.monitoringJobDefinition." : "";
    const [baseline, input, output] =
      kind === "monitoringSchedule"
        ? ["baseline", "monitoringInputs", "monitoringOutputConfig"]
        : ["dataQualityBaselineConfig", "dataQualityJobInput", "dataQualityJobOutputConfig"];
    return row(`aws:sagemaker/${kind}:${kind[0].toUpperCase()}${kind.slice(1)}`, `sagemaker/${kind.toLowerCase()}`, "monitors a model's data", [
      from(`${root}${baseline}.constraintsResource.s3Uri`),
      from(`${root}${baseline}.statisticsResource.s3Uri`),
      from(`${root}${input}.batchTransformInput.dataCapturedDestinationS3Uri`, "bucket"),
      to(`${root}${output}.monitoringOutputs.s3Output.s3Uri`),
    ]);
  }),
  row("aws:sagemaker/domain:Domain", "sagemaker/domain", "runs a SageMaker domain", [
    from("defaultUserSettings.canvasAppSettings.identityProviderOauthSettings[].secretArn"),
    to("defaultUserSettings.sharingSettings.s3OutputPath"),
  ]),
  row("aws:sagemaker/userProfile:UserProfile", "sagemaker/userprofile", "runs a SageMaker user profile", [
    from("userSettings.canvasAppSettings.identityProviderOauthSettings[].secretArn"),
    to("userSettings.sharingSettings.s3OutputPath"),
  ]),
  row("aws:sagemaker/endpointConfiguration:EndpointConfiguration", "sagemaker/endpointconfiguration", "captures an endpoint's requests and responses", [
    to("asyncInferenceConfig.outputConfig.s3OutputPath"),
    to("asyncInferenceConfig.outputConfig.notificationConfig.errorTopic"),
    to("asyncInferenceConfig.outputConfig.notificationConfig.successTopic"),
    to("dataCaptureConfig.destinationS3Uri", "bucket"),
    to("productionVariants[].coreDumpConfig.destinationS3Uri", "bucket"),
    to("shadowProductionVariants[].coreDumpConfig.destinationS3Uri", "bucket"),
  ]),
  row("aws:sagemaker/featureGroup:FeatureGroup", "sagemaker/featuregroup", "stores a feature group offline", [
    to("offlineStoreConfig.s3StorageConfig.s3Uri"),
    to("offlineStoreConfig.s3StorageConfig.resolvedOutputS3Uri", "bucket"),
  ]),
  row("aws:sagemaker/flowDefinition:FlowDefinition", "sagemaker/flowdefinition", "writes human review results", [to("outputConfig.s3OutputPath")]),
  row("aws:sagemaker/hub:Hub", "sagemaker/hub", "stores a SageMaker hub", [to("s3StorageConfig.s3OutputPath")]),
  row("aws:sagemaker/deviceFleet:DeviceFleet", "sagemaker/devicefleet", "writes edge device data", [to("outputConfig.s3OutputLocation", "bucket")]),
  row("aws:sagemaker/hyperParameterTuningJob:HyperParameterTuningJob", "sagemaker/hyperparametertuningjob", "trains models", [
    ...["trainingJobDefinition.", "trainingJobDefinitions[]."].flatMap((p) => [
      from(`${p}${TRAINING_INPUT}`),
      from(`${p}checkpointConfig.s3Uri`),
      to(`${p}outputDataConfig.s3OutputPath`),
    ]),
  ]),
  row("aws:sagemaker/labelingJob:LabelingJob", "sagemaker/labelingjob", "labels data", [
    from("inputConfig.dataSource.s3DataSource.manifestS3Uri", "bucket"),
    from("inputConfig.dataSource.snsDataSource.snsTopicArn"),
    from("labelCategoryConfigS3Uri", "bucket"),
    from("humanTaskConfig.uiConfig.uiTemplateS3Uri", "bucket"),
    to("outputConfig.s3OutputPath"),
    to("outputConfig.snsTopicArn"),
  ]),
  row("aws:sagemaker/model:Model", "sagemaker/model", "loads a model", [
    ...["primaryContainer", "containers[]"].flatMap((c) => [
      from(`${c}.modelDataUrl`),
      from(`${c}.modelDataSource.s3DataSources[].s3Uri`),
      from(`${c}.additionalModelDataSources[].s3DataSources[].s3Uri`),
    ]),
  ]),
  row("aws:sagemaker/modelCardExportJob:ModelCardExportJob", "sagemaker/modelcardexportjob", "exports a model card", [to("outputConfig.s3OutputPath")]),
  row("aws:sagemaker/pipeline:Pipeline", "sagemaker/pipeline", "reads a pipeline definition", [from("pipelineDefinitionS3Location.bucket")]),
  row("aws:sagemaker/trainingJob:TrainingJob", "sagemaker/trainingjob", "trains a model", [
    from(TRAINING_INPUT),
    from("checkpointConfig.s3Uri"),
    to("outputDataConfig.s3OutputPath"),
    to("debugHookConfig.s3OutputPath"),
    to("debugRuleConfigurations[].s3OutputPath"),
    to("profilerConfig.s3OutputPath"),
    to("profilerRuleConfigurations[].s3OutputPath"),
    to("tensorBoardOutputConfig.s3OutputPath"),
  ]),
  row("aws:sagemaker/workteam:Workteam", "sagemaker/workteam", "notifies a work team", [to("notificationConfiguration.notificationTopicArn")]),
  // DynamoDB: items written into a table, key statistics of a table.
  row("aws:dynamodb/tableItem:TableItem", "dynamodb/tableitem", "writes an item", [to("tableName")]),
  row("aws:dynamodb/contributorInsights:ContributorInsights", "dynamodb/contributorinsights", "publishes the most accessed keys", [from("tableName")]),
  // Data Exchange, Clean Rooms, Security Lake, QuickSight, Macie: data products, collaborations, analyses.
  row("aws:dataexchange/eventAction:EventAction", "dataexchange/eventaction", "exports Data Exchange revisions", [
    to("action.exportRevisionToS3.revisionDestination.bucket"),
  ]),
  row("aws:dataexchange/revisionAssets:RevisionAssets", "dataexchange/revisionassets", "publishes as a Data Exchange product (to its subscribers)", [
    from("assets[].importAssetsFromS3.assetSource.bucket"),
    from("assets[].createS3DataAccessFromS3Bucket.assetSource.bucket"),
  ]),
  // A configured table names a Glue table, whose data may lie in any bucket (as a RAM share of one, aws-data-shares.ts).
  row("aws:cleanrooms/configuredTable:ConfiguredTable", "cleanrooms/configuredtable", "offers to a Clean Rooms collaboration's members a Glue table", [
    anyBucket("tableReference.tableName"),
  ]),
  row("aws:cleanrooms/membership:Membership", "cleanrooms/membership", "writes Clean Rooms results", [
    to("defaultResultConfiguration.outputConfiguration.s3.bucket"),
  ]),
  row("aws:securitylake/subscriber:Subscriber", "securitylake/subscriber", "gives a Security Lake subscriber", [
    from("sources[].customLogSourceResource.providers[].location"),
  ]),
  row("aws:quicksight/dataSource:DataSource", "quicksight/datasource", "makes a QuickSight data source", [
    from("credentials.secretArn"),
    from("parameters.s3.manifestFileLocation.bucket"),
  ]),
  row("aws:macie2/classificationJob:ClassificationJob", "macie2/classificationjob", "samples (for sensitive data findings)", [
    from("s3JobDefinition.bucketDefinitions[].buckets", "bucket"),
  ]),
  row("aws:macie2/classificationExportConfiguration:ClassificationExportConfiguration", "macie2/classificationexportconfiguration", "exports Macie findings", [
    to("s3Destination.bucketName"),
  ]),
  // RDS and Redshift: imports from and exports to buckets, events and logs, sign-in secrets.
  row("aws:rds/cluster:Cluster", "rds/cluster", "imports into a database", [from("s3Import.bucketName")]),
  row("aws:rds/instance:Instance", "rds/instance", "imports into a database", [from("s3Import.bucketName"), from("domainAuthSecretArn")]),
  row("aws:rds/exportTask:ExportTask", "rds/exporttask", "exports a snapshot", [to("s3BucketName")]),
  row("aws:rds/customDbEngineVersion:CustomDbEngineVersion", "rds/customdbengineversion", "installs database software", [
    from("databaseInstallationFilesS3BucketName"),
  ]),
  row("aws:rds/eventSubscription:EventSubscription", "rds/eventsubscription", "publishes RDS events", [to("snsTopic")]),
  row("aws:rds/proxy:Proxy", "rds/proxy", "signs in to a database", [from("auths[].secretArn")]),
  row("aws:redshift/eventSubscription:EventSubscription", "redshift/eventsubscription", "publishes Redshift events", [to("snsTopicArn")]),
  row("aws:redshift/logging:Logging", "redshift/logging", "writes Redshift audit logs", [to("bucketName")]),
  // EMR, Comprehend, Transcribe, Rekognition, Timestream.
  row("aws:emr/cluster:Cluster", "emr/cluster", "runs an EMR cluster", [from("bootstrapActions[].path"), to("logUri")]),
  row("aws:emr/studio:Studio", "emr/studio", "stores EMR Studio notebooks", [to("defaultS3Location")]),
  row("aws:comprehend/documentClassifier:DocumentClassifier", "comprehend/documentclassifier", "trains a Comprehend classifier", [
    from("inputDataConfig.s3Uri"),
    from("inputDataConfig.testS3Uri", "bucket"),
    from("inputDataConfig.augmentedManifests[].s3Uri"),
    from("inputDataConfig.augmentedManifests[].annotationDataS3Uri", "bucket"),
    from("inputDataConfig.augmentedManifests[].sourceDocumentsS3Uri", "bucket"),
    to("outputDataConfig.s3Uri"),
  ]),
  row("aws:comprehend/entityRecognizer:EntityRecognizer", "comprehend/entityrecognizer", "trains a Comprehend recognizer", [
    from("inputDataConfig.annotations.s3Uri"),
    from("inputDataConfig.annotations.testS3Uri", "bucket"),
    from("inputDataConfig.documents.s3Uri"),
    from("inputDataConfig.documents.testS3Uri", "bucket"),
    from("inputDataConfig.entityList.s3Uri"),
    from("inputDataConfig.augmentedManifests[].s3Uri"),
    from("inputDataConfig.augmentedManifests[].annotationDataS3Uri", "bucket"),
    from("inputDataConfig.augmentedManifests[].sourceDocumentsS3Uri", "bucket"),
  ]),
  row("aws:transcribe/languageModel:LanguageModel", "transcribe/languagemodel", "trains a Transcribe language model", [
    from("inputDataConfig.s3Uri"),
    from("inputDataConfig.tuningDataS3Uri", "bucket"),
  ]),
  row("aws:rekognition/streamProcessor:StreamProcessor", "rekognition/streamprocessor", "analyses a video stream", [
    to("output.s3Destination.bucket"),
    to("output.kinesisDataStream.arn", "any"),
    to("notificationChannel.snsTopicArn"),
  ]),
  row("aws:timestreamwrite/table:Table", "timestreamwrite/table", "writes rejected Timestream records", [
    to("magneticStoreWriteProperties.magneticStoreRejectedDataLocation.s3Configuration.bucketName"),
  ]),
  row("aws:timestreamquery/scheduledQuery:ScheduledQuery", "timestreamquery/scheduledquery", "reports Timestream scheduled query errors", [
    to("errorReportConfiguration.s3Configuration.bucketName"),
    to("notificationConfiguration.snsConfiguration.topicArn"),
  ]),
  // Reports and logs the account's services deliver into a bucket or topic.
  row("aws:cloudwatch/internetMonitor:InternetMonitor", "cloudwatch/internetmonitor", "writes Internet Monitor measurements", [
    to("internetMeasurementsLogDelivery.s3Config.bucketName"),
  ]),
  row("aws:backup/reportPlan:ReportPlan", "backup/reportplan", "writes Backup reports", [to("reportDeliveryChannel.s3BucketName")]),
  row("aws:backup/vaultNotifications:VaultNotifications", "backup/vaultnotifications", "publishes Backup vault events", [to("snsTopicArn")]),
  row("aws:cur/reportDefinition:ReportDefinition", "cur/reportdefinition", "writes cost and usage reports", [to("s3Bucket")]),
  row("aws:bcmdata/export:Export", "bcmdata/export", "writes billing data exports", [to("export.destinationConfigurations[].s3Destinations[].s3Bucket")]),
  row("aws:codebuild/reportGroup:ReportGroup", "codebuild/reportgroup", "exports CodeBuild test reports", [to("exportConfig.s3Destination.bucket")]),
  row("aws:codebuild/project:Project", "codebuild/project", "builds", [
    codebuildLocation("source.location", "source"),
    codebuildLocation("secondarySources[].location", "source"),
    codebuildLocation("artifacts.location", "sink"),
    codebuildLocation("secondaryArtifacts[].location", "sink"),
    codebuildLocation("cache.location", "sink"),
    codebuildLocation("logsConfig.s3Logs.location", "sink"),
  ]),
  row("aws:ssm/association:Association", "ssm/association", "writes SSM command output", [to("outputLocation.s3BucketName")]),
  row("aws:ssm/maintenanceWindowTask:MaintenanceWindowTask", "ssm/maintenancewindowtask", "writes SSM command output", [
    to("taskInvocationParameters.runCommandParameters.outputS3Bucket", "bucket"),
  ]),
  row("aws:ssm/resourceDataSync:ResourceDataSync", "ssm/resourcedatasync", "syncs SSM inventory", [to("s3Destination.bucketName")]),
  // Lambda and SNS: code loaded from buckets, delivery status and usage reports.
  row("aws:lambda/function:Function", "lambda/function", "loads a function's code", [from("s3Bucket")]),
  row("aws:lambda/layerVersion:LayerVersion", "lambda/layerversion", "loads a layer's code", [from("s3Bucket")]),
  row("aws:lambda/microvmsImage:MicrovmsImage", "lambda/microvmsimage", "loads an image", [from("codeArtifact.uri")]),
  row("aws:sns/platformApplication:PlatformApplication", "sns/platformapplication", "publishes push endpoint events", [
    to("eventDeliveryFailureTopicArn"),
    to("eventEndpointCreatedTopicArn"),
    to("eventEndpointDeletedTopicArn"),
    to("eventEndpointUpdatedTopicArn"),
  ]),
  row("aws:sns/smsPreferences:SmsPreferences", "sns/smspreferences", "writes SMS usage reports", [to("usageReportS3Bucket", "bucket")]),
  // IoT rules and SES deliver messages and mail into tables, streams, buckets, queues and topics.
  row("aws:iot/topicRule:TopicRule", "iot/topicrule", "delivers IoT messages", [
    ...["", "errorAction."].flatMap((p) => {
      const list = (name: string) => (p ? `${p}${name}.` : `${name}s[].`);
      return [
        to(`${list("dynamodb")}tableName`),
        to(`${list("dynamodbv2")}putItem.tableName`),
        to(`${list("firehose")}deliveryStreamName`),
        to(`${p ? "errorAction.kinesis." : "kineses[]."}streamName`),
        to(`${p ? "errorAction.s3." : "s3[]."}bucketName`),
        to(`${p ? "errorAction.sqs." : "sqs[]."}queueUrl`),
        to(`${p ? "errorAction.sns." : "sns[]."}targetArn`, "any"),
      ];
    }),
  ]),
  row("aws:ses/eventDestination:EventDestination", "ses/eventdestination", "publishes mail events", [
    to("kinesisDestination.streamArn", "any"),
    to("snsDestination.topicArn"),
  ]),
  row("aws:ses/identityNotificationTopic:IdentityNotificationTopic", "ses/identitynotificationtopic", "publishes bounce and complaint mail", [to("topicArn")]),
  row("aws:ses/receiptRule:ReceiptRule", "ses/receiptrule", "delivers received mail", [
    to("s3Actions[].bucketName"),
    ...each((a) => to(`${a}[].topicArn`), ["s3Actions", "snsActions", "bounceActions", "lambdaActions", "stopActions", "workmailActions"]),
  ]),
  row("aws:sesv2/configurationSetEventDestination:ConfigurationSetEventDestination", "sesv2/configurationseteventdestination", "publishes mail events", [
    to("eventDestination.kinesisFirehoseDestination.deliveryStreamArn"),
    to("eventDestination.snsDestination.topicArn"),
  ]),
];
