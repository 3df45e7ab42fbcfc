/**
 * Calls the pack's policies directly, the way @pulumi/awsguard's tests do: build the validation args
 * by hand and collect what `reportViolation` receives. `unknownCheckingProxy` is what the policy
 * server wraps inputs in, so unknown values behave as they do during a real preview.
 */
import {
  unknownCheckingProxy,
  type PolicyResource,
  type ResourceValidationArgs,
  type ResourceValidationPolicy,
  type StackValidationArgs,
  type StackValidationPolicy,
} from "@pulumi/policy";
import { createPolicies } from "../../policy/policies";
import { UNKNOWN_SENTINEL, readInputs } from "../../policy/inputs";
import { digestOfInputs } from "../../policy/inputs-digest";
import { TODAY } from "./fixtures";

export const UNKNOWN = UNKNOWN_SENTINEL;

export interface Resource {
  readonly type: string;
  readonly name: string;
  readonly props: Record<string, unknown>;
  /** Input name → names of the resources it came from (what the engine sends as property dependencies). */
  readonly dependsOn?: Record<string, string[]>;
  /** The explicit provider it is created through (the engine sends its type, name, URN and inputs). */
  readonly provider?: Resource;
}

const providerOf = (r: Resource) =>
  r.provider ? { type: r.provider.type, name: r.provider.name, urn: urnOf(r.provider), props: unknownCheckingProxy(r.provider.props) } : undefined;

export const urnOf = (r: Resource) => `urn:pulumi:test::agent-identity::${r.type}::${r.name}`;
const notApplicable = (reason?: string): never => {
  throw new Error(`notApplicable: ${reason}`);
};

export function resourceArgs(resource: Resource, config: object = {}): ResourceValidationArgs {
  return {
    type: resource.type,
    name: resource.name,
    urn: urnOf(resource),
    props: unknownCheckingProxy(resource.props),
    provider: providerOf(resource),
    opts: {
      protect: false,
      ignoreChanges: [],
      aliases: [],
      customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
      additionalSecretOutputs: [],
    },
    stackTags: new Map(),
    isType: () => false,
    asType: () => undefined,
    getConfig: <T extends object>() => config as T,
    notApplicable,
  };
}

export function stackArgs(resources: readonly Resource[], config: object = {}): StackValidationArgs {
  const list = resources.map(
    (r) =>
      ({
        type: r.type,
        name: r.name,
        urn: urnOf(r),
        props: unknownCheckingProxy(r.props),
        provider: providerOf(r),
        opts: resourceArgs(r).opts,
        dependencies: [],
        propertyDependencies: {} as Record<string, PolicyResource[]>,
        isType: () => false,
        asType: () => undefined,
      }) as unknown as PolicyResource,
  );
  resources.forEach((r, i) => {
    for (const [input, names] of Object.entries(r.dependsOn ?? {})) {
      (list[i].propertyDependencies as Record<string, PolicyResource[]>)[input] = names
        .map((name) => list[resources.findIndex((o) => o.name === name)])
        .filter(Boolean);
    }
  });
  return { resources: list, stackTags: new Map(), getConfig: <T extends object>() => config as T, notApplicable };
}

export interface Reported {
  readonly policy: string;
  readonly message: string;
  readonly urn?: string;
}

/**
 * Run every policy of the pack over the resources, on `now` (the fixtures' date by default); return
 * every violation reported. `config` is what the engine passes every policy as its configuration.
 */
export async function runPack(resources: readonly Resource[], now: Date = TODAY, config: object = {}): Promise<Reported[]> {
  const reported: Reported[] = [];
  for (const policy of createPolicies({ now: () => now })) {
    const validate = (policy as ResourceValidationPolicy).validateResource;
    if (validate) {
      const validations = Array.isArray(validate) ? validate : [validate];
      for (const resource of resources) {
        for (const validation of validations) {
          await validation(resourceArgs(resource, config), (message, urn) => reported.push({ policy: policy.name, message, urn }));
        }
      }
    }
    const validateStack = (policy as StackValidationPolicy).validateStack;
    if (validateStack) await validateStack(stackArgs(resources, config), (message, urn) => reported.push({ policy: policy.name, message, urn }));
  }
  return reported;
}

/** The rule ids in reported messages (`agent/identity: rule-id: ...`). */
export function ruleIds(reported: readonly Reported[]): string[] {
  return [...new Set(reported.map((r) => r.message.split(": ")[1]))].sort();
}

/** Whether a reported violation is of this rule (its message names the rule; policies group a family's rules). */
export const ofRule = (reported: Reported, ruleId: string): boolean => reported.message.split(": ")[1] === ruleId;

/** A kubernetesPlatformResources entry declaring exactly this resource, as the security team would: its URN and inputs digest. */
export function platformDeclaration(resource: Resource, reason = "reviewed by the security team"): object {
  return { urn: urnOf(resource), inputsDigest: digestOfInputs(readInputs(resource.props).value), reason, approvedBy: "security@acme.example" };
}

