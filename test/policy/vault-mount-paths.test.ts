/**
 * Where the stack mounts Vault engines and auth methods (vault/mount-path). The sandbox stack
 * (bootstrap on: AgentPlatform mounts kv, database, aws and one Kubernetes auth method per cluster)
 * passes on its own (test/policy/components-pass.test.ts); each case changes or adds one resource.
 * A mount the stack writes may be an imported existing one, and an import whose path differs moves
 * (remounts) that mount with its secrets and roles: only the agents' own paths, or a mount that cannot
 * move, are admitted.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { declaring, ruleIds, runPack, UNKNOWN, type Resource } from "../helpers/policy-args";
import { sandboxResources } from "../helpers/sandbox-resources";
import { componentResources } from "../helpers/component-resources";
import { stackDeclaration } from "../helpers/fixtures";
import { OTHER_MOUNT_TYPES } from "../../policy/adapters/vault-mount-paths";

const RULE = "vault/mount-path";
const MOUNT = "vault:index/mount:Mount";
const AWS_ENGINE = "vault:aws/secretBackend:SecretBackend";
const AUTH = "vault:index/authBackend:AuthBackend";
const AUTH_CONFIG = "vault:kubernetes/authBackendConfig:AuthBackendConfig";

let base: Resource[];
beforeAll(async () => {
  base = await sandboxResources();
}, 120_000);

const rulesOf = async (resources: readonly Resource[], config: object = {}) => ruleIds(await runPack(resources, undefined, config));
/** The sandbox stack with its resource of this type and name changed. */
const changing = (type: string, name: string, change: (props: Record<string, unknown>) => Record<string, unknown>) =>
  base.map((r) => (r.type === type && r.name === name ? { ...r, props: change(r.props) } : r));
const without = (key: string) => (props: Record<string, unknown>) => {
  const { [key]: _drop, ...rest } = props;
  void _drop;
  return rest;
};

describe("AgentPlatform's own mounts", () => {
  it("pass where the agents use them (kv, database, the clusters' auth mounts) and, never moved (disableRemount), the AWS engine no agent uses yet", async () => {
    expect(await rulesOf(base)).toEqual([]);
  }, 120_000);

  it("refuses the agents' KV mount moved to another path (an import of kv whose path differs remounts it, secrets and all)", async () => {
    expect(await rulesOf(changing(MOUNT, "platform-platform-kv", (props) => ({ ...props, path: "kv-elsewhere" })))).toContain(RULE);
  }, 120_000);

  it("refuses the agents' KV mount of another engine (a mount's type is not the KV the agents read)", async () => {
    expect(await rulesOf(changing(MOUNT, "platform-platform-kv", (props) => ({ ...props, type: "transit" })))).toEqual([RULE]);
  }, 120_000);

  it("refuses the AWS engine no agent uses once it may remount (disableRemount unset or false)", async () => {
    expect(await rulesOf(changing(AWS_ENGINE, "platform-platform-aws", without("disableRemount")))).toEqual([RULE]);
    expect(await rulesOf(changing(AWS_ENGINE, "platform-platform-aws", (props) => ({ ...props, disableRemount: false })))).toEqual([RULE]);
    expect(await rulesOf(changing(AWS_ENGINE, "platform-platform-aws", (props) => ({ ...props, disableRemount: UNKNOWN })))).toContain(RULE);
  }, 120_000);

  it("refuses the auth config of a cluster no agent runs in until declared (its mount, never moved, passes)", async () => {
    const noGreenRoles = base.filter((r) => !(r.type === "vault:kubernetes/authBackendRole:AuthBackendRole" && r.props.backend === "kubernetes-green"));
    const green = base.find((r) => r.type === AUTH_CONFIG && r.props.backend === "kubernetes-green")!;
    const greenMount = base.find((r) => r.type === AUTH && r.props.path === "kubernetes-green")!;
    const on = async (r: Resource, config: object = {}) =>
      (await runPack(noGreenRoles, undefined, config)).filter((f) => (f.urn ?? "").endsWith(`::${r.type}::${r.name}`) && f.message.includes(`: ${RULE}: `));
    expect(await on(green)).toHaveLength(1);
    expect(await on(green, declaring(green))).toEqual([]);
    expect(await on(greenMount)).toEqual([]);
  }, 120_000);

  it("refuses a path unknown at preview", async () => {
    expect(await rulesOf(changing(MOUNT, "platform-platform-database", (props) => ({ ...props, path: UNKNOWN })))).toContain(RULE);
  }, 120_000);
});

