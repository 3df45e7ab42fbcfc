/**
 * Typed IAM policy documents, built in code (no `getPolicyDocument` invoke), so a plan is known
 * in full at preview time and every rule can read it.
 */
export type ConditionOperator =
  "StringEquals" | "ForAllValues:StringEquals" | "StringLike" | "StringNotEquals" | "DateLessThan" | "DateGreaterThan" | "ArnEquals" | "ArnLike" | "Bool";

export type ConditionBlock = Partial<Record<ConditionOperator, Record<string, string | string[]>>>;

export type Principal = "*" | { AWS?: string | string[]; Federated?: string | string[]; Service?: string | string[] };

export interface PolicyStatement {
  Sid?: string;
  Effect: "Allow" | "Deny";
  Principal?: Principal;
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: string | string[];
  NotResource?: string | string[];
  Condition?: ConditionBlock;
}

export interface PolicyDocument {
  Version: "2012-10-17";
  Statement: PolicyStatement[];
}

export function policyDocument(statements: PolicyStatement[]): PolicyDocument {
  return { Version: "2012-10-17", Statement: statements };
}

/** Normalise the string-or-array fields of IAM to arrays. */
export function asList(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

/** IAM Sids allow only [A-Za-z0-9]. */
export function sid(...parts: string[]): string {
  return parts
    .flatMap((part) => part.split(/[^A-Za-z0-9]+/))
    .filter(Boolean)
    .map((word) => word[0].toUpperCase() + word.slice(1))
    .join("");
}

/** Size AWS counts against inline-policy quotas: the JSON without whitespace. */
export function policySize(document: PolicyDocument): number {
  return JSON.stringify(document).length;
}
