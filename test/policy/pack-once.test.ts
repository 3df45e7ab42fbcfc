/**
 * The pack runs each resource's checks once for all its policies (issue #11), keyed by what the
 * checks read: a resource whose inputs change under the same URN is checked again, never answered
 * from the earlier result.
 */
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { describe, expect, it } from "vitest";
import { createPolicies } from "../../policy/policies";
import { TODAY } from "../helpers/fixtures";
import { resourceArgs, type Resource } from "../helpers/policy-args";

const statement = (action: string) =>
  JSON.stringify({
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Action: action, Resource: "arn:aws:s3:::b/*", Condition: { StringEquals: { "aws:RequestedRegion": "us-east-1" } } }],
  });
const rolePolicy = (action: string): Resource => ({
  type: "aws:iam/rolePolicy:RolePolicy",
  name: "p",
  props: { name: "p", role: "r", policy: statement(action) },
});

async function report(policies: ReturnType<typeof createPolicies>, resource: Resource): Promise<string[]> {
  const messages: string[] = [];
  for (const policy of policies) {
    const validate = (policy as ResourceValidationPolicy).validateResource;
    if (!validate) continue;
    for (const validation of Array.isArray(validate) ? validate : [validate])
      await validation(resourceArgs(resource), (message) => messages.push(`${policy.name}: ${message}`));
  }
  return messages.sort();
}

describe("policy pack findings cache", () => {
  it("reports the same as a fresh pack, and re-checks a resource whose inputs changed", async () => {
    const shared = createPolicies({ now: () => TODAY });
    const wild = await report(shared, rolePolicy("s3:*"));
    expect(wild.some((m) => m.startsWith("iam: ") && m.includes("iam/service-wildcard: "))).toBe(true);
    // Same URN, narrower inputs: the earlier findings must not be reused.
    const narrow = await report(shared, rolePolicy("s3:GetObject"));
    expect(narrow.some((m) => m.includes("iam/service-wildcard: "))).toBe(false);
    expect(narrow).toEqual(await report(createPolicies({ now: () => TODAY }), rolePolicy("s3:GetObject")));
    expect(await report(shared, rolePolicy("s3:*"))).toEqual(wild);
  });

  it("reuses findings only for the next policy of the same request; any other call compares the inputs", async () => {
    const shared = createPolicies({ now: () => TODAY });
    const iam = (shared as ResourceValidationPolicy[]).find((p) => p.name === "iam")!;
    const once = async (resource: Resource) => {
      const messages: string[] = [];
      await (iam.validateResource as (a: unknown, r: (m: string) => void) => Promise<void> | void)(resourceArgs(resource), (m) => messages.push(m));
      return messages.filter((m) => m.includes("iam/service-wildcard: "));
    };
    await report(shared, rolePolicy("s3:*"));
    // The same URN, but not the policy after the last one called: compared, so checked again.
    expect(await once(rolePolicy("s3:GetObject"))).toEqual([]);
    expect(await once(rolePolicy("s3:*"))).not.toEqual([]);
  });
});
