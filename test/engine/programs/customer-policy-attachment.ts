/**
 * Bad program: a customer-managed policy allowing iam:PassRole on every role, attached to an agent
 * role by ARN. At preview `policy.arn` is unknown; the pack traces it to the Policy through the
 * engine's property dependencies. Expected: iam/passrole-wildcard (preview and update).
 */
import * as iam from "@pulumi/aws/iam";
import { agentRole } from "./agent-role";

const policy = new iam.Policy("extra", {
  name: "extra",
  policy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "iam:PassRole", Resource: "*" }] }),
});

new iam.RolePolicyAttachment("extra", { role: agentRole.name, policyArn: policy.arn });
