/**
 * AWS services with one endpoint per partition ("global" services), and the region AWS puts in
 * `aws:RequestedRegion` for their calls: the region the endpoint signs with. AWS documents that
 * calls to a global service such as IAM are made to us-east-1 whatever region the caller is in, so
 * an Allow bound to the platform region (say eu-west-1) silently denies `iam:GetRole`.
 *
 * Source: botocore `botocore/data/endpoints.json` (boto/botocore commit 0e6e2404, 2026-08-07): the
 * services marked `"isRegionalized": false`, each with its partition endpoint's
 * `credentialScope.region`, plus `support`, whose only endpoint is the partition endpoint. Keys are
 * IAM service prefixes (all equal to the endpoint prefix here). Left out on purpose:
 *  - `sts` and `s3`: they have regional endpoints (the components' pods use the regional STS
 *    endpoint, `eks.amazonaws.com/sts-regional-endpoints`);
 *  - `chime`: the same IAM prefix also covers the regional Amazon Chime SDK endpoints, so the
 *    region cannot be told from the action;
 *  - `route53domains` (us-east-1 only) and `globalaccelerator` (us-west-2): regional endpoints that
 *    exist in one region only; a tool declares that region in `regions`;
 *  - services whose global endpoint has no credential scope (codecatalyst, mturk-requester).
 * Partitions other than aws, aws-cn and aws-us-gov are not accepted by the declaration.
 */
import type { Platform } from "./schema";

export type Partition = Platform["aws"]["partition"];

export const GLOBAL_SERVICE_REGIONS: Readonly<Record<Partition, Readonly<Record<string, string>>>> = {
  aws: {
    account: "us-east-1",
    billingconductor: "us-east-1",
    budgets: "us-east-1",
    ce: "us-east-1",
    cloudfront: "us-east-1",
    health: "us-east-1",
    iam: "us-east-1",
    importexport: "us-east-1",
    networkmanager: "us-west-2",
    "notifications-contacts": "us-east-1",
    organizations: "us-east-1",
    route53: "us-east-1",
    savingsplans: "us-east-1",
    shield: "us-east-1",
    support: "us-east-1",
    tax: "us-east-1",
    waf: "us-east-1",
  },
  "aws-cn": {
    account: "cn-northwest-1",
    budgets: "cn-northwest-1",
    ce: "cn-northwest-1",
    cloudfront: "cn-northwest-1",
    health: "cn-northwest-1",
    iam: "cn-north-1",
    organizations: "cn-northwest-1",
    route53: "cn-northwest-1",
    support: "cn-north-1",
  },
  "aws-us-gov": {
    iam: "us-gov-west-1",
    networkmanager: "us-gov-west-1",
    organizations: "us-gov-west-1",
    route53: "us-gov-west-1",
    support: "us-gov-west-1",
  },
};

/** The region `aws:RequestedRegion` carries for `action` when its service is global, else undefined. */
export function globalServiceRegion(partition: Partition, action: string): string | undefined {
  const colon = action.indexOf(":");
  if (colon <= 0) return undefined;
  const service = action.slice(0, colon).toLowerCase();
  const regions = GLOBAL_SERVICE_REGIONS[partition];
  return Object.prototype.hasOwnProperty.call(regions, service) ? regions[service] : undefined;
}

/** Bedrock's system-defined global inference profiles: `…:inference-profile/global.<model id>`. */
const GLOBAL_PROFILE = /^arn:(aws|aws-cn|aws-us-gov):bedrock:([a-z0-9-]+):(\d{12}):inference-profile\/global\.([A-Za-z0-9._:-]+)$/;

export interface GlobalInferenceProfile {
  readonly arn: string;
  readonly partition: string;
  /** The source region the profile is called in (the region in its ARN). */
  readonly region: string;
  /** The foundation model id behind the profile (the profile id without `global.`). */
  readonly modelId: string;
}

export function globalInferenceProfile(arn: string): GlobalInferenceProfile | undefined {
  const match = GLOBAL_PROFILE.exec(arn);
  if (!match) return undefined;
  return { arn, partition: match[1], region: match[2], modelId: match[4] };
}