describe("mounts the stack adds", () => {
  const kv = (name: string, path: string, extra: object = {}): Resource => ({
    type: MOUNT,
    name,
    props: { path, type: "kv", options: { version: "2" }, ...extra },
  });

  it("refuses a mount at a path no agent uses until the security team declares it", async () => {
    const added = kv("team-kv", "team-secrets");
    expect(await rulesOf([...base, added])).toEqual([RULE]);
    expect(await rulesOf([...base, added], declaring(added))).toEqual([]);
  }, 120_000);

  it("refuses a second mount on the agents' KV path (one of them is no mount the agents' paths lead to)", async () => {
    const refused = (await runPack([...base, kv("kv-twin", "kv")])).filter((r) => r.message.includes(`: ${RULE}: `)).map((r) => r.urn);
    expect(refused.sort()).toEqual([`urn:pulumi:test::agent-identity::${MOUNT}::kv-twin`, `urn:pulumi:test::agent-identity::${MOUNT}::platform-platform-kv`]);
  }, 120_000);

  it("admits an AWS engine or Kubernetes auth method that cannot move (disableRemount: true), and refuses one that can", async () => {
    const engine = (extra: object): Resource => ({
      type: AWS_ENGINE,
      name: "reports-engine",
      props: { path: "aws-reports", roleArn: "arn:aws:iam::111122223333:role/r", ...extra },
    });
    const auth = (extra: object): Resource => ({ type: AUTH, name: "ci-k8s", props: { type: "kubernetes", path: "kubernetes-ci", ...extra } });
    // The AWS engine is the stack's second: vault/aws-engine refuses that whatever its path.
    expect((await rulesOf([...base, engine({})])).filter((r) => r === RULE)).toEqual([RULE]);
    expect((await rulesOf([...base, engine({ disableRemount: true })])).filter((r) => r === RULE)).toEqual([]);
    expect(await rulesOf([...base, auth({})])).toEqual([RULE]);
    expect(await rulesOf([...base, auth({ disableRemount: true })])).toEqual([]);
    // An auth method mounted at its type when no path is given.
    expect(await rulesOf([...base, { type: AUTH, name: "up", props: { type: "userpass" } }])).toEqual([RULE]);
  }, 120_000);

  it("refuses a Kubernetes auth config on a mount no agent's role lives on, even one that cannot move", async () => {
    const blue = base.find((r) => r.type === AUTH_CONFIG && r.props.backend === "kubernetes-blue")!;
    const ci: Resource = { type: AUTH, name: "ci-k8s", props: { type: "kubernetes", path: "kubernetes-ci", disableRemount: true } };
    const config: Resource = { ...blue, name: "ci-k8s-config", props: { ...blue.props, backend: "kubernetes-ci" } };
    // vault/auth-backend-host also refuses one API server behind two mounts; this rule refuses the mount itself.
    expect(await rulesOf([...base, ci, config])).toContain(RULE);
    expect(await rulesOf([...base, ci, config], declaring(config))).not.toContain(RULE);
    expect(await rulesOf(changing(AUTH_CONFIG, blue.name, (props) => ({ ...props, backend: UNKNOWN })))).toContain(RULE);
  }, 120_000);
});

