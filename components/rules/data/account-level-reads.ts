/**
 * The List and Read actions AWS authorises only on `Resource: "*"` (no resource type in the IAM
 * reference) that an agent may hold. A closed list: every other such action reads across the whole
 * account (every secret, role, instance, queue name or credential report) and is refused
 * (`iam/account-wide-read`). Each entry returns only AWS's public catalogue or the caller's own
 * identity; its source is the API reference page that says so. Adding one is a reviewed change here.
 */

export interface AccountLevelRead {
  readonly action: string;
  /** Why it reads nothing of the account's own, and where that is documented. */
  readonly why: string;
  readonly source: string;
}

export const ACCOUNT_LEVEL_READ_ALLOWLIST: readonly AccountLevelRead[] = [
  {
    action: "sts:GetCallerIdentity",
    why: "returns the caller's own account, user id and ARN; AWS requires no permission for it",
    source: "https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html",
  },
  {
    action: "bedrock:ListFoundationModels",
    why: "lists the foundation models AWS offers in the region (AWS's catalogue, not the account's resources)",
    source: "https://docs.aws.amazon.com/bedrock/latest/APIReference/API_ListFoundationModels.html",
  },
  {
    action: "pricing:GetProducts",
    why: "reads AWS's public price list",
    source: "https://docs.aws.amazon.com/aws-cost-management/latest/APIReference/API_pricing_GetProducts.html",
  },
];
