/**
 * Which IAM actions CloudTrail records only as data events, so their absence from a trail is
 * evidence only when the trail logs that service's data events (`--data-events`). From the
 * CloudTrail User Guide, "Logging data events" (resource types AWS::S3::Object, AWS::DynamoDB::Table,
 * AWS::Lambda::Function, AWS::SQS::Queue, AWS::SNS::Topic, AWS::Kinesis::Stream,
 * AWS::Bedrock::Model, ...). Closed world the safe way: for a service listed here, an action that is
 * neither a known data action nor a known management action is treated as a data action, so a
 * missing record never proves it unused.
 */

/** Services with data events, and the management actions of theirs we are sure of (exact, lower case). */
const DATA_EVENT_SERVICES: ReadonlyMap<string, { readonly data: readonly string[]; readonly managementPattern: RegExp }> = new Map([
  [
    "s3",
    {
      data: [
        "getobject",
        "getobjectversion",
        "putobject",
        "deleteobject",
        "deleteobjectversion",
        "listbucket",
        "listbucketversions",
        "getobjectattributes",
        "getobjecttagging",
        "putobjecttagging",
        "getobjectacl",
        "putobjectacl",
        "restoreobject",
        "abortmultipartupload",
        "listmultipartuploadparts",
        "listbucketmultipartuploads",
      ],
      // Bucket configuration (GetBucketPolicy, PutBucketTagging, GetLifecycleConfiguration...) and account calls.
      managementPattern:
        /^(get|put|delete)(bucket|lifecycle|replication|encryption|accelerate|analytics|inventory|metrics|intelligenttiering)|^(createbucket|deletebucket|listallmybuckets|getaccount|putaccount)/,
    },
  ],
  ["s3express", { data: [], managementPattern: /^(createbucket|deletebucket|listallmybuckets)$/ }],
  [
    "dynamodb",
    {
      data: [],
      managementPattern:
        /^(create|delete|update|describe|list)(table|backup|globaltable|stream|tags|contributorinsights|export|import|kinesis|limits|timetolive|continuousbackups|tableReplicaAutoScaling)/i,
    },
  ],
  ["lambda", { data: ["invokefunction", "invokefunctionurl", "invokeasync"], managementPattern: /^(?!invoke)/ }],
  [
    "sqs",
    {
      data: ["sendmessage", "receivemessage", "deletemessage", "changemessagevisibility"],
      managementPattern:
        /^(createqueue|deletequeue|getqueueattributes|setqueueattributes|getqueueurl|listqueues|listqueuetags|tagqueue|untagqueue|purgequeue|addpermission|removepermission|listdeadlettersourcequeues|.*messagemovetask.*)$/,
    },
  ],
  ["sns", { data: ["publish"], managementPattern: /^(?!publish)/ }],
  [
    "kinesis",
    {
      data: ["putrecord", "putrecords", "getrecords", "getsharditerator", "subscribetoshard"],
      managementPattern: /^(create|delete|describe|list|update|addtags|removetags|increase|decrease|merge|split|start|stop|enable|disable|register|deregister)/,
    },
  ],
  [
    "bedrock",
    {
      data: ["invokemodel", "invokemodelwithresponsestream", "invokeagent", "retrieve", "retrieveandgenerate", "invokeflow", "applyguardrail"],
      managementPattern: /^(create|delete|get|list|update|tag|untag|put)/,
    },
  ],
]);

/** The service's data events must be covered for this action's absence to count. */
export function isDataAction(action: string): boolean {
  const [service, name] = action.toLowerCase().split(":");
  const entry = DATA_EVENT_SERVICES.get(service);
  if (!entry || name === undefined) return false;
  if (entry.data.includes(name)) return true;
  return !entry.managementPattern.test(name);
}

export const DATA_EVENT_SERVICE_NAMES: readonly string[] = [...DATA_EVENT_SERVICES.keys()];
