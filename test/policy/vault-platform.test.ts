/**
 * Vault platform resources (issue #19 part 5) beside the sandbox stack's own (two clusters, bootstrap
 * on), which pass on their own (test/policy/components-pass.test.ts). Each case starts from an input
 * that passes and changes one property of it.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { tuneSeconds } from "../../policy/checks/vault-mounts";
import { VAULT_MOUNT_PATH_TYPES } from "../../policy/adapters/vault-mount-paths";
import { declaring, ruleIds, runPack, UNKNOWN, type Resource } from "../helpers/policy-args";
import { sandboxResources } from "../helpers/sandbox-resources";

const CA = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
const BLUE = "https://EXAMPLED539D4633E53DE1B71EXAMPLE.gr7.us-east-1.eks.amazonaws.com";

let base: Resource[];
let baseline: Set<string>;
/** Platform policies the cases' principals carry: written in the stack, so vault/policy-in-stack reads them. */
const platformPolicy = (name: string): Resource => ({
  type: "vault:index/policy:Policy",
  name: `${name}-policy`,
  props: { name, policy: `path "kv/data/${name}/*" {\n  capabilities = ["read"]\n}\n` },
});

beforeAll(async () => {
  base = [...(await sandboxResources()), platformPolicy("ci"), platformPolicy("ops")];
  baseline = new Set((await runPack(base)).map((r) => r.message));
}, 120_000);

/** Rules of the findings a resource adds to the sandbox stack. */
const adds = async (...extra: Resource[]) => ruleIds((await runPack([...base, ...extra])).filter((r) => !baseline.has(r.message)));
/**
 * The same, with the added mounts and entity aliases declared by the security team: a mount at a path
 * no agent uses is refused until declared (vault/mount-path, test/policy/vault-mount-paths.test.ts), so
 * is an alias joining a login to an entity of the stack (vault/entity-alias), and these cases judge
 * what a declaration does not lift (a mount's settings, its connections, an alias on an agent's mount).
 */
const DECLARED_HERE: readonly string[] = [...Object.values(VAULT_MOUNT_PATH_TYPES), "vault:identity/entityAlias:EntityAlias"];
const addsDeclared = async (...extra: Resource[]) => {
  const mounts = extra.filter((r) => DECLARED_HERE.includes(r.type));
  return ruleIds((await runPack([...base, ...extra], undefined, declaring(...mounts))).filter((r) => !baseline.has(r.message)));
};
/** The sandbox stack with one of its resources replaced. */
const replacing = async (type: string, backend: string, change: (props: Record<string, unknown>) => Record<string, unknown>) =>
  ruleIds(
    (await runPack(base.map((r) => (r.type === type && r.props.backend === backend ? { ...r, props: change(r.props) } : r)))).filter(
      (r) => !baseline.has(r.message),
    ),
  );

describe("auth mounts' tuned lease TTLs", () => {
  const mount = (tune?: object): Resource => ({
    type: "vault:index/authBackend:AuthBackend",
    name: "ci-jwt",
    props: { type: "jwt", path: "jwt", ...(tune ? { tune } : {}) },
  });
  it("unset or within the loosest tier pass; years, 0 or an unread form are refused", async () => {
    expect(await addsDeclared(mount())).toEqual([]);
    expect(await addsDeclared(mount({ maxLeaseTtl: "1h", defaultLeaseTtl: "900" }))).toEqual([]);
    for (const maxLeaseTtl of ["87600h", "0", "1h30m"]) expect(await addsDeclared(mount({ maxLeaseTtl })), maxLeaseTtl).toEqual(["vault/token-max-ttl"]);
    expect(
      await addsDeclared({
        type: "vault:jwt/authBackend:AuthBackend",
        name: "jwt2",
        props: { path: "jwt2", disableRemount: true, tune: { defaultLeaseTtl: "87600h" } },
      }),
    ).toEqual(["vault/auth-trust-root", "vault/token-max-ttl"]);
  }, 120_000);
  it("reads Vault's duration forms", () => {
    expect(tuneSeconds("3600")).toBe(3600);
    expect(tuneSeconds("2d")).toBe(172800);
    expect(tuneSeconds("1.5h")).toBeUndefined();
  });
});

