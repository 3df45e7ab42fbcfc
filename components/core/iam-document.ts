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

/**
 * IAM Sids allow only [A-Za-z0-9]: each run of them in the parts, its first letter upper-cased,
 * the rest dropped. One pass over the characters: compiling a plan makes a Sid for every statement.
 */
export function sid(...parts: string[]): string {
  let out = "";
  for (const part of parts) {
    let run = -1;
    for (let i = 0; i <= part.length; i++) {
      const inRun = i < part.length && isSidCharacter(part.charCodeAt(i));
      if (inRun && run < 0) run = i;
      else if (!inRun && run >= 0) {
        out += part[run].toUpperCase() + part.slice(run + 1, i);
        run = -1;
      }
    }
  }
  return out;
}

function isSidCharacter(code: number): boolean {
  return (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
}

/** Size AWS counts against inline-policy quotas: the JSON without whitespace. */
export function policySize(document: PolicyDocument): number {
  return JSON.stringify(document).length;
}
