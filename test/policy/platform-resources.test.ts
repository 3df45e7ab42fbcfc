/**
 * Platform resources the pack used to let through (issue #19, parts 5 and 6), each hand-written
 * beside the sandbox stack's own resources (which pass: test/policy/components-pass.test.ts).
 * Every case must be refused under its rule; the unit tests pin each check's edges.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { checkAuditDevice } from "../../policy/checks/audit-device";
import { checkNetworkPolicyEgress } from "../../policy/checks/network-policy";
import { checkPodTokens } from "../../policy/checks/projected-token";
import { guardedWrites } from "../../policy/checks/rbac-guard-edit";
import { checkDatabaseConnection, connectionHost } from "../../policy/checks/database-connection";
import { ruleIds, runPack, UNKNOWN, type Resource } from "../helpers/policy-args";
import { sandboxResources } from "../helpers/sandbox-resources";

const NS = "acme-sandbox-invoice-triage";
const SA = "invoice-triage-execution";
const CA = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";

let base: Resource[];
beforeAll(async () => {
  base = await sandboxResources();
}, 120_000);

const withBase = async (...extra: Resource[]) => ruleIds(await runPack([...base, ...extra]));
const only = async (...extra: Resource[]) => ruleIds(await runPack(extra));

describe("platform resources a hand-written stack adds are refused", () => {
  const cases: Array<[string, string[], Resource[]]> = [
    [
      "a second AuthBackendConfig points the blue mount's TokenReview at another API server",
      ["vault/auth-backend-host"],
      [
        {
          type: "vault:kubernetes/authBackendConfig:AuthBackendConfig",
          name: "rogue-config",
          props: { backend: "kubernetes-blue", kubernetesHost: "https://k8s.attacker.example.com", kubernetesCaCert: CA },
        },
      ],
    ],
    [
      "an AuthBackendConfig over http without a CA",
      ["vault/auth-backend-host"],
      [{ type: "vault:kubernetes/authBackendConfig:AuthBackendConfig", name: "plain", props: { backend: "other", kubernetesHost: "http://10.0.0.1:6443" } }],
    ],
    [
      "a raw socket audit device to a public address",
      ["vault/audit-device"],
      [{ type: "vault:index/audit:Audit", name: "raw", props: { type: "socket", path: "raw", options: { address: "203.0.113.9:9090", log_raw: "true" } } }],
    ],
    [
      "a raw file audit device on stdout",
      ["vault/audit-device"],
      [{ type: "vault:index/audit:Audit", name: "raw-stdout", props: { type: "file", path: "raw-stdout", options: { file_path: "stdout", log_raw: "true" } } }],
    ],
    [
      "a database connection with sslmode=disable and allowedRoles *",
      ["database/connection-allowed-roles", "database/connection-tls"],
      [
        {
          type: "vault:database/secretBackendConnection:SecretBackendConnection",
          name: "plaintext",
          props: {
            backend: "database",
            name: "ledger-2",
            allowedRoles: ["*"],
            postgresql: { connectionUrl: "postgresql://{{username}}:{{password}}@ledger.sandbox.internal:5432/ledger?sslmode=disable", username: "root" },
          },
        },
      ],
    ],
    [
      "an AWS engine with static keys",
      ["vault/aws-engine"],
      [{ type: "vault:aws/secretBackend:SecretBackend", name: "keys", props: { path: "aws-keys", accessKey: "AKIAEXAMPLE", secretKey: "secret" } }],
    ],
    [
      "a second AWS engine on an admin role",
      ["vault/aws-engine"],
      [
        {
          type: "vault:aws/secretBackend:SecretBackend",
          name: "admin-engine",
          props: { path: "aws-admin", roleArn: "arn:aws:iam::111122223333:role/admin", identityTokenAudience: "vault-plugin-wif" },
        },
      ],
    ],
    [
      "a NetworkPolicy allowing 0.0.0.0/0",
      ["kubernetes/egress-private"],
      [
        {
          type: "kubernetes:networking.k8s.io/v1:NetworkPolicy",
          name: "open",
          props: {
            metadata: { name: "open", namespace: NS },
            spec: { podSelector: {}, policyTypes: ["Egress"], egress: [{ to: [{ ipBlock: { cidr: "0.0.0.0/0" } }] }] },
          },
        },
      ],
    ],
    [
      "a NetworkPolicyPatch of the default deny allowing every destination",
      ["kubernetes/egress-private"],
      [
        {
          type: "kubernetes:networking.k8s.io/v1:NetworkPolicyPatch",
          name: "open-patch",
          props: { metadata: { name: "default-deny-except-declared", namespace: NS }, spec: { egress: [{ ports: [{ port: 443 }] }] } },
        },
      ],
    ],
    [
      "a NamespacePatch setting pod security to privileged",
      ["kubernetes/pod-security"],
      [
        {
          type: "kubernetes:core/v1:NamespacePatch",
          name: "relax",
          props: { metadata: { name: NS, labels: { "pod-security.kubernetes.io/enforce": "privileged" } } },
        },
      ],
    ],
    [
      "a Role letting an agent edit its own NetworkPolicies, bound to it",
      ["kubernetes/rbac-guard-edit"],
      [
        {
          type: "kubernetes:rbac.authorization.k8s.io/v1:Role",
          name: "np-editor",
          props: {
            metadata: { name: "np-editor", namespace: NS },
            rules: [{ apiGroups: ["networking.k8s.io"], resources: ["networkpolicies"], verbs: ["get", "patch"] }],
          },
        },
        {
          type: "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding",
          name: "np-editor-binding",
          props: {
            metadata: { name: "np-editor", namespace: NS },
            roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "np-editor" },
            subjects: [{ kind: "ServiceAccount", name: SA, namespace: NS }],
          },
        },
      ],
    ],
    [
      "a second IRSA role tagged as the agent's execution identity",
      ["stack/one-role-per-identity"],
      [
        {
          type: "aws:iam/role:Role",
          name: "shadow-execution",
          props: {
            name: "acme-sandbox-invoice-triage-execution-2",
            assumeRolePolicy: JSON.stringify({
              Version: "2012-10-17",
              Statement: [
                {
                  Effect: "Allow",
                  Principal: { Federated: "arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE" },
                  Action: "sts:AssumeRoleWithWebIdentity",
                  Condition: {
                    StringEquals: {
                      "oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE:sub": `system:serviceaccount:${NS}:${SA}`,
                      "oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE:aud": "sts.amazonaws.com",
                    },
                  },
                },
              ],
            }),
            inlinePolicies: [
              {
                name: "unowned",
                policy: JSON.stringify({
                  Version: "2012-10-17",
                  Statement: [{ Sid: "Unowned", Effect: "Allow", Action: ["s3:GetObject"], Resource: ["arn:aws:s3:::someone-elses-bucket/*"] }],
                }),
              },
            ],
            tags: { agent: "invoice-triage", identity: "execution" },
          },
        },
      ],
    ],
    [
      "a labelled Deployment mounting the default API token and a 24-hour projected token",
      ["kubernetes/projected-token"],
      [
        {
          type: "kubernetes:apps/v1:Deployment",
          name: "long-token",
          props: {
            metadata: { name: "long-token", namespace: NS },
            spec: {
              template: {
                metadata: { labels: { "agent-identity.io/agent": "invoice-triage", "agent-identity.io/identity": "execution" } },
                spec: {
                  serviceAccountName: SA,
                  automountServiceAccountToken: true,
                  volumes: [
                    { name: "vault-token", projected: { sources: [{ serviceAccountToken: { audience: "vault", expirationSeconds: 86400, path: "token" } }] } },
                  ],
                },
              },
            },
          },
        },
      ],
    ],
  ];
  for (const [label, rules, extra] of cases) {
    it(
      label,
      async () => {
        const ids = await withBase(...extra);
        for (const rule of rules) expect(ids, label).toContain(rule);
      },
      60_000,
    );
  }

  it.each<[string, Record<string, unknown>]>([
    ["its whole metadata", { metadata: UNKNOWN }],
    ["its labels", { metadata: { name: "tools", labels: UNKNOWN } }],
    ["its Pod Security enforce label", { metadata: { name: "tools", labels: { "pod-security.kubernetes.io/enforce": UNKNOWN } } }],
  ])(
    "a Namespace with %s unknown at preview is refused (fail closed), not a crash",
    async (_what, props) => {
      const namespace = (p: Record<string, unknown>): Resource => ({
        type: "kubernetes:core/v1:Namespace",
        name: "tools",
        props: { apiVersion: "v1", kind: "Namespace", ...p },
      });
      expect(await withBase(namespace(props))).toContain("kubernetes/pod-security");
      expect(
        await withBase(namespace({ metadata: { name: "tools", labels: { team: UNKNOWN, "pod-security.kubernetes.io/enforce": "restricted" } } })),
      ).not.toContain("kubernetes/pod-security");
    },
    120_000,
  );

  it("a single AWS engine with a role and no keys, alone, passes", async () => {
    expect(
      await only({
        type: "vault:aws/secretBackend:SecretBackend",
        name: "engine",
        props: { path: "aws", roleArn: "arn:aws:iam::111122223333:role/vault-aws-secrets-engine", identityTokenAudience: "vault-plugin-wif" },
      }),
    ).toEqual([]);
  });
});

describe("the platform checks' edges", () => {
  it("audit devices: every spelling of log_raw, unknown options, udp and /dev/null are refused; the declared forms pass", () => {
    expect(checkAuditDevice("a", { type: "file", options: { file_path: "/vault/audit/audit.log" } })).toEqual([]);
    expect(checkAuditDevice("a", { type: "socket", options: { address: "10.20.8.15:9090", socket_type: "tcp" } })).toEqual([]);
    for (const raw of ["true", "1", "t", "TRUE", "false"])
      expect(checkAuditDevice("a", { type: "file", options: { file_path: "/v/a.log", log_raw: raw } })).toHaveLength(1);
    expect(checkAuditDevice("a", { type: "file", options: { file_path: "/v/a.log", hmac_accessor: "false" } })).toHaveLength(1);
    expect(checkAuditDevice("a", { type: "socket", options: { address: "10.20.8.15:9090", socket_type: "udp" } })).toHaveLength(1);
    expect(checkAuditDevice("a", { type: "file", options: { file_path: "/dev/null" } })).toHaveLength(1);
    expect(checkAuditDevice("a", { type: "syslog", options: {} })).toHaveLength(1);
  });

  it("egress: selectors and private /16-or-narrower blocks pass; no `to`, public, wide or IPv6 blocks are refused", () => {
    const spec = (to: unknown) => ({ egress: [{ to }] });
    expect(checkNetworkPolicyEgress("np", spec([{ podSelector: {} }, { ipBlock: { cidr: "10.20.8.0/24" } }]))).toEqual([]);
    expect(checkNetworkPolicyEgress("np", { podSelector: {} })).toEqual([]);
    for (const to of [
      undefined,
      [],
      [{ ipBlock: { cidr: "0.0.0.0/0" } }],
      [{ ipBlock: { cidr: "10.0.0.0/8" } }],
      [{ ipBlock: { cidr: "::/0" } }],
      [{ ipBlock: { cidr: "52.0.0.0/16" } }],
    ])
      expect(checkNetworkPolicyEgress("np", spec(to)), JSON.stringify(to)).toHaveLength(1);
  });

  it("pod tokens: automount true and a projected token unset or over 3600 s are refused", () => {
    const volume = (expirationSeconds?: number) => ({
      name: "t",
      projected: { sources: [{ serviceAccountToken: { audience: "vault", expirationSeconds, path: "token" } }] },
    });
    expect(checkPodTokens("d", { automountServiceAccountToken: false, volumes: [volume(600)] })).toEqual([]);
    expect(checkPodTokens("d", { volumes: [volume(3600)] })).toEqual([]);
    expect(checkPodTokens("d", { volumes: [volume(3601)] })).toHaveLength(1);
    expect(checkPodTokens("d", { volumes: [volume()] })).toHaveLength(1);
    expect(checkPodTokens("d", { automountServiceAccountToken: true })).toHaveLength(1);
  });

  it("RBAC guard edit: writes to NetworkPolicies, RBAC and ServiceAccounts (or *) count; reads do not", () => {
    expect(guardedWrites([{ apiGroups: ["networking.k8s.io"], resources: ["networkpolicies"], verbs: ["get", "list"] }])).toEqual([]);
    expect(guardedWrites([{ apiGroups: ["*"], resources: ["*"], verbs: ["update"] }])).toHaveLength(7);
    expect(guardedWrites([{ apiGroups: [""], resources: ["serviceaccounts"], verbs: ["patch"] }])).toEqual(["core/serviceaccounts"]);
    expect(guardedWrites([{ apiGroups: ["rbac.authorization.k8s.io"], resources: ["rolebindings"], verbs: ["create"] }])).toEqual([
      "rbac.authorization.k8s.io/rolebindings",
    ]);
  });

  it("connections: verify-full passes; require, prefer, no sslmode and other engines are refused", () => {
    const LOGIN = { username: "vault_admin", password: "set" } as const;
    const url = (mode: string) => `postgresql://{{username}}:{{password}}@db.internal:5432/app?sslmode=${mode}`;
    expect(checkDatabaseConnection("c", { ...LOGIN, keys: ["postgresql"], connectionUrl: url("verify-full"), allowedRoles: ["a.b.c"] })).toEqual([]);
    for (const mode of ["require", "prefer", "disable", "allow"])
      expect(checkDatabaseConnection("c", { ...LOGIN, keys: ["postgresql"], connectionUrl: url(mode), allowedRoles: [] }), mode).toHaveLength(1);
    // No sslmode at all is libpq's default, prefer: plain text when the server offers no TLS.
    expect(
      checkDatabaseConnection("c", {
        ...LOGIN,
        keys: ["postgresql"],
        connectionUrl: "postgresql://{{username}}:{{password}}@db.internal:5432/app",
        allowedRoles: [],
      }),
    ).toHaveLength(1);
    expect(checkDatabaseConnection("c", { ...LOGIN, keys: ["mysql"], allowedRoles: [] })).toHaveLength(2);
    expect(checkDatabaseConnection("c", { ...LOGIN, keys: ["postgresql"], connectionUrl: url("verify-ca"), allowedRoles: ["app-*"] })).toHaveLength(1);
  });

  it("connections: a root login without its username or password is refused (Vault would keep the stored one); unknown at preview waits for update", () => {
    const connection = {
      keys: ["postgresql"],
      connectionUrl: "postgresql://{{username}}:{{password}}@db.internal:5432/app?sslmode=verify-full",
      allowedRoles: [],
    };
    expect(checkDatabaseConnection("c", { ...connection, username: "vault_admin", password: "set" })).toEqual([]);
    expect(checkDatabaseConnection("c", { ...connection, username: "vault_admin", password: "unknown" })).toEqual([]);
    for (const login of [{ username: "vault_admin", password: "unset" }, { username: "", password: "set" }, { password: "set" }] as const)
      expect(
        checkDatabaseConnection("c", { ...connection, ...login }).map((p) => p.rule),
        JSON.stringify(login),
      ).toEqual(["database/connection-root-login"]);
    expect(connectionHost("postgresql://{{username}}:{{password}}@DB.Evil.example.com:5432/app?sslmode=verify-full")).toBe("db.evil.example.com");
    expect(connectionHost("not a url")).toBeUndefined();
  });
});