describe("a database mount's embedded connections are judged as connections", () => {
  const secretsMount = (connection: object): Resource => ({
    type: "vault:database/secretsMount:SecretsMount",
    name: "db2",
    props: {
      path: "database2",
      postgresqls: [
        {
          name: "warehouse",
          connectionUrl: "postgresql://{{username}}:{{password}}@db:5432/w?sslmode=verify-full",
          allowedRoles: [],
          username: "root",
          password: "x",
          ...connection,
        },
      ],
    },
  });
  it("verify-full with no roles passes; sslmode=disable, a * role or another engine are refused", async () => {
    expect(await addsDeclared(secretsMount({}))).toEqual([]);
    expect(await addsDeclared(secretsMount({ connectionUrl: "postgresql://{{username}}:{{password}}@db:5432/w?sslmode=disable" }))).toEqual([
      "database/connection-tls",
    ]);
    expect(await addsDeclared(secretsMount({ allowedRoles: ["*"] }))).toEqual(["database/connection-allowed-roles"]);
    const mysql = secretsMount({});
    expect(
      await addsDeclared({ ...mysql, props: { ...mysql.props, mysqls: [{ name: "m", connectionUrl: "{{username}}:{{password}}@tcp(db:3306)/" }] } }),
    ).toEqual(["database/connection-tls"]);
  }, 120_000);
});

describe("a connection names its own root login (Vault keeps a stored root password a write leaves out)", () => {
  const CONNECTION = "vault:database/secretBackendConnection:SecretBackendConnection";
  /** The sandbox's connection with its postgresql block (a secret, as the engine sends it) changed. */
  const withPostgresql = (change: (block: Record<string, unknown>) => Record<string, unknown>) =>
    replacing(CONNECTION, "database", (props) => {
      const wrapped = props.postgresql as Record<string, unknown>;
      const secret = "value" in wrapped && Object.keys(wrapped).length === 2;
      const block = change({ ...((secret ? wrapped.value : wrapped) as Record<string, unknown>) });
      return { ...props, postgresql: secret ? { ...wrapped, value: block } : block };
    });
  const without = (key: string) => (block: Record<string, unknown>) => {
    const { [key]: _drop, ...rest } = block;
    void _drop;
    return rest;
  };
  it("the sandbox's connection (username and password from passwordConfigKey) passes", async () => {
    expect(await withPostgresql((block) => block)).toEqual([]);
    // A password from a RandomPassword of the same update is unknown at preview: only whether it is set is judged, so
    // it passes, and the update's per-resource pass judges the value (an empty one is refused above).
    expect(await withPostgresql((block) => ({ ...block, password: UNKNOWN }))).toEqual([]);
    // Anything else of the block unknown at preview is still held until update.
    expect(await withPostgresql((block) => ({ ...block, connectionUrl: UNKNOWN }))).toContain("stack/unknown-input");
    expect(await withPostgresql((block) => ({ ...block, username: UNKNOWN }))).toContain("stack/unknown-input");
  }, 120_000);
  it("refuses the connection with no password, an empty one, or no username", async () => {
    expect(await withPostgresql(without("password"))).toEqual(["database/connection-root-login"]);
    expect(await withPostgresql((block) => ({ ...block, password: "" }))).toEqual(["database/connection-root-login"]);
    expect(await withPostgresql(without("username"))).toEqual(["database/connection-root-login"]);
  }, 120_000);
  it("refuses a second connection re-pointing the agent's connection at another host without a password (attack round 7 vDbConnHostSwap)", async () => {
    const repoint: Resource = {
      type: CONNECTION,
      name: "dbc2",
      props: {
        backend: "database",
        name: "ledger",
        allowedRoles: ["sandbox.invoice-triage.ledger"],
        verifyConnection: true,
        postgresql: { connectionUrl: "postgresql://{{username}}:{{password}}@db.evil.example.com:5432/ledger?sslmode=verify-full", username: "vault-root" },
      },
    };
    expect(await adds(repoint)).toEqual(["database/connection-root-login"]);
  }, 120_000);
  it("judges a database mount's embedded connections the same way", async () => {
    const mount = (password?: string): Resource => ({
      type: "vault:database/secretsMount:SecretsMount",
      name: "db3",
      props: {
        path: "database3",
        postgresqls: [
          {
            name: "warehouse",
            connectionUrl: "postgresql://{{username}}:{{password}}@db:5432/w?sslmode=verify-full",
            allowedRoles: [],
            username: "root",
            ...(password === undefined ? {} : { password }),
          },
        ],
      },
    });
    expect(await addsDeclared(mount("x"))).toEqual([]);
    expect(await addsDeclared(mount())).toEqual(["database/connection-root-login"]);
    // A root password unknown at preview (a RandomPassword of the same update) passes; at update it is judged.
    // (Only the mount's path and its connection no agent uses are refused: a declaration pins known inputs,
    // so it cannot cover this one at preview.)
    expect(await addsDeclared(mount(UNKNOWN as unknown as string))).toEqual(["database/connection-declared", "vault/mount-path"]);
  }, 120_000);
});

