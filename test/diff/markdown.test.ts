/** The pull-request comment, parsed back with a real Markdown parser (marked, GFM tables). */
import { marked, type Tokens } from "marked";
import { describe, expect, it } from "vitest";
import { commentMarker, renderMarkdown, renderText } from "../../components/diff";
import { COMMENT_BUDGET } from "../../components/diff/render-markdown";
import { agent, diffOf, edited, planJson, statementsOf } from "../helpers/diff-plans";

const BASE = planJson([agent("alpha"), agent("beta")]);
/** A hand-written plan may hold any text: names built to break tables, code spans and HTML. */
const HOSTILE = "evil|name`tick``<script>alert(1)</script>";
const HOSTILE_ARN = "arn:aws:s3:::bucket|x/`a`/<b>*";

const HEAD = edited(BASE, (p) => {
  statementsOf(p, "alpha", "execution").push({ Effect: "Allow", Action: "iam:PassRole", Resource: "arn:aws:iam::111122223333:role/runner" });
  statementsOf(p, "beta", "execution")[0].Resource = [HOSTILE_ARN];
  p.agents.push({ ...edited(p, () => {}).agents[1], name: HOSTILE });
});

const tables = (markdown: string) => marked.lexer(markdown).filter((t): t is Tokens.Table => t.type === "table");
const headerTexts = (table: Tokens.Table) => table.header.map((cell) => cell.text);
/** Text of every `<td>` of every row of the n-th HTML table. */
function htmlRows(html: string, n: number): string[][] {
  const table = html.split("<table>")[n + 1].split("</table>")[0];
  const body = table.split("<tbody>")[1] ?? "";
  return body
    .split("<tr>")
    .slice(1)
    .map((row) => [...row.matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((m) => m[1]));
}
const decode = (html: string) =>
  html
    .replace(/<\/?code>/g, "")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, "&");

describe("markdown comment", () => {
  const diff = diffOf(BASE, HEAD);
  const markdown = renderMarkdown(diff);
  const html = marked.parse(markdown, { async: false, gfm: true });

  it("starts with the hidden marker CI uses to find its comment", () => {
    expect(markdown.startsWith(`${commentMarker("test")}\n`)).toBe(true);
    expect(commentMarker("test")).toBe("<!-- agent-identity:identity-diff stack=test -->");
    expect(html).toContain(commentMarker("test"));
  });

  it("has a one-row summary table, then the flagged table, then one details table per agent (a new agent: one row, its grants in a fold)", () => {
    const [summary, flagged, ...details] = tables(markdown);
    expect(headerTexts(summary)).toEqual(["Agents changed", "Platform changes", "Widening", "Narrowing", "Neutral", "Flagged actions"]);
    expect(summary.rows).toHaveLength(1);
    expect(summary.rows[0].slice(1).map((c) => c.text)).toEqual(
      [diff.summary.platformChanges, diff.summary.widening, diff.summary.narrowing, diff.summary.neutral, diff.summary.flagged].map(String),
    );
    expect(headerTexts(flagged)).toEqual(["Agent", "Identity", "Action", "Access level", "Why", "On"]);
    expect(flagged.rows).toHaveLength(1);
    expect(details).toHaveLength(4);
    for (const table of details) expect(headerTexts(table)).toEqual(["Privilege", "Identity", "Change", "Before", "After"]);
    expect(details[2].rows).toHaveLength(1);
    expect(details[2].rows[0][2].text).toMatch(/^new agent\\?: \d+ grants/);
    expect(markdown).toContain("<details><summary>grants of the new agent</summary>");
    expect(details.reduce((n, t) => n + t.rows.length, 0)).toBe(diff.changes.length + 1);
  });

  it("renders the summary and flagged rows to HTML cells", () => {
    expect(htmlRows(html, 0)[0]).toEqual([
      "3 agents changed (1 added)",
      ...[diff.summary.platformChanges, diff.summary.widening, diff.summary.narrowing, diff.summary.neutral, diff.summary.flagged].map(String),
    ]);
    expect(htmlRows(html, 1)[0].map(decode)).toEqual([
      "alpha",
      "execution",
      "iam:PassRole",
      "Write",
      "privilege escalation",
      "arn:aws:iam::111122223333:role/runner",
    ]);
  });

  it("escapes pipes, backticks and < in names so every row keeps its cells and no HTML gets through", () => {
    expect(html).not.toContain("<script>");
    expect(html).not.toContain("<b>");
    for (let n = 2; n < 6; n++) for (const row of htmlRows(html, n)) expect(row).toHaveLength(5);
    const agentHeadings = marked.lexer(markdown).filter((t): t is Tokens.Heading => t.type === "heading" && t.depth === 5);
    expect(agentHeadings.map((h) => decode(marked.parseInline(h.text, { async: false })))).toEqual([
      "alpha (changed) · owner team-test, sponsor owner@example.com",
      "beta (changed) · owner team-test, sponsor owner@example.com",
      `${HOSTILE} (added) · owner team-test, sponsor owner@example.com`,
    ]);
    const betaCells = htmlRows(html, 3).flat().map(decode);
    expect(betaCells).toContain(HOSTILE_ARN);
  });

  it("says so in one line when nothing changed", () => {
    const none = renderMarkdown(diffOf(BASE, BASE));
    expect(none).toBe(`${commentMarker("test")}\n**No identity changes** for stack \`test\` (\`base.json\` → \`head.json\`).\n`);
    expect(renderText(diffOf(BASE, BASE))).toBe("No identity changes (stack test: base.json -> head.json).\n");
  });
});

