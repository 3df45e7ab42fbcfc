/**
 * A CloudTrail delivery for the `narrow` benchmark: `events` records over `files` files (half of
 * them gzip, as CloudTrail delivers to S3, half plain), made by the execution roles the plan names,
 * on each agent's own resources (bench/fleet.ts), plus 1% denied writes and 1% calls of principals
 * no agent owns. Records have the fields and size of real ones (~0.9 KB).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import type { FleetPlan } from "../components/core/plan-types";

const ACCOUNT = "111122223333";

function request(index: number, agent: string, n: number): { source: string; name: string; params: string; resources: string } {
  switch (index % 4) {
    case 0: {
      const key = `${agent}/2026/11/30/object-${n}.json`;
      return {
        source: "s3.amazonaws.com",
        name: "GetObject",
        params: `{"bucketName":"acme-data","Host":"acme-data.s3.us-east-1.amazonaws.com","key":"${key}"}`,
        resources: `"resources":[{"type":"AWS::S3::Object","ARN":"arn:aws:s3:::acme-data/${key}"},{"accountId":"${ACCOUNT}","type":"AWS::S3::Bucket","ARN":"arn:aws:s3:::acme-data"}],`,
      };
    }
    case 1:
      return {
        source: "sqs.amazonaws.com",
        name: "ReceiveMessage",
        params: `{"queueUrl":"https://sqs.us-east-1.amazonaws.com/${ACCOUNT}/acme-${agent}","maxNumberOfMessages":10}`,
        resources: "",
      };
    case 2:
      return {
        source: "dynamodb.amazonaws.com",
        name: "GetItem",
        params: `{"tableName":"acme-${agent}","key":{"pk":"HIDDEN_DUE_TO_SECURITY_REASONS"},"consistentRead":false}`,
        resources: "",
      };
    default:
      return {
        source: "secretsmanager.amazonaws.com",
        name: "GetSecretValue",
        params: `{"secretId":"arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:acme/${agent}-AbCdEf"}`,
        resources: "",
      };
  }
}

function record(
  roleArn: string,
  time: string,
  n: number,
  call: { source: string; name: string; params: string; resources: string },
  errorCode?: string,
): string {
  const roleName = roleArn.slice(roleArn.lastIndexOf("/") + 1);
  const id = `${n.toString(16).padStart(8, "0")}-0000-4000-8000-000000000000`;
  return (
    `{"eventVersion":"1.10","userIdentity":{"type":"AssumedRole","principalId":"AROAEXAMPLEROLEID0001:botocore-session-${n % 97}",` +
    `"arn":"arn:aws:sts::${ACCOUNT}:assumed-role/${roleName}/botocore-session-${n % 97}","accountId":"${ACCOUNT}","accessKeyId":"ASIAEXAMPLE${String(n % 100000).padStart(9, "0")}",` +
    `"sessionContext":{"sessionIssuer":{"type":"Role","principalId":"AROAEXAMPLEROLEID0001","arn":"${roleArn}","accountId":"${ACCOUNT}","userName":"${roleName}"},` +
    `"webIdFederationData":{"federatedProvider":"arn:aws:iam::${ACCOUNT}:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE","attributes":{}},` +
    `"attributes":{"creationDate":"2026-11-30T08:00:00Z","mfaAuthenticated":"false"}}},"eventTime":"${time}","eventSource":"${call.source}","eventName":"${call.name}",` +
    `"awsRegion":"us-east-1","sourceIPAddress":"10.0.12.34","userAgent":"aws-sdk-js/3.700.0 ua/2.1 os/linux lang/js md/nodejs#20.18.0",` +
    (errorCode ? `"errorCode":"${errorCode}","errorMessage":"not authorized",` : "") +
    `"requestParameters":${call.params},"responseElements":null,"requestID":"${id}","eventID":"${id}","readOnly":true,${call.resources}` +
    `"eventType":"AwsApiCall","managementEvent":false,"recipientAccountId":"${ACCOUNT}","eventCategory":"Data","tlsDetails":{"tlsVersion":"TLSv1.3","cipherSuite":"TLS_AES_128_GCM_SHA256","clientProvidedHostHeader":"${call.source.replace(".amazonaws.com", "")}.us-east-1.amazonaws.com"}}`
  );
}

/** Writes the trail under `dir` in CloudTrail's S3 layout; returns the bytes written (uncompressed). */
export function writeBenchTrail(dir: string, plan: FleetPlan, events: number, files: number): number {
  const roles = plan.agents.map((agent) => agent.identities.find((i) => i.kind === "execution")!.iamRole.arn);
  const folder = join(dir, "AWSLogs", ACCOUNT, "CloudTrail", "us-east-1", "2026", "11", "30");
  mkdirSync(folder, { recursive: true });
  const perFile = Math.ceil(events / files);
  let bytes = 0;
  let n = 0;
  for (let f = 0; f < files && n < events; f++) {
    const parts: string[] = [];
    for (let k = 0; k < perFile && n < events; k++, n++) {
      const a = n % roles.length;
      const agent = plan.agents[a].name;
      const minute = String(Math.floor((n / events) * 59)).padStart(2, "0");
      const time = `2026-11-30T08:${minute}:${String(n % 60).padStart(2, "0")}Z`;
      if (n % 100 === 7)
        parts.push(record(roles[a], time, n, { ...request(a, agent, n), name: a % 4 === 0 ? "PutObject" : request(a, agent, n).name }, "AccessDenied"));
      else if (n % 100 === 13) parts.push(record(`arn:aws:iam::${ACCOUNT}:role/someone-else`, time, n, request(a, agent, n)));
      else parts.push(record(roles[a], time, n, request(a, agent, n)));
    }
    const text = `{"Records":[${parts.join(",")}]}`;
    bytes += text.length;
    const name = `${ACCOUNT}_CloudTrail_us-east-1_20261130T08${String(f % 60).padStart(2, "0")}Z_${String(f).padStart(6, "0")}`;
    if (f % 2 === 0) writeFileSync(join(folder, `${name}.json.gz`), gzipSync(text, { level: 1 }));
    else writeFileSync(join(folder, `${name}.json`), text);
  }
  return bytes;
}
