/** The inventory's access columns: access levels from the IAM service reference, SQL grants from PostgreSQL's parser. */
import { describe, expect, it } from "vitest";
import { actionText, sqlGrantsOf } from "../../cli/inventory-access";
import type { DatabaseSecretRolePlan } from "../../components/core/plan-types";
import { catalogFrom } from "../../components/diff/access-level";

const catalog = catalogFrom({
  s3: { GetObject: "Read", PutObject: "Write", ListBucket: "List", PutBucketPolicy: "Permissions management" },
  iam: { PassRole: "Write" },
});
const role = (creationStatements: string[]): DatabaseSecretRolePlan => ({
  type: "database",
  tool: "ledger",
  name: "dev.a.ledger",
  backend: "database",
  credentialsPath: "database/creds/dev.a.ledger",
  dbName: "ledger",
  creationStatements,
  revocationStatements: [],
  defaultTtl: 600,
  maxTtl: 3600,
});
const CREATE = `CREATE ROLE "{{name}}" WITH LOGIN PASSWORD '{{password}}' VALID UNTIL '{{expiration}}';`;

describe("inventory access", () => {
  it("labels an action, a wildcard with every level it reaches, and flags what a reviewer must not miss", () => {
    expect(actionText("s3:GetObject", catalog)).toBe("s3:GetObject (Read)");
    expect(actionText("s3:Put*", catalog)).toBe("s3:Put* (Write, Permissions management; permissions-management)");
    expect(actionText("iam:PassRole", catalog)).toBe("iam:PassRole (Write; privilege-escalation)");
    expect(actionText("s3:Nope", catalog)).toBe("s3:Nope (Unknown)");
  });

  it("lists the SQL user's grants and memberships, not grants to others", () => {
    const grants = sqlGrantsOf(
      role([
        `${CREATE} GRANT SELECT, UPDATE ON invoices, public.payments TO "{{name}}"; GRANT USAGE ON ALL SEQUENCES IN SCHEMA app TO "{{name}}"; GRANT reporting TO "{{name}}"; GRANT SELECT ON audit TO other_role;`,
      ]),
    );
    expect(grants).toEqual(["SELECT, UPDATE on table invoices, public.payments", "USAGE on all sequences in schema app", "member of reporting"]);
  });

  it("says when the statements cannot be read, rather than listing nothing", () => {
    expect(sqlGrantsOf(role(["CREATE ROLE oops ("]))[0]).toMatch(/^\(unreadable: /);
  });
});
