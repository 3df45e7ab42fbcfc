/**
 * Bad program: a role policy whose document depends on another resource's output, so it is unknown
 * at preview. The pack cannot check it and must say so. Expected at preview: stack/unknown-input.
 */
import * as iam from "@pulumi/aws/iam";
import * as s3 from "@pulumi/aws/s3";

const bucket = new s3.Bucket("reports", { bucket: "acme-reports-dev" });

new iam.RolePolicy("later", {
  role: "acme-dev-invoice-triage-execution",
  policy: bucket.arn.apply((arn) => JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: `${arn}/*` }] })),
});
