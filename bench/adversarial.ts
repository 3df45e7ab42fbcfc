/**
 * Inputs that made the former regular-expression matcher backtrack exponentially (issue #11:
 * `ec2:*?*?*?*?*?*?*?*?#`, 7 pairs 86 s, 8 pairs killed at 120 s), and pairs that stress the
 * intersection search. Shared by the step-budget tests and the bench.
 */
export interface AdversarialInput {
  readonly name: string;
  /** `match`: globMatches(pattern, text); `intersect`: globsIntersect(pattern, text). */
  readonly kind: "match" | "intersect";
  readonly pattern: string;
  readonly text: string;
}

const pairs = (n: number) => `ec2:${"*?".repeat(n)}#`;

export const ADVERSARIAL_INPUTS: readonly AdversarialInput[] = [
  { name: "ec2:*?×8# vs a 40-character action", kind: "match", pattern: pairs(8), text: `ec2:${"a".repeat(36)}` },
  { name: "ec2:*?×8# vs a 2,000-character action", kind: "match", pattern: pairs(8), text: `ec2:${"a".repeat(1996)}` },
  { name: "ec2:*?×100# vs a 10,000-character action", kind: "match", pattern: pairs(100), text: `ec2:${"a".repeat(9996)}` },
  { name: "ec2:*?×8# vs ec2:DescribeInstances", kind: "match", pattern: pairs(8), text: "ec2:DescribeInstances" },
  { name: "ec2:*?×8# vs a 2,000-character action ending in #", kind: "match", pattern: pairs(8), text: `ec2:${"a".repeat(1995)}#` },
  { name: "*a*a…×50*b vs 10,000 × 'a' then b", kind: "match", pattern: `${"*a".repeat(50)}*b`, text: `${"a".repeat(10_000)}b` },
  { name: "*a×50b* vs 10,000 × 'a'", kind: "match", pattern: `*${"a".repeat(50)}b*`, text: "a".repeat(10_000) },
  { name: "ec2:*?×8# ∩ ec2:*?×8$", kind: "intersect", pattern: pairs(8), text: `ec2:${"*?".repeat(8)}$` },
  { name: "*a×500 ∩ *b×500 (2,000 characters)", kind: "intersect", pattern: `${"*a".repeat(500)}*`, text: `${"*b".repeat(500)}c` },
  { name: "?×1,000* ∩ *×1,000x (2,000 characters)", kind: "intersect", pattern: `${"?".repeat(1000)}*y`, text: `${"*".repeat(1000)}x` },
];