/** A pack configuration declaring exactly these resources (platformDeclaration). */
export const declaring = (...resources: readonly Resource[]) => ({ kubernetesPlatformResources: resources.map((resource) => platformDeclaration(resource)) });

/**
 * A configuration declaring the resources named `<type>::<name>` among `resources` by their URN and
 * inputs digest; a key naming none of them declares a URN no resource has (so it covers nothing).
 */
export function declaringKeys(resources: readonly Resource[], ...keys: string[]) {
  return declaring(
    ...keys.map((key) => {
      const at = key.lastIndexOf("::");
      const [type, name] = [key.slice(0, at), key.slice(at + 2)];
      return resources.find((r) => r.type === type && r.name === name) ?? { type, name, props: {} };
    }),
  );
}

/** Per principal type: its two exclusives, the input naming it in them, and its inline policy type and field. */
const EXCLUSIVES: Readonly<Record<string, { managed: string; inline: string; field: string; policy: string; policyField: string }>> = {
  "aws:iam/role:Role": {
    managed: "aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive",
    inline: "aws:iam/rolePoliciesExclusive:RolePoliciesExclusive",
    field: "roleName",
    policy: "aws:iam/rolePolicy:RolePolicy",
    policyField: "role",
  },
  "aws:iam/user:User": {
    managed: "aws:iam/userPolicyAttachmentsExclusive:UserPolicyAttachmentsExclusive",
    inline: "aws:iam/userPoliciesExclusive:UserPoliciesExclusive",
    field: "userName",
    policy: "aws:iam/userPolicy:UserPolicy",
    policyField: "user",
  },
  "aws:iam/group:Group": {
    managed: "aws:iam/groupPolicyAttachmentsExclusive:GroupPolicyAttachmentsExclusive",
    inline: "aws:iam/groupPoliciesExclusive:GroupPoliciesExclusive",
    field: "groupName",
    policy: "aws:iam/groupPolicy:GroupPolicy",
    policyField: "group",
  },
};

/**
 * The two resources that make a hand-written role, user or group hold only the stack's policies
 * (iam/principal-exclusive-policies): no managed policy but `policyArns`, no inline policy but `inline`.
 */
export function exclusivePolicies(principal: Resource, inline: readonly string[] = [], policyArns: readonly string[] = []): Resource[] {
  const kind = EXCLUSIVES[principal.type];
  const name = principal.props.name;
  return [
    { type: kind.managed, name: `${principal.name}-attachments`, props: { [kind.field]: name, policyArns: [...policyArns] } },
    { type: kind.inline, name: `${principal.name}-inline`, props: { [kind.field]: name, policyNames: [...inline] } },
  ];
}

/**
 * `resources` with both exclusives added for every hand-written role, user or group named by a known
 * value that has none, listing the inline policies `resources` write on it: for tests of other rules
 * on such principals.
 */
export function withExclusivePolicies(resources: readonly Resource[]): Resource[] {
  const extra: Resource[] = [];
  for (const principal of resources) {
    const kind = EXCLUSIVES[principal.type];
    if (!kind || typeof principal.props.name !== "string") continue;
    const name = principal.props.name.toLowerCase();
    const named = (r: Resource, field: string) => String(r.props[field]).toLowerCase() === name;
    if (resources.some((r) => (r.type === kind.managed || r.type === kind.inline) && named(r, kind.field))) continue;
    const inline = resources
      .filter((r) => r.type === kind.policy && named(r, kind.policyField))
      .map((r) => r.props.name)
      .filter((n): n is string => typeof n === "string");
    extra.push(...exclusivePolicies(principal, inline));
  }
  return [...resources, ...extra];
}

/**
 * `config` plus a declaration of every IAM role in `resources` that is not an agent's (tagged by the
 * components), every customer-managed policy, instance profile and identity provider, as the security team vouches
 * for a platform object's name (iam/platform-role-declared, iam/platform-object-declared): for tests
 * of other rules on hand-written IAM objects in a stack with agents.
 */
export function declaringPlatformIam(resources: readonly Resource[], config: object = {}): object {
  const declared = resources.filter(
    (r) =>
      (r.type === "aws:iam/role:Role" && !(r.props.tags as { agent?: unknown } | undefined)?.agent) ||
      r.type === "aws:iam/policy:Policy" ||
      r.type === "aws:iam/instanceProfile:InstanceProfile" ||
      r.type === "aws:iam/openIdConnectProvider:OpenIdConnectProvider" ||
      r.type === "aws:iam/samlProvider:SamlProvider" ||
      r.type === "aws:iam/user:User" ||
      r.type === "aws:iam/group:Group",
  );
  const given = (config as { kubernetesPlatformResources?: object[] }).kubernetesPlatformResources ?? [];
  return { ...config, kubernetesPlatformResources: [...given, ...declaring(...declared).kubernetesPlatformResources] };
}
