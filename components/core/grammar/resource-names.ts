/**
 * The names AWS accepts for the resources an agent may own, read before a root or an owned entry is
 * compared with anything. A name AWS would refuse (`acme..kb`, an IP address, a trailing dot) or
 * one that only looks like another (`acme-kb-dеv` with a Cyrillic е, `ACME-kb-dev`, `%2F`) is
 * refused here, so a reviewer reading a root or an `owns` line reads the name AWS will use.
 * Sources, per service:
 * - S3 buckets: https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html
 *   (3–63 of a-z 0-9 . -, starting and ending with a letter or digit, no `..`, not an IP address);
 *   object keys here: printable ASCII without `%`, `\` or empty, `.` or `..` path segments.
 * - DynamoDB tables: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.NamingRulesDataTypes.html
 * - SQS queues: https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/quotas-queues.html
 * - SNS topics: https://docs.aws.amazon.com/sns/latest/api/API_CreateTopic.html
 * - Secrets Manager: https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_CreateSecret.html
 * - SSM parameters: https://docs.aws.amazon.com/systems-manager/latest/userguide/sysman-parameter-name-constraints.html
 * - Kinesis streams: https://docs.aws.amazon.com/kinesis/latest/APIReference/API_CreateStream.html
 * Other ownable types: printable ASCII without `%` or `\`, no empty, `.` or `..` path segments.
 * Every check is one pass over the name (regular expressions without nested quantifiers).
 */

/** Characters a name of the service may hold (the whole name, or the part before a prefix root's `*`). */
const NAME_CHARACTERS: Readonly<Record<string, RegExp>> = {
  // Sub-resources (`table/t/index/i`, `stream/s/consumer/c`) follow a slash.
  dynamodb: /^[A-Za-z0-9_./-]*$/,
  sqs: /^[A-Za-z0-9_-]*(\.fifo)?$/,
  sns: /^[A-Za-z0-9_-]*(\.fifo)?$/,
  secretsmanager: /^[A-Za-z0-9/_+=.@-]*$/,
  ssm: /^[A-Za-z0-9/_.-]*$/,
  kinesis: /^[A-Za-z0-9_./:-]*$/,
};
const PRINTABLE = /^[\x21-\x7e]*$/;
const BUCKET_CHARACTERS = /^[a-z0-9.-]*$/;
const IP_ADDRESS = /^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$/;

function pathProblem(name: string, prefix: boolean): string | undefined {
  if (name.includes("%") || name.includes("\\")) return "holds % or \\: write the name as AWS stores it, unencoded";
  const segments = name.split("/");
  // A prefix root may end mid-segment (`incoming/ab*`); its last segment is then incomplete, not empty.
  const whole = prefix ? segments.slice(0, -1) : segments;
  if (whole.some((segment, index) => (segment === "" && index > 0) || segment === "." || segment === ".."))
    return "has an empty, . or .. path segment (a // or a trailing /): AWS would name another resource than the one written";
  return undefined;
}

/** Why an S3 bucket name (or, with `prefix`, the start of one) is not one S3 accepts, or undefined. */
function bucketProblem(bucket: string, prefix: boolean): string | undefined {
  if (!BUCKET_CHARACTERS.test(bucket)) return "is not an S3 bucket name: only lower-case a-z, 0-9, '.' and '-' (S3 bucket naming rules)";
  if (bucket.includes("..")) return "is not an S3 bucket name: it holds '..' (S3 bucket naming rules)";
  if (bucket && !/^[a-z0-9]/.test(bucket)) return "is not an S3 bucket name: it must start with a letter or digit (S3 bucket naming rules)";
  if (prefix) return bucket.length > 63 ? "is longer than an S3 bucket name (63 characters)" : undefined;
  if (bucket.length < 3 || bucket.length > 63) return "is not an S3 bucket name: 3 to 63 characters (S3 bucket naming rules)";
  if (!/[a-z0-9]$/.test(bucket)) return "is not an S3 bucket name: it must end with a letter or digit (S3 bucket naming rules)";
  if (IP_ADDRESS.test(bucket)) return "is not an S3 bucket name: it is formatted as an IP address (S3 bucket naming rules)";
  return undefined;
}

/**
 * Why `name` (the resource name after the type's fixed part: `bucket/key`, a table, `acme/x` of a
 * parameter…) is not one the service accepts, or undefined. `prefix`: the name is what precedes a
 * root's trailing `*`, so it may stop anywhere.
 */
export function resourceNameProblem(service: string, name: string, prefix = false): string | undefined {
  if (!PRINTABLE.test(name)) return "holds a character outside printable ASCII (a look-alike letter or a space): AWS names are ASCII";
  if (service === "s3") {
    const slash = name.indexOf("/");
    const bucket = slash < 0 ? name : name.slice(0, slash);
    const problem = bucketProblem(bucket, prefix && slash < 0);
    if (problem) return problem;
    if (slash < 0) return undefined;
    const key = name.slice(slash + 1);
    if (!prefix && key === "") return "ends in '/': name the bucket alone, or a prefix ending in /*";
    return pathProblem(key, prefix);
  }
  const characters = NAME_CHARACTERS[service];
  if (characters && !characters.test(name)) return `holds a character a ${service} name may not hold`;
  return pathProblem(name.replace(/^\//, ""), prefix);
}
