/**
 * IAM decisions checked by an independent oracle (@cloud-copilot/iam-simulate), not by reading
 * our own statements back.
 */
import { describe, expect, it } from "vitest";
import { compileFleet } from "../components/core/compile";
import { parseDeclaration } from "../components/core/schema";
import type { AgentPlan } from "../components/core/plan-types";
import { PLATFORM, agent } from "./helpers/fixtures";
import { decide } from "./helpers/iam-oracle";

const plan = compileFleet(
  parseDeclaration({
    platform: PLATFORM,
    agents: [
      agent("agent-a", { tools: [{ name: "read", aws: [{ actions: ["s3:GetObject"], resources: ["arn:aws:s3:::acme-data/agent-a/*"] }] }] }),
      agent("agent-b", { tools: [{ name: "read", aws: [{ actions: ["s3:GetObject"], resources: ["arn:aws:s3:::acme-data/agent-b/*"] }] }] }),
    ],
  }),
  "test",
);
const agentPlan = (name: string): AgentPlan => plan.agents.find((a) => a.name === name)!;
const role = (name: string, kind: "orchestration" | "execution" | "audit") => agentPlan(name).identities.find((i) => i.kind === kind)!.iamRole;

describe("IAM decisions (iam-simulate)", () => {
  it("allows agent A's execution role its declared action on its own resource", async () => {
    expect(await decide(role("agent-a", "execution"), { action: "s3:GetObject", resource: "arn:aws:s3:::acme-data/agent-a/report.csv" })).toBe("Allowed");
  });

  it("denies agent A's execution role the same action on agent B's resource", async () => {
    expect(await decide(role("agent-a", "execution"), { action: "s3:GetObject", resource: "arn:aws:s3:::acme-data/agent-b/report.csv" })).toBe(
      "ImplicitlyDenied",
    );
  });

  it("denies agent A's execution role its own prefix in a bucket of the same name in another account (s3:ResourceAccount)", async () => {
    const execution = role("agent-a", "execution");
    // The attacker's bucket allows everyone, so only the identity policy can stop the request.
    const open = {
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Principal: "*", Action: ["s3:GetObject", "s3:PutObject"], Resource: "arn:aws:s3:::acme-data/*" }],
    };
    const foreign = { resource: "arn:aws:s3:::acme-data/agent-a/report.csv", resourceAccount: "999988887777", resourcePolicy: open };
    expect(await decide(execution, { action: "s3:GetObject", ...foreign })).toBe("ImplicitlyDenied");
    expect(await decide(execution, { action: "s3:PutObject", ...foreign })).toBe("ImplicitlyDenied");
    // Control: the same open policy in the platform's own account does not change the decision.
    expect(await decide(execution, { action: "s3:GetObject", ...foreign, resourceAccount: PLATFORM.aws.accountId })).toBe("Allowed");
  });

  it("denies agent A's execution role outside the platform region", async () => {
    expect(await decide(role("agent-a", "execution"), { action: "s3:GetObject", resource: "arn:aws:s3:::acme-data/agent-a/report.csv" }, "eu-west-1")).toBe(
      "ImplicitlyDenied",
    );
  });

  it("denies the orchestration and audit roles the execution tools", async () => {
    for (const kind of ["orchestration", "audit"] as const) {
      expect(await decide(role("agent-a", kind), { action: "s3:GetObject", resource: "arn:aws:s3:::acme-data/agent-a/report.csv" })).toBe("ImplicitlyDenied");
    }
  });

  it("lets orchestration invoke its declared model and no other", async () => {
    const model = agentPlan("agent-a").models[0];
    expect(await decide(role("agent-a", "orchestration"), { action: "bedrock:InvokeModel", resource: model })).toBe("Allowed");
    expect(
      await decide(role("agent-a", "orchestration"), {
        action: "bedrock:InvokeModel",
        resource: "arn:aws:bedrock:us-east-1::foundation-model/amazon.titan-text-express-v1",
      }),
    ).toBe("ImplicitlyDenied");
  });

  it("lets audit write its own log group only, and explicitly denies deleting logs or retention", async () => {
    const own = agentPlan("agent-a").auditLogGroup.arn;
    const other = agentPlan("agent-b").auditLogGroup.arn;
    const audit = role("agent-a", "audit");
    expect(await decide(audit, { action: "logs:PutLogEvents", resource: `${own}:log-stream:run-1` })).toBe("Allowed");
    expect(await decide(audit, { action: "logs:PutLogEvents", resource: `${other}:log-stream:run-1` })).toBe("ImplicitlyDenied");
    expect(await decide(audit, { action: "logs:DeleteLogGroup", resource: own })).toBe("ExplicitlyDenied");
    expect(await decide(audit, { action: "logs:DeleteLogStream", resource: `${own}:log-stream:run-1` })).toBe("ExplicitlyDenied");
    expect(await decide(audit, { action: "logs:PutRetentionPolicy", resource: own })).toBe("ExplicitlyDenied");
  });

  it("does not let the execution role write the audit sink", async () => {
    const own = agentPlan("agent-a").auditLogGroup.arn;
    expect(await decide(role("agent-a", "execution"), { action: "logs:PutLogEvents", resource: `${own}:log-stream:run-1` })).toBe("ImplicitlyDenied");
  });
});
