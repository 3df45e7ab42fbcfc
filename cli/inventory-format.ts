/**
 * Renders the inventory as CSV (RFC 4180, safe to open in a spreadsheet), Markdown or JSON.
 * Pure string functions; no Pulumi.
 */
import { mdCode } from "../components/diff/markdown";
import type { Inventory, InventoryRow } from "./inventory";
import { expiringByOwner } from "./inventory";

export type InventoryFormat = "csv" | "markdown" | "json";

/** Column order and headers, shared by CSV and Markdown. */
const COLUMNS: readonly (readonly [keyof InventoryRow, string])[] = [
  ["owner", "owner"],
  ["agent", "agent"],
  ["identity", "identity"],
  ["sponsor", "sponsor"],
  ["tier", "tier"],
  ["expires", "expires"],
  ["daysLeft", "days_left"],
  ["dataClass", "data_class"],
  ["serviceAccount", "service_account"],
  ["iamRole", "iam_role"],
  ["toolRole", "tool_role"],
  ["services", "services"],
  ["actions", "actions"],
  ["resources", "resources"],
  ["vaultPaths", "vault_paths"],
  ["sqlGrants", "sql_grants"],
  ["tools", "tools"],
  ["ttls", "ttls"],
  ["waivers", "waivers"],
  ["status", "status"],
  ["revocation", "revocation"],
  ["stack", "stack"],
];

const cellText = (value: InventoryRow[keyof InventoryRow]): string => (Array.isArray(value) ? value.join("; ") : String(value));

/**
 * OWASP CSV injection: a spreadsheet evaluates a cell starting with `=`, `+`, `-`, `@`, tab or CR
 * as a formula, so such a cell gets a leading `'` (shown as text). Plain integers (days left may be
 * negative) cannot be formulas and stay numbers.
 */
export function neutraliseFormula(text: string): string {
  if (/^-?\d+$/.test(text)) return text;
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

/** RFC 4180: quote a field holding `"`, `,`, CR or LF; double the quotes inside. */
export function csvField(text: string): string {
  const safe = neutraliseFormula(text);
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

const csvRecord = (cells: readonly string[]): string => `${cells.map(csvField).join(",")}\r\n`;

export function inventoryCsv(rows: readonly InventoryRow[]): string {
  return [csvRecord(COLUMNS.map(([, header]) => header)), ...rows.map((row) => csvRecord(COLUMNS.map(([key]) => cellText(row[key]))))].join("");
}

/**
 * A value in a Markdown table cell or heading: a code span by the diff's rule (components/diff/
 * markdown.ts), so an exception or revocation reason cannot bring HTML, a comment that hides the
 * rest of the issue, a mention or a link into the renewal issue. Empty stays empty.
 */
const markdownCell = (text: string, inTable = true): string => (text === "" ? "" : mdCode(text, inTable));

function markdownTable(rows: readonly InventoryRow[]): string[] {
  const headers = COLUMNS.filter(([key]) => key !== "stack").map(([, header]) => header);
  const keys = COLUMNS.filter(([key]) => key !== "stack").map(([key]) => key);
  return [
    `| ${headers.join(" | ")} |`,
    `| ${headers.map(() => "---").join(" | ")} |`,
    ...rows.map((row) => `| ${keys.map((key) => markdownCell(cellText(row[key])) || " ").join(" | ")} |`),
  ];
}

export function inventoryMarkdown(inventory: Inventory): string {
  return [
    `# Identity inventory: stack ${inventory.stack}, as of ${inventory.date}`,
    "",
    `${inventory.rows.length} identities.`,
    "",
    ...markdownTable(inventory.rows),
    "",
  ].join("\n");
}

export function expiringMarkdown(inventory: Inventory, days: number): string {
  const groups = expiringByOwner(inventory, days);
  const out = [`# Identities to renew within ${days} days: stack ${inventory.stack}, as of ${inventory.date}`, ""];
  if (groups.length === 0) out.push("Nothing expires in this window.", "");
  for (const group of groups) out.push(`## ${markdownCell(group.owner, false)}`, "", ...markdownTable(group.rows), "");
  return out.join("\n");
}

export function renderInventory(inventory: Inventory, format: InventoryFormat, expiringDays?: number): string {
  if (expiringDays === undefined) {
    if (format === "csv") return inventoryCsv(inventory.rows);
    if (format === "json") return `${JSON.stringify(inventory, null, 2)}\n`;
    return inventoryMarkdown(inventory);
  }
  // CSV has no sections: grouped by owner means the owner column comes first and rows are sorted by it.
  if (format === "csv") return inventoryCsv(expiringByOwner(inventory, expiringDays).flatMap((group) => group.rows));
  if (format === "json") {
    const owners = expiringByOwner(inventory, expiringDays);
    return `${JSON.stringify({ stack: inventory.stack, date: inventory.date, withinDays: expiringDays, owners }, null, 2)}\n`;
  }
  return expiringMarkdown(inventory, expiringDays);
}
