/**
 * The narrowed stack file is the original text with removals cut out: comments, alignment,
 * quoting and flow or block layout elsewhere stay byte for byte, and the writer never adds.
 */
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import type { Proposal, ToolFinding } from "../../components/narrow/proposal";
import { NarrowWriteError, writeNarrowed } from "../../components/narrow/writer";

const STACK = `# top comment
config:
  agent-identity:platform: { environment: dev }   # kept as written
  agent-identity:agents:
    - name: alpha        # the first agent
      tools:
        - name: files
          aws:
            - actions:
                - s3:GetObject      # read
                - s3:PutObject      # write
                - s3:DeleteObject
              resources: ["arn:aws:s3:::b/in/*", 'arn:aws:s3:::b/out/*']
            - actions: [s3:ListBucket]
              resources: [arn:aws:s3:::b]
        - name: secret   # a kv tool
          kv: { path: token }
    - name: beta
      tools:
        - name: only
          kv: { path: only }
`;

function tool(name: string, over: Partial<ToolFinding> = {}): ToolFinding {
  return { name, kind: "aws", statements: [], vaultRequests: null, status: "unused", remove: false, ...over };
}
const statement = (index: number, removeActions: string[] = [], removeResources: string[] = [], removeStatement = false) => ({
  index,
  actions: [],
  resources: [],
  removeActions,
  removeResources,
  removeStatement,
});
const proposal = (agents: Array<{ agent: string; tools: ToolFinding[] }>): Proposal => ({
  agents: agents.map((a) => ({
    ...a,
    revoked: false,
    window: { first: null, last: null },
    identityCalls: {},
    otherCalls: [],
    needs: [],
    vaultPaths: [],
    untaggedToolCalls: 0,
  })),
  removals: 1,
});

describe("narrowed stack file writer", () => {
  it("cuts block items with their own comments, flow items, and leaves every other byte", () => {
    const { text, removed } = writeNarrowed(
      STACK,
      proposal([
        {
          agent: "alpha",
          tools: [tool("files", { statements: [statement(0, ["s3:PutObject", "s3:DeleteObject"], ["arn:aws:s3:::b/out/*"]), statement(1, [], [], true)] })],
        },
      ]),
    );
    expect(removed).toBe(4);
    expect(text).toBe(
      STACK.replace("                - s3:PutObject      # write\n                - s3:DeleteObject\n", "")
        .replace(`["arn:aws:s3:::b/in/*", 'arn:aws:s3:::b/out/*']`, `["arn:aws:s3:::b/in/*"]`)
        .replace("            - actions: [s3:ListBucket]\n              resources: [arn:aws:s3:::b]\n", ""),
    );
  });

  it("removes a whole tool, and writes `tools: []` when every tool goes", () => {
    const { text } = writeNarrowed(
      STACK,
      proposal([
        { agent: "alpha", tools: [tool("secret", { kind: "kv", remove: true })] },
        { agent: "beta", tools: [tool("only", { kind: "kv", remove: true })] },
      ]),
    );
    expect(text).toBe(
      STACK.replace("        - name: secret   # a kv tool\n          kv: { path: token }\n", "").replace(
        "      tools:\n        - name: only\n          kv: { path: only }\n",
        "      tools: []\n",
      ),
    );
    expect(parse(text).config["agent-identity:agents"][1].tools).toEqual([]);
  });

  it("the first of several flow items, and nothing to do", () => {
    const flow = STACK.replace("            - actions: [s3:ListBucket]", "            - actions: [s3:ListBucket, s3:ListBucketVersions]");
    const { text } = writeNarrowed(flow, proposal([{ agent: "alpha", tools: [tool("files", { statements: [statement(1, ["s3:ListBucket"])] })] }]));
    expect(text).toBe(flow.replace("[s3:ListBucket, s3:ListBucketVersions]", "[s3:ListBucketVersions]"));
    expect(writeNarrowed(STACK, proposal([])).text).toBe(STACK);
  });

  it("never empties an action list: that is the statement's removal, and a mismatch is refused", () => {
    expect(() => writeNarrowed(STACK, proposal([{ agent: "alpha", tools: [tool("files", { statements: [statement(1, ["s3:ListBucket"])] })] }]))).toThrow(
      NarrowWriteError,
    );
  });

  it("matches exact strings only: a name that differs in case or a wildcard is not removed", () => {
    const { text } = writeNarrowed(STACK, proposal([{ agent: "alpha", tools: [tool("files", { statements: [statement(0, ["s3:putobject", "s3:*"])] })] }]));
    expect(text).toBe(STACK);
  });
});
