/**
 * A KMS grant is a second resource policy on its key: it lets its grantee principal call the
 * operations it lists on the key, beside the key policy (KMS CreateGrant: "grants are considered
 * along with key policies and IAM policies"). The pack reads each grant as the key-policy statement
 * it is equivalent to, `{Principal: granteePrincipal, Action: kms:<operation>…, Resource: the key}`,
 * and judges it where key-policy statements are judged (resource-policies.ts for agent roles,
 * aws-principals.ts for every other principal), so a grant and a KeyPolicy giving the same access
 * get the same answer.
 *
 * The key: CreateGrant's KeyId is a key id or a key ARN (an ARN for a key of another account), no
 * alias. A bare id is read as that key in any account and region; a key id unknown at preview, or
 * anything else, is every key (`*`), as a key-policy statement's `Resource: "*"` is read.
 * The operations: the grant's list, or every KMS action when it is unknown at preview.
 * The retiring principal is not read as a grantee: RetireGrant only deletes the grant (KMS
 * RetireGrant), which removes access and reads no data. A grantee unknown at preview is refused in
 * resource-policies.ts (iam/resource-policy): it may be an agent role or anyone.
 */
import type { PolicyDocument, PolicyStatement } from "../../components/core/iam-document";
import { asString, asStrings } from "../inputs";
import { isUnknown, type Read } from "./shared";

export const KMS_GRANT_TYPE = "aws:kms/grant:Grant";

/** The key a grant's keyId names, as an ARN pattern: `*` (every key) when the pack cannot tell which. */
export function grantKeyArn(r: Read): string {
  const keyId = isUnknown(r, "keyId") ? undefined : asString(r.v.keyId);
  if (keyId === undefined) return "*";
  if (/^arn:[^:]+:kms:[^:]*:\d{12}:key\/[A-Za-z0-9-]+$/.test(keyId)) return keyId;
  // A key id (a UUID, or `mrk-…` for a multi-Region key) of the provider's account and region.
  if (/^(mrk-)?[A-Za-z0-9-]+$/.test(keyId)) return `arn:*:kms:*:*:key/${keyId}`;
  return "*";
}

/** A grant's principal as a key policy writes it: an AWS principal ARN or account, or a service. */
function principalOf(grantee: string): PolicyStatement["Principal"] {
  return /^arn:|^\d{12}$|^AROA/i.test(grantee) || !grantee.includes(".") ? { AWS: grantee } : { Service: grantee };
}

/** The grant as the key-policy document it is equivalent to; undefined when its grantee is unknown at preview or unset. */
export function kmsGrantDocument(r: Read): PolicyDocument | undefined {
  const grantee = isUnknown(r, "granteePrincipal") ? undefined : asString(r.v.granteePrincipal);
  if (grantee === undefined) return undefined;
  const operations = isUnknown(r, "operations") ? [] : asStrings(r.v.operations);
  const key = grantKeyArn(r);
  // A key lives in one region: every call using it goes to KMS there, so a grant on a key ARN holds
  // only in the ARN's region (as a plan's `aws:RequestedRegion` condition; components/core/consistency.ts).
  const region = /^arn:[^:]+:kms:([a-z0-9-]+):/.exec(key)?.[1];
  const statement = {
    Sid: "grant",
    Effect: "Allow",
    Principal: principalOf(grantee),
    Action: operations.length > 0 ? operations.map((operation) => `kms:${operation}`) : ["kms:*"],
    Resource: key,
    ...(region ? { Condition: { StringEquals: { "aws:RequestedRegion": region } } } : {}),
  } as PolicyStatement;
  return { Version: "2012-10-17", Statement: [statement] };
}