describe("audited request headers", () => {
  it("hmac true passes; false or unset is refused", async () => {
    const header = (props: object): Resource => ({
      type: "vault:index/auditRequestHeader:AuditRequestHeader",
      name: "h",
      props: { name: "X-Vault-Token", ...props },
    });
    expect(await adds(header({ hmac: true }))).toEqual([]);
    expect(await adds(header({ hmac: false }))).toEqual(["vault/audit-device"]);
    expect(await adds(header({}))).toEqual(["vault/audit-device"]);
  }, 120_000);
});

describe("mounts and auth methods keep the audit trail hashed", () => {
  const mount = (extra: object): Resource => ({ type: "vault:index/mount:Mount", name: "kv2", props: { path: "kv2", type: "kv-v2", ...extra } });
  const auth = (tune: object): Resource => ({ type: "vault:index/authBackend:AuthBackend", name: "k8s2", props: { type: "kubernetes", path: "k8s2", tune } });
  it("a mount or auth method with no such list passes; any audit non-HMAC key or passed header is refused", async () => {
    expect(await addsDeclared(mount({}))).toEqual([]);
    expect(await addsDeclared(mount({ auditNonHmacResponseKeys: [] }))).toEqual([]);
    expect(await addsDeclared(auth({ maxLeaseTtl: "1h" }))).toEqual([]);
    expect(await addsDeclared(mount({ auditNonHmacResponseKeys: ["data"] }))).toEqual(["vault/audit-device"]);
    expect(await addsDeclared(mount({ auditNonHmacRequestKeys: ["password"] }))).toEqual(["vault/audit-device"]);
    expect(await addsDeclared(mount({ passthroughRequestHeaders: ["Authorization"] }))).toEqual(["vault/audit-device"]);
    expect(await addsDeclared(auth({ auditNonHmacResponseKeys: ["client_token"] }))).toEqual(["vault/audit-device"]);
    expect(await addsDeclared(auth({ allowedResponseHeaders: ["X-Vault-Token"] }))).toEqual(["vault/audit-device"]);
    expect(
      await addsDeclared({
        type: "vault:database/secretsMount:SecretsMount",
        name: "db3",
        props: { path: "database3", auditNonHmacResponseKeys: ["password"] },
      }),
    ).toEqual(["vault/audit-device"]);
  }, 120_000);
});