describe("every type that creates a mount is judged the same (round 13: other engines and auth methods at the agents' paths)", () => {
  /** One resource of a mount-creating type other than vault.Mount, at a path (its `path` or `backend` input). */
  const typed = (type: string, name: string, path: string | undefined, extra: object = {}): Resource => {
    const field = OTHER_MOUNT_TYPES[type]!.field;
    return { type, name, props: { ...(path === undefined ? {} : { [field]: path }), ...extra } };
  };
  const onIt = async (resources: readonly Resource[], r: Resource, config: object = {}) =>
    (await runPack(resources, undefined, config)).filter((f) => (f.urn ?? "").endsWith(`::${r.type}::${r.name}`) && f.message.includes(`: ${RULE}: `));

  it("refuses an engine or auth method of any other type at the agents' paths (an import twin of their mount, moved or adopted)", async () => {
    for (const type of Object.keys(OTHER_MOUNT_TYPES)) {
      const auth = OTHER_MOUNT_TYPES[type]!.auth;
      // The agents' KV mount, or the agents' Kubernetes auth mount of the blue cluster.
      const r = typed(type, "twin", auth ? "kubernetes-blue" : "kv");
      expect(await onIt([...base, r], r), type).toHaveLength(1);
    }
  }, 240_000);

  it("refuses an LDAP engine elsewhere until declared, and admits it when it cannot move (disableRemount: true)", async () => {
    const ldap = typed("vault:ldap/secretBackend:SecretBackend", "ldap-team", "ldap-team", { binddn: "CN=vault", url: "ldaps://ad" });
    expect(await rulesOf([...base, ldap])).toEqual([RULE]);
    expect(await rulesOf([...base, ldap], declaring(ldap))).toEqual([]);
    expect(await rulesOf([...base, { ...ldap, props: { ...ldap.props, disableRemount: true } }])).toEqual([]);
    expect(await rulesOf([...base, { ...ldap, props: { ...ldap.props, path: UNKNOWN } }])).toContain(RULE);
  }, 120_000);

  it("reads the provider's default path when none is given (consul.SecretBackend at consul, nomad's backend at nomad)", async () => {
    const consul = typed("vault:consul/secretBackend:SecretBackend", "consul", undefined, { address: "consul:8500" });
    expect((await onIt([...base, consul], consul))[0]?.message).toContain("mounts consul,");
    const nomad = typed("vault:index/nomadSecretBackend:NomadSecretBackend", "nomad", undefined);
    expect((await onIt([...base, nomad], nomad))[0]?.message).toContain("mounts nomad,");
  }, 120_000);

  it("a Kubernetes secrets engine always moves with its path (no disableRemount); a SAML auth method never does (its path is ForceNew)", async () => {
    const engine = typed("vault:kubernetes/secretBackend:SecretBackend", "k8s-engine", "kubernetes-secrets", { disableRemount: true });
    expect(await onIt([...base, engine], engine)).toHaveLength(1);
    const saml = typed("vault:saml/authBackend:AuthBackend", "saml", "saml-staff");
    expect(await onIt([...base, saml], saml)).toEqual([]);
  }, 120_000);
});

describe("the rule is about stacks with agents, and a mount at the agents' own path gains nothing", () => {
  it("a stack without agents mounts where it likes", async () => {
    const vaultOnly = base.filter((r) => r.type.startsWith("vault:index/mount") || r.type === AUTH);
    expect(await rulesOf([...vaultOnly, { type: MOUNT, name: "team-kv", props: { path: "team-secrets", type: "kv" } }])).toEqual([]);
  }, 120_000);

  it("a twin of the agents' KV mount (bootstrap off: the mount exists, the stack names it) still leaves every agent path judged", async () => {
    // stacks/Pulumi.dev.yaml: no bootstrap, so the agents' KV mount `kv` exists outside the stack.
    const dev = await componentResources(stackDeclaration("dev"));
    const twin: Resource = { type: MOUNT, name: "kv-twin", props: { path: "kv", type: "kv", options: { version: "2" } } };
    const reader: Resource = {
      type: "vault:index/policy:Policy",
      name: "ci-reader",
      props: { name: "ci-reader", policy: 'path "kv/data/agents/*" { capabilities = ["read"] }' },
    };
    expect(await rulesOf([...dev, twin])).toEqual([]);
    // What reaches the agents' secrets is refused the same with the mount in the stack and without it.
    expect(await rulesOf([...dev, reader])).toContain("vault/agent-path-reach");
    expect(await rulesOf([...dev, twin, reader])).toEqual(await rulesOf([...dev, reader]));
  }, 120_000);
});
