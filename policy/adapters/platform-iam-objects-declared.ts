/**
 * In a stack with agents, every customer-managed IAM policy, instance profile, identity provider
 * (OIDC, SAML), user and group the stack creates is declared by the security team
 * (iam/platform-object-declared).
 *
 * Why: a policy does not see a resource's `import` option, and an import whose inputs differ imports
 * the existing object and then updates it. An `aws.iam.Policy` named like an existing one
 * (`developers-baseline`) is then that policy: the update writes a new default version, which every
 * principal it is already attached to outside the stack holds at once (separation/undeclared-share
 * also judges its document as theirs, but only for what agents own and hold: the platform's own
 * secrets are not in the stack). An `aws.iam.InstanceProfile` named like an existing one is that
 * profile: the update puts the stack's `role` in it (RemoveRoleFromInstanceProfile, then
 * AddRoleToInstanceProfile), for every instance already running with it. An identity provider named
 * by an existing one's URL or name is that provider: a SAML provider's new metadata document makes
 * every role trusting it, outside the stack, accept another IdP's assertions; an OIDC provider's new
 * thumbprints and client IDs are what IAM checks for its issuer (for issuers IAM verifies by its own
 * trusted CAs, such as EKS's, the thumbprint is not used, and every web-identity trust the pack
 * admits pins `aud` and `sub`: declaring it costs one entry and relies on none of that). A User named
 * like an existing one is that user: its exclusives strip its policies, but its access keys, console
 * password, SSH keys and certificates stay (separate objects nothing in the stack removes), so whoever
 * holds them gets every grant the stack gives it (a membership in a stack group). A Group named like an
 * existing one keeps its members (a GroupMembership is exclusive only if the stack writes one), and
 * each gets the group's new policies. Only the security team
 * knows which names are taken: the declaration (kubernetesPlatformResources, by URN and inputs
 * digest, so the name is pinned) vouches that this one is new. The components create neither.
 */
import type { Adapter } from "../types";
import { agentNamespaces } from "./agent-namespaces";
import { declarablePlatformFinding, readOfType } from "./shared";

const RULE = "iam/platform-object-declared";
const POLICY = "aws:iam/policy:Policy";
const PROFILE = "aws:iam/instanceProfile:InstanceProfile";
const OIDC = "aws:iam/openIdConnectProvider:OpenIdConnectProvider";
const SAML = "aws:iam/samlProvider:SamlProvider";
const USER = "aws:iam/user:User";
const GROUP = "aws:iam/group:Group";

const WHY: Readonly<Record<string, string>> = {
  [POLICY]:
    "if a policy of that name exists, importing it writes this document as its new default version for every principal it is already attached to outside the stack",
  [PROFILE]: "if a profile of that name exists, importing it puts this role in it for every instance already running with it",
  [OIDC]: "if a provider for that issuer exists, importing it sets these thumbprints and client IDs for every role trusting it outside the stack",
  [SAML]:
    "if a provider of that name exists, importing it sets this metadata document, so every role trusting it outside the stack accepts that IdP's assertions",
  [USER]:
    "if a user of that name exists, importing it keeps its access keys, console password and SSH keys, so whoever holds them gets every grant the stack gives this user",
  [GROUP]: "if a group of that name exists, importing it keeps its members, who each get every policy the stack gives this group",
};

const KIND: Readonly<Record<string, string>> = {
  [POLICY]: "customer-managed policy",
  [PROFILE]: "instance profile",
  [OIDC]: "OIDC identity provider",
  [SAML]: "SAML identity provider",
  [USER]: "user",
  [GROUP]: "group",
};

export const platformIamObjectsDeclared: Adapter = {
  family: "platform-iam-objects-declared",
  holdings:
    "none: a customer policy, instance profile, identity provider, user or group may reach principals, instances or credentials outside the stack until declared",
  types: [
    {
      type: POLICY,
      route: "a customer-managed policy, in a stack with agents, is declared: an imported existing one reaches whoever holds it",
      checkedBy: [RULE],
    },
    {
      type: PROFILE,
      route: "lets EC2 instances use a role; in a stack with agents it is declared: an imported existing profile hands its role to the instances using it",
      checkedBy: [RULE],
    },
    {
      type: OIDC,
      route:
        "an identity provider roles may trust; in a stack with agents it is declared: an imported existing one gets these thumbprints and client IDs for every role trusting it",
      checkedBy: [RULE],
    },
    {
      type: SAML,
      route:
        "an identity provider roles may trust; in a stack with agents it is declared: an imported existing one gets this metadata for every role trusting it",
      checkedBy: [RULE],
    },
    {
      type: USER,
      route: "an IAM user, in a stack with agents, is declared: an imported existing one keeps its keys and passwords, which then carry its new grants",
      checkedBy: [RULE],
    },
    {
      type: GROUP,
      route: "an IAM group, in a stack with agents, is declared: an imported existing one keeps its members, who then hold its new policies",
      checkedBy: [RULE],
    },
  ],
  stack: (ix, pass) => {
    if (agentNamespaces(ix).size === 0) return;
    for (const r of readOfType(ix, POLICY, PROFILE, OIDC, SAML, USER, GROUP)) {
      const id = r.resource.type === OIDC ? r.v.url : r.v.name;
      const name = typeof id === "string" ? id : "(name not known at preview)";
      const kind = KIND[r.resource.type];
      pass.findings.push(
        declarablePlatformFinding(
          r.resource,
          RULE,
          `IAM ${kind} ${name} (${r.resource.name}): ${WHY[r.resource.type]}, which the pack cannot read`,
          r.resource.type === USER
            ? "give workloads roles instead of users, or create users in the platform's own stack"
            : `create ${kind}s in the platform's own stack`,
        ),
      );
    }
  },
};
