/**
 * Which log groups a CloudWatch Logs account policy's `selectionCriteria` selects (PutAccountPolicy):
 * `LogGroupName NOT IN [...]` (subscription filter policies) or `LogGroupNamePrefix IN [...]` (field
 * index and transformer policies). No criteria is every log group of the account; anything else the
 * grammar does not read (a data-source selection, a value too long) is read as every log group.
 */
const MAX_CRITERIA = 10_000;
const NOT_IN = /^\s*LogGroupName\s+NOT\s+IN\s*(\[[\s\S]*\])\s*$/;
const PREFIX_IN = /^\s*LogGroupNamePrefix\s+IN\s*(\[[\s\S]*\])\s*$/;

function names(list: string): string[] | undefined {
  try {
    const parsed: unknown = JSON.parse(list);
    return Array.isArray(parsed) && parsed.every((x) => typeof x === "string") ? (parsed as string[]) : undefined;
  } catch {
    return undefined;
  }
}

/** Does the selection cover the log group named `name`? */
export function selectionCovers(criteria: string | undefined, name: string): boolean {
  if (criteria === undefined || criteria.trim() === "" || criteria.length > MAX_CRITERIA) return true;
  const excluded = NOT_IN.exec(criteria);
  const excludedNames = excluded ? names(excluded[1]) : undefined;
  if (excludedNames) return !excludedNames.includes(name);
  const prefixed = PREFIX_IN.exec(criteria);
  const prefixes = prefixed ? names(prefixed[1]) : undefined;
  if (prefixes) return prefixes.some((prefix) => name.startsWith(prefix));
  return true;
}
