/** A role tagged as an agent identity, for the bad programs to reach (as the Agent component would create it). */
import * as iam from "@pulumi/aws/iam";

const OIDC = "arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE";
const ISSUER = OIDC.split(":oidc-provider/")[1];

export const agentRole = new iam.Role("victim-execution", {
  name: "acme-dev-victim-execution",
  assumeRolePolicy: JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Principal: { Federated: OIDC },
        Action: "sts:AssumeRoleWithWebIdentity",
        Condition: { StringEquals: { [`${ISSUER}:sub`]: "system:serviceaccount:agents:victim-execution", [`${ISSUER}:aud`]: "sts.amazonaws.com" } },
      },
    ],
  }),
  tags: {
    agent: "victim",
    identity: "execution",
    owner: "team-x",
    sponsor: "owner@example.com",
    expires: "2099-12-31",
    tier: "batch",
    "data-class": "internal",
  },
});