describe("entity aliases", () => {
  const entity: Resource = { type: "vault:identity/entity:Entity", name: "ci-entity", props: { name: "ci" } };
  const alias = (dependsOn?: Record<string, string[]>, props: Record<string, unknown> = {}): Resource => ({
    type: "vault:identity/entityAlias:EntityAlias",
    name: "ci-alias",
    props: { name: "ci", mountAccessor: "auth_userpass_0a1b2c3d", canonicalId: "5f1c-entity-id", ...props },
    ...(dependsOn ? { dependsOn } : {}),
  });
  const ours = { canonicalId: ["ci-entity"] };
  it("an alias of an entity of this stack on a userpass mount waits for a declaration; one naming any other entity id is refused", async () => {
    // The stack's Entity may be an existing one imported (an admin's, in groups outside the stack that name its ID).
    expect(await adds(entity, alias(ours))).toEqual(["vault/entity-alias"]);
    expect(await addsDeclared(entity, alias(ours))).toEqual([]);
    expect(await adds(entity, alias())).toEqual(["vault/entity-alias"]);
  }, 120_000);
  it.each([
    ["a Kubernetes auth mount", "auth_kubernetes_0a1b2c3d"],
    ["a JWT auth mount", "auth_jwt_0a1b2c3d"],
    ["an AWS auth mount", "auth_aws_0a1b2c3d"],
    ["a mount whose type the pack cannot read", "mount-accessor-id"],
  ])(
    "refuses an alias of a stack entity on %s until the security team declares it",
    async (_name, mountAccessor) => {
      const onMount = alias(ours, { mountAccessor });
      expect(await adds(entity, onMount)).toEqual(["vault/entity-alias"]);
      const config = declaring(onMount);
      const declared = (await runPack([...base, entity, onMount], undefined, config)).filter((r) => !baseline.has(r.message));
      expect(ruleIds(declared)).toEqual([]);
    },
    120_000,
  );
  it("refuses an alias on a Kubernetes auth mount of this stack (its accessor traced to the mount)", async () => {
    const mount: Resource = { type: "vault:index/authBackend:AuthBackend", name: "k8s-extra", props: { type: "kubernetes", path: "k8s-extra" } };
    const userpass: Resource = { type: "vault:index/authBackend:AuthBackend", name: "up", props: { type: "userpass", path: "up" } };
    expect(await addsDeclared(entity, userpass, alias({ ...ours, mountAccessor: ["up"] }, { mountAccessor: "up-accessor" }))).toEqual([]);
    expect(
      await adds(
        entity,
        { ...userpass, props: { ...userpass.props, disableRemount: true } },
        alias({ ...ours, mountAccessor: ["up"] }, { mountAccessor: "up-accessor" }),
      ),
    ).toEqual(["vault/entity-alias"]);
    expect(await adds(entity, mount, alias({ ...ours, mountAccessor: ["k8s-extra"] }, { mountAccessor: "k8s-accessor" }))).toContain("vault/entity-alias");
  }, 120_000);
});

describe("group aliases (attack round 13 C)", () => {
  const web: Resource = { type: "vault:identity/group:Group", name: "team-web", props: { name: "team-web", type: "external", policies: ["ops"] } };
  const alias = (dependsOn?: Record<string, string[]>, props: Record<string, unknown> = {}): Resource => ({
    type: "vault:identity/groupAlias:GroupAlias",
    name: "team-web-okta",
    props: { name: "team-web", mountAccessor: "auth_okta_0a1b2c3d", canonicalId: "b8f4c0a1-group-id", ...props },
    ...(dependsOn ? { dependsOn } : {}),
  });
  const ours = { canonicalId: ["team-web"] };
  it("an alias joining an outside group to a group of this stack passes", async () => {
    expect(await adds(web, alias(ours))).toEqual([]);
  }, 120_000);
  it("refuses an alias joining an outside group to an existing group (by ID) until declared", async () => {
    expect(await adds(web, alias())).toEqual(["vault/entity-alias"]);
    const declared = (await runPack([...base, web, alias()], undefined, declaring(alias()))).filter((r) => !baseline.has(r.message));
    expect(ruleIds(declared)).toEqual([]);
  }, 120_000);
  it("refuses an alias whose group ID is unknown at preview and comes from no group of this stack", async () => {
    expect(await adds(web, alias(undefined, { canonicalId: UNKNOWN }))).toEqual(["vault/entity-alias"]);
  }, 120_000);
});

