/**
 * The IAM roles this deployment has registered so far, as the pack's one analyzer process sees them.
 * A per-resource check judges a role ARN against them before the resource is created, at preview and
 * at update alike; at update that includes an ARN that was unknown at preview, which the stack
 * policies admitted because it came from a role of the stack, and which a program may have computed
 * into any role (`stackRole.arn.apply(() => platformAdminArn)`). Stack policies run only after every
 * resource of an update exists, so only a resource check can refuse that value in time.
 *
 * Why "registered earlier in this run" is sound:
 * - The engine starts one analyzer process per deployment and sends it one Analyze request per
 *   resource the program registers, before that resource's step runs, unchanged resources included
 *   (pulumi/pulumi pkg/resource/deploy/step_generator.go: analyzers are called for every registration,
 *   before the diff).
 * - A program registers a resource once its inputs have resolved, and an input taken from another
 *   resource's output resolves only after that resource was registered (at update: created). So the
 *   role an ARN came from was recorded here before the resource using the ARN is checked.
 * - The Analyze request carries no dependencies (@pulumi/policy server.js builds the resource
 *   validation args without them), so the check cannot ask where a value came from; it asks whether
 *   the value names a role this deployment registered.
 * A reference written as a literal to a role the program registers later is refused (take the ARN
 * from the role's `arn` output: that also orders the creates). Roles are matched by name, as an IAM
 * role name is unique in its account regardless of case and path; the account in the ARN is not
 * compared here (the stack policy compares it with the provider's: stack-roles.ts).
 * One registry per pack instance (createPolicies), so test runs do not share one.
 */
import { asString, readInputs } from "./inputs";
import type { PackResource } from "./types";

const ROLE = "aws:iam/role:Role";

/** The name part of a role ARN (`arn:<partition>:iam::<account>:role/<path/><name>`), or undefined when it is not one. */
export function roleNameOfArn(arn: string): string | undefined {
  const match = /^arn:[^:]+:iam::[^:]*:role\/(?:.*\/)?([^/]+)$/i.exec(arn);
  return match?.[1];
}

export class RunRoles {
  private readonly names = new Set<string>();
  /** Name patterns of auto-named roles: the provider picks the name in Check, after the analyzer saw the inputs. */
  private readonly patterns: RegExp[] = [];
  private readonly seen = new Set<string>();

  /** Record a resource the engine sent (once per URN). */
  record(resource: PackResource): void {
    if (resource.type !== ROLE || this.seen.has(resource.urn)) return;
    this.seen.add(resource.urn);
    const inputs = readInputs(resource.props);
    const name = asString(inputs.value.name);
    if (name !== undefined) {
      this.names.add(name.toLowerCase());
      return;
    }
    if (inputs.unknown.some((path) => path === "name" || path === "namePrefix")) return; // recorded when known (at update)
    const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    const prefix = asString(inputs.value.namePrefix);
    // pulumi-aws auto-naming (tfbridge AutoName): `<resource name>-<7 hex>`; namePrefix: Terraform's
    // PrefixedUniqueId, `<prefix><26 digits>`.
    this.patterns.push(
      prefix !== undefined ? new RegExp(`^${escape(prefix.toLowerCase())}\\d{26}$`) : new RegExp(`^${escape(resource.name.toLowerCase())}-[0-9a-f]{7}$`),
    );
  }

  /** Whether this deployment registered, before now, a role with the name an ARN names. */
  registered(arn: string): boolean {
    const name = roleNameOfArn(arn)?.toLowerCase();
    return name !== undefined && (this.names.has(name) || this.patterns.some((pattern) => pattern.test(name)));
  }
}
