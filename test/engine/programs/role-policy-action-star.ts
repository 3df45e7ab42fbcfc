/** Bad program: an inline role policy allowing every action. Expected: iam/action-wildcard. */
import * as iam from "@pulumi/aws/iam";

new iam.RolePolicy("everything", {
  role: "acme-dev-invoice-triage-execution",
  policy: JSON.stringify({
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Action: "*", Resource: "arn:aws:s3:::acme-invoices-dev/*" }],
  }),
});