describe("group members", () => {
  const ENTITY_ID = "5d2c1a9e-1111-4222-8333-944455556666";
  const group = (props: Record<string, unknown> = {}): Resource => ({
    type: "vault:identity/group:Group",
    name: "ops",
    props: { name: "ops", type: "internal", policies: [], memberEntityIds: [], ...props },
  });
  /** Findings a set of resources adds, with the security team declaring `declared` (kubernetesPlatformResources). */
  const addsDeclared = async (declared: Resource, ...extra: Resource[]) =>
    ruleIds((await runPack([...base, ...extra], undefined, declaring(declared))).filter((r) => !baseline.has(r.message)));
  it("a group without members or without policies it keeps passes (the happy path each case changes one thing of)", async () => {
    expect(await adds(group())).toEqual([]);
    expect(await adds(group({ policies: ["ops"] }))).toEqual([]);
    expect(await adds(group({ externalMemberEntityIds: true }))).toEqual([]);
  }, 120_000);
  it.each([
    ["adds entities by ID to a group carrying policies", { memberEntityIds: [ENTITY_ID], policies: ["ops"] }],
    // Vault's identity/group write by name updates an existing group: its parents' policies are the members' too.
    ["adds entities by ID to a group without policies of its own (a twin of an existing group keeps its parents)", { memberEntityIds: [ENTITY_ID] }],
    [
      "adds entities by ID to a group whose policies it leaves unread (externalPolicies; attack round 11 F)",
      { memberEntityIds: [ENTITY_ID], externalPolicies: true },
    ],
    ["adds entities unknown at preview to a group whose policies it leaves unread", { memberEntityIds: UNKNOWN, externalPolicies: true }],
    ["keeps an existing group's members while giving it policies (externalMemberEntityIds)", { externalMemberEntityIds: true, policies: ["ops"] }],
    ["keeps an existing group's member groups while giving it policies (externalMemberGroupIds)", { externalMemberGroupIds: true, policies: ["ops"] }],
    ["keeps an existing group's members and policies both", { externalMemberEntityIds: true, externalPolicies: true }],
    ["keeps an existing group's members while externalPolicies is unknown at preview", { externalMemberEntityIds: true, externalPolicies: UNKNOWN }],
  ])(
    "refuses a group that %s until declared",
    async (_name, props) => {
      expect(await adds(group(props))).toContain("vault/entity-alias");
      // A value unknown at preview has no inputs digest, so it cannot be declared until update.
      const unknown = Object.values(props).includes(UNKNOWN);
      expect(await addsDeclared(group(props), group(props))).toEqual(
        unknown ? expect.arrayContaining(["vault/entity-alias"]) : expect.not.arrayContaining(["vault/entity-alias"]),
      );
    },
    120_000,
  );
  it("refuses entity IDs added to a group apart from it (GroupMemberEntityIds)", async () => {
    const members: Resource = {
      type: "vault:identity/groupMemberEntityIds:GroupMemberEntityIds",
      name: "ops-members",
      props: { groupId: "ops-id", memberEntityIds: [ENTITY_ID], exclusive: false },
    };
    expect(await adds(group({ externalMemberEntityIds: true }), members)).toEqual(["vault/entity-alias"]);
  }, 120_000);
});