describe("markdown comment size", () => {
  // 400 roles each gaining iam:PassRole on a long ARN: every change is flagged.
  const agents = Array.from({ length: 134 }, (_, i) => agent(`agent-${String(i).padStart(3, "0")}`));
  const base = planJson(agents);
  const head = edited(base, (p) => {
    for (const a of p.agents) {
      for (const identity of a.identities) {
        const statements = identity.iamRole.policies[0].document.Statement;
        statements.push({
          Effect: "Allow",
          Action: ["iam:PassRole", "iam:AttachRolePolicy"],
          Resource: [`arn:aws:iam::111122223333:role/${"very-long-role-name-".repeat(8)}${a.name}-${identity.kind}`],
        });
      }
    }
  });
  const diff = diffOf(base, head);
  const markdown = renderMarkdown(diff, { rerun: "agent-identity diff origin/main --stack dev --format text" });

  it("stays under the budget as a whole and, when 402 widening rows cannot fit even shortened, says so with the count", () => {
    expect(diff.flagged.length).toBeGreaterThanOrEqual(800);
    expect(diff.changes.length).toBeGreaterThanOrEqual(400);
    expect(markdown.length).toBeLessThanOrEqual(COMMENT_BUDGET);
    expect(markdown).toMatch(/more flagged actions: each is a widening row below/);
    expect(markdown).toContain("**Not every widening change fits in one comment** (402 widen)");
    expect(markdown).toContain("the `identity-diff` artifact of this workflow run");
  });

  it("a cut comment never ends on a heading or on a table header without rows", () => {
    for (let budget = 2_000; budget <= 12_000; budget += 337) {
      const text = renderMarkdown(diff, { budget });
      const cut = text.indexOf("\n\n_**Not every widening change fits");
      expect(cut).toBeGreaterThan(0);
      const lines = text.slice(0, cut).split("\n");
      const [last, before] = [lines[lines.length - 1], lines[lines.length - 2]];
      expect(last, `budget ${budget}`).not.toMatch(/^#{1,6} |^\|(\s*:?-+:?\s*\|)+$|^\s*$/);
      if (last.startsWith("|")) expect(before, `budget ${budget}`).toMatch(/^\|/);
      if (last.startsWith("|")) expect(lines[lines.length - 3] ?? "", `budget ${budget}`).toMatch(/^\|/);
    }
  });

  it("never drops a widening row: 18 revocations and one s3:DeleteObject in a small budget show the DeleteObject", () => {
    const many = planJson(Array.from({ length: 19 }, (_, i) => agent(`agent-${String(i).padStart(2, "0")}`)));
    const changed = edited(many, (p) => {
      p.agents.slice(0, 18).forEach((a, i) => (a.revoked = { at: `2026-11-2${i % 9}T09:30:00Z`, reason: "incident ".repeat(40), leaseRevokeCommands: [] }));
      statementsOf(p, "agent-18", "execution").push({ Effect: "Allow", Action: "s3:DeleteObject", Resource: "arn:aws:s3:::acme-data/agent-18/*" });
    });
    const d = diffOf(many, changed);
    expect(d.summary.widening).toBe(1);
    expect(d.summary.narrowing).toBeGreaterThanOrEqual(18);
    const small = renderMarkdown(d, { budget: 4_000 });
    expect(small.length).toBeLessThanOrEqual(4_000);
    expect(small).toContain("s3:DeleteObject");
    expect(small).toMatch(/neutral or narrowing changes? not shown/);
    const widening = tables(small)
      .slice(1)
      .flatMap((t) => t.rows)
      .filter((row) => row[0].text.includes("widens"));
    expect(widening).toHaveLength(1);
  });

  it("two stacks of 40 new agents each: every comment is under GitHub's 65,536 characters, one comment per stack", () => {
    const fleet = planJson(Array.from({ length: 40 }, (_, i) => agent(`new-agent-${String(i).padStart(2, "0")}`)));
    const empty = planJson([]);
    const comments = ["dev", "prod"].map((stack) =>
      renderMarkdown(
        diffOf(
          edited(empty, (p) => (p.stack = stack)),
          edited(fleet, (p) => (p.stack = stack)),
        ),
      ),
    );
    for (const [i, comment] of comments.entries()) {
      expect(comment.length).toBeLessThan(65_536);
      expect(comment.startsWith(commentMarker(["dev", "prod"][i]))).toBe(true);
      // Each new agent is one summary row.
      expect((comment.match(/new agent: \d+ grants/g) ?? []).length).toBe(40);
    }
  });

  it("keeps a pipe, backslash, backtick or newline inside its cell", () => {
    const nasty = "arn:aws:s3:::b\\|x`y\nz|w";
    const hostile = edited(BASE, (p) => (statementsOf(p, "beta", "execution")[0].Resource = [nasty]));
    const html = marked.parse(renderMarkdown(diffOf(BASE, hostile)), { async: false, gfm: true });
    const rows = htmlRows(html, 1);
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) expect(row).toHaveLength(5);
    // One backslash before a pipe shows doubled: GFM cannot show `\|` exactly in a table cell (see markdown.ts).
    expect(rows.flat().map(decode).join(" ")).toContain("arn:aws:s3:::b\\\\|x`y z|w");
  });
});

describe("text output", () => {
  it("escapes control characters, so a newline in a name cannot forge a line", () => {
    const forged = "x\n    + widens  nothing to see";
    const head = edited(BASE, (p) => (statementsOf(p, "beta", "execution")[0].Resource = [forged]));
    const text = renderText(diffOf(BASE, head));
    expect(text).toContain("x\\n    + widens  nothing to see");
    expect(text.split("\n").some((line) => line.startsWith("    + widens  nothing"))).toBe(false);
  });
});
