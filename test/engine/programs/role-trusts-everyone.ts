/** Bad program: an IAM role any principal may assume. Expected: trust/principal-wildcard. */
import * as iam from "@pulumi/aws/iam";

new iam.Role("open-door", {
  name: "open-door",
  assumeRolePolicy: JSON.stringify({
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Principal: "*", Action: "sts:AssumeRole" }],
  }),
});
