/**
 * Realistic CloudTrail and Vault audit records for the narrow tests, shaped as the CloudTrail
 * record-contents and userIdentity documentation and Vault's audit-device documentation show them.
 * Role ARNs come from the compiled plan, as an agent's calls would carry them.
 */
import { gzipSync } from "node:zlib";
import type { FleetPlan, IdentityPlan } from "../../components/core/plan-types";

export function identityOf(plan: FleetPlan, agent: string, kind: IdentityPlan["kind"]): IdentityPlan {
  return plan.agents.find((a) => a.name === agent)!.identities.find((i) => i.kind === kind)!;
}

let sequence = 0;
const id = () => `${(++sequence).toString(16).padStart(8, "0")}-1111-2222-3333-444455556666`;

export interface CallOptions {
  readonly roleArn: string;
  readonly session?: string;
  readonly accessKeyId?: string;
  readonly source: string;
  readonly name: string;
  readonly time: string;
  readonly region?: string;
  readonly request?: Record<string, unknown> | null;
  readonly resources?: ReadonlyArray<{ ARN: string; type: string; accountId?: string }>;
  readonly errorCode?: string;
  readonly readOnly?: boolean;
  readonly management?: boolean;
}

/** One AwsApiCall record made with a role session. */
export function call(o: CallOptions): Record<string, unknown> {
  const [, , , , account, rest] = o.roleArn.split(":");
  const roleName = rest.split("/").pop()!;
  const session = o.session ?? "1733550000000000000";
  return {
    eventVersion: "1.10",
    userIdentity: {
      type: "AssumedRole",
      principalId: `AROAEXAMPLEROLEID0001:${session}`,
      arn: `arn:aws:sts::${account}:assumed-role/${roleName}/${session}`,
      accountId: account,
      accessKeyId: o.accessKeyId ?? "ASIAEXAMPLEIRSA00001",
      sessionContext: {
        sessionIssuer: { type: "Role", principalId: "AROAEXAMPLEROLEID0001", arn: o.roleArn, accountId: account, userName: roleName },
        webIdFederationData: {},
        attributes: { creationDate: "2026-11-30T08:00:00Z", mfaAuthenticated: "false" },
      },
    },
    eventTime: o.time,
    eventSource: o.source,
    eventName: o.name,
    awsRegion: o.region ?? "us-east-1",
    sourceIPAddress: "10.0.12.34",
    userAgent: "aws-sdk-js/3.700.0 ua/2.1 os/linux lang/js md/nodejs#20.18.0 api/s3#3.700.0",
    ...(o.errorCode ? { errorCode: o.errorCode, errorMessage: `User is not authorized to perform: ${o.name}` } : {}),
    requestParameters: o.request ?? null,
    responseElements: null,
    requestID: "EXAMPLE8F2C1A3B4",
    eventID: id(),
    readOnly: o.readOnly ?? true,
    ...(o.resources ? { resources: o.resources } : {}),
    eventType: "AwsApiCall",
    managementEvent: o.management ?? false,
    recipientAccountId: account,
    eventCategory: o.management ? "Management" : "Data",
  };
}

/** An S3 object data event: requestParameters and resources[] as CloudTrail writes them. */
export function s3Object(roleArn: string, name: string, bucket: string, key: string, time: string, extra: Partial<CallOptions> = {}): Record<string, unknown> {
  const account = roleArn.split(":")[4];
  return call({
    roleArn,
    source: "s3.amazonaws.com",
    name,
    time,
    request: { bucketName: bucket, Host: `${bucket}.s3.us-east-1.amazonaws.com`, key },
    resources: [
      { type: "AWS::S3::Object", ARN: `arn:aws:s3:::${bucket}/${key}` },
      { accountId: account, type: "AWS::S3::Bucket", ARN: `arn:aws:s3:::${bucket}` },
    ],
    readOnly: name.startsWith("Get") || name.startsWith("Head"),
    ...extra,
  });
}

/** Vault's AWS engine assuming an agent's tool role with one tool's session tags (docs/tool-sessions.md). */
export function assumeToolRole(
  engineRoleArn: string,
  toolRoleArn: string,
  tags: Record<string, string>,
  accessKeyId: string,
  time: string,
): Record<string, unknown> {
  const record = call({
    roleArn: engineRoleArn,
    session: "vault-server",
    source: "sts.amazonaws.com",
    name: "AssumeRole",
    time,
    request: {
      roleArn: toolRoleArn,
      roleSessionName: `${tags["agent-identity:environment"]}.${tags["agent-identity:agent"]}.${tags["agent-identity:tool"]}-Q2x8RkVn1bLp0aZ7tY3m`,
      durationSeconds: 900,
      tags: Object.entries(tags).map(([key, value]) => ({ key, value })),
    },
    management: true,
  });
  return {
    ...record,
    responseElements: {
      credentials: { accessKeyId, sessionToken: "IQoJb3JpZ2luX2VjEXAMPLE", expiration: "Dec 7, 2026, 1:15:00 AM" },
      assumedRoleUser: {
        assumedRoleId: "AROAEXAMPLETOOLROLE1:session",
        arn: `${toolRoleArn.replace(":iam::", ":sts::").replace(":role/", ":assumed-role/")}/session`,
      },
    },
  };
}

/** A management event of the account (proves the trail covers it). */
export function callerIdentity(roleArn: string, time: string): Record<string, unknown> {
  return call({ roleArn, source: "sts.amazonaws.com", name: "GetCallerIdentity", time, management: true });
}

export const trailFile = (records: readonly unknown[]): string => JSON.stringify({ Records: records });
export const trailFileGz = (records: readonly unknown[]): Buffer => gzipSync(trailFile(records));

/** One Vault audit-log response entry, strings in data HMAC'd as Vault does by default. */
export function vaultResponse(o: { path: string; role: string; time: string; username?: string; error?: string; operation?: string }): string {
  return JSON.stringify({
    time: o.time,
    type: "response",
    auth: {
      client_token: "hmac-sha256:6d2f0c1e9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d",
      accessor: "hmac-sha256:0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9",
      display_name: `kubernetes-agents-${o.role}`,
      policies: ["default", o.role],
      token_policies: [o.role],
      metadata: {
        role: o.role,
        service_account_name: "agent",
        service_account_namespace: "agents",
        service_account_uid: "2f1c0e9d-8b7a-4c6d-9e5f-1a2b3c4d5e6f",
      },
      entity_id: "9c8d7e6f-5a4b-3c2d-1e0f-abcdef012345",
      token_type: "service",
    },
    request: {
      id: "5e4d3c2b-1a09-8f7e-6d5c-4b3a29180716",
      operation: o.operation ?? "read",
      mount_type: o.path.split("/")[0] === "kv" ? "kv" : "database",
      client_token: "hmac-sha256:6d2f0c1e9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d",
      namespace: { id: "root" },
      path: o.path,
      remote_address: "10.0.12.34",
    },
    response: { data: o.username ? { username: o.username, password: "hmac-sha256:1f2e3d4c5b6a79880716253443526170f1e2d3c4b5a69788f7e6d5c4b3a29180" } : {} },
    ...(o.error ? { error: o.error } : {}),
  });
}