describe("policies added to an entity or group apart from it", () => {
  const entity: Resource = { type: "vault:identity/entity:Entity", name: "ci-entity", props: { name: "ci", policies: [] } };
  const ops: Resource = { type: "vault:identity/group:Group", name: "ops", props: { name: "ops", type: "internal", policies: [] } };
  const entityPolicies = (dependsOn?: Record<string, string[]>): Resource => ({
    type: "vault:identity/entityPolicies:EntityPolicies",
    name: "ci-entity-policies",
    props: { entityId: "11111111-2222-3333-4444-555555555555", policies: ["ci"], exclusive: false },
    ...(dependsOn ? { dependsOn } : {}),
  });
  const groupPolicies = (dependsOn?: Record<string, string[]>): Resource => ({
    type: "vault:identity/groupPolicies:GroupPolicies",
    name: "ops-policies",
    props: { groupId: "aaaaaaaa-2222-3333-4444-555555555555", policies: ["ops"], exclusive: false },
    ...(dependsOn ? { dependsOn } : {}),
  });
  it("on an entity or group of this stack they pass", async () => {
    expect(await adds(entity, entityPolicies({ entityId: ["ci-entity"] }))).toEqual([]);
    expect(await adds(ops, groupPolicies({ groupId: ["ops"] }))).toEqual([]);
  }, 120_000);
  it("on an entity or group named only by ID they are refused until declared (attack round 11)", async () => {
    expect(await adds(entity, entityPolicies())).toEqual(["vault/entity-alias"]);
    expect(await adds(ops, groupPolicies())).toEqual(["vault/entity-alias"]);
    const declared = (await runPack([...base, ops, groupPolicies()], undefined, declaring(groupPolicies()))).filter((r) => !baseline.has(r.message));
    expect(ruleIds(declared)).toEqual([]);
  }, 120_000);
});

describe("the AWS engine's endpoints", () => {
  it("AWS's own endpoints pass; any other host is refused", async () => {
    const engine = (extra: object) => replacing("vault:aws/secretBackend:SecretBackend", undefined as unknown as string, (props) => ({ ...props, ...extra }));
    expect(await engine({ stsEndpoint: "https://sts.us-east-1.amazonaws.com", iamEndpoint: "https://iam.amazonaws.com" })).toEqual([]);
    expect(await engine({ stsEndpoint: "https://evil.example.com" })).toEqual(["vault/aws-engine"]);
    expect(await engine({ iamEndpoint: "https://iam.amazonaws.com.evil.example.com" })).toEqual(["vault/aws-engine"]);
    expect(await engine({ stsFallbackEndpoints: ["https://sts.us-west-2.amazonaws.com", "http://sts.us-east-1.amazonaws.com"] })).toEqual(["vault/aws-engine"]);
  }, 120_000);
});

describe("Kubernetes auth config bound to the agents' cluster", () => {
  const config = (change: Record<string, unknown>) =>
    replacing("vault:kubernetes/authBackendConfig:AuthBackendConfig", "kubernetes-blue", (props) => ({ ...props, ...change }));
  it("the cluster's own endpoint passes; another cluster, a non-EKS host, issuer validation off or local keys are refused", async () => {
    expect(await config({ kubernetesHost: BLUE, kubernetesCaCert: CA })).toEqual([]);
    expect(await config({ issuer: "https://oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE" })).toEqual([]);
    for (const change of [
      { kubernetesHost: "https://ABCDEF0123456789ABCDEF.gr7.us-east-1.eks.amazonaws.com" },
      { kubernetesHost: "https://k8s.example.com" },
      { kubernetesHost: "https://user@EXAMPLED539D4633E53DE1B71EXAMPLE.gr7.us-east-1.eks.amazonaws.com" },
      { disableIssValidation: true },
      { issuer: "https://oidc.eks.us-east-1.amazonaws.com/id/ABCDEF0123456789ABCDEF" },
      { pemKeys: ["-----BEGIN PUBLIC KEY-----"] },
    ])
      expect(await config(change), JSON.stringify(change)).toContain("vault/auth-backend-host");
  }, 120_000);
});
