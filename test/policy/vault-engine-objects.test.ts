/**
 * Vault engine objects beside the dev stack (agents: the AWS engine at `aws`, the database engine at
 * `database`, KV at `kv`, Kubernetes auth at `auth/kubernetes`).
 * - vault/agent-mount-object: a role, key or configuration of another engine type on an agent's own
 *   mount (or one unknown at preview) is declared; on a mount no agent uses it stays admitted.
 * - vault/ssh-user-certificate: an SSH role that signs user logins is declared, whatever its users.
 */
import { describe, expect, it } from "vitest";
import { devBaseline } from "../helpers/dev-baseline";
import { declaring, ruleIds, runPack, UNKNOWN, type Resource } from "../helpers/policy-args";

const dev = devBaseline();

const MOUNT_RULE = "vault/agent-mount-object";
const SSH_RULE = "vault/ssh-user-certificate";

const staticRole: Resource = {
  type: "vault:aws/secretBackendStaticRole:SecretBackendStaticRole",
  name: "deployer",
  props: { backend: "aws", name: "deployer", username: "terraform-admin", rotationPeriod: 3600 },
};
const withProps = (r: Resource, props: Record<string, unknown>): Resource => ({ ...r, props: { ...r.props, ...props } });

describe("engine objects on the agents' own mounts are declared", () => {
  it("refuses an AWS static role on the agents' AWS engine (a platform IAM user's keys at aws/static-creds) until declared, and again once it changes", async () => {
    expect(await dev.added([staticRole])).toEqual([MOUNT_RULE]);
    expect(await dev.added([staticRole], declaring(staticRole))).toEqual([]);
    expect(await dev.added([withProps(staticRole, { username: "root-ci" })], declaring(staticRole))).toEqual([MOUNT_RULE]);
  }, 120_000);

  it("reads the provider's default mount when backend is absent (aws), and fails closed when it is unknown at preview", async () => {
    const { backend: _drop, ...rest } = staticRole.props;
    void _drop;
    expect(await dev.added([{ ...staticRole, props: rest }])).toEqual([MOUNT_RULE]);
    expect(await dev.added([withProps(staticRole, { backend: UNKNOWN })])).toEqual([MOUNT_RULE]);
  }, 120_000);

  it("refuses a transit key on the agents' KV mount and an LDAP static role on their database mount (slashes trimmed as Vault does)", async () => {
    const key: Resource = { type: "vault:transit/secretBackendKey:SecretBackendKey", name: "k", props: { backend: "/kv/", name: "k" } };
    const ldap: Resource = {
      type: "vault:ldap/secretBackendStaticRole:SecretBackendStaticRole",
      name: "l",
      props: { mount: "database", username: "svc", roleName: "l" },
    };
    expect(await dev.added([key])).toEqual([MOUNT_RULE]);
    expect(await dev.added([ldap])).toEqual([MOUNT_RULE]);
  }, 120_000);

  it("admits the same objects on a mount no agent uses", async () => {
    const key: Resource = { type: "vault:transit/secretBackendKey:SecretBackendKey", name: "k", props: { backend: "transit", name: "k" } };
    const ldap: Resource = {
      type: "vault:ldap/secretBackendStaticRole:SecretBackendStaticRole",
      name: "l",
      props: { mount: "ldap", username: "svc", roleName: "l" },
    };
    expect(await dev.added([key, ldap])).toEqual([]);
  }, 120_000);

  it("refuses an AWS static role on any mount until declared (an IAM user's access keys, as an aws.iam.AccessKey)", async () => {
    const elsewhere = withProps(staticRole, { backend: "aws-platform" });
    expect(await dev.added([elsewhere])).toEqual([MOUNT_RULE]);
    expect(await dev.added([elsewhere], declaring(elsewhere))).toEqual([]);
  }, 120_000);

  it("asks nothing of a stack without agents", async () => {
    expect(ruleIds(await runPack([staticRole]))).not.toContain(MOUNT_RULE);
  }, 120_000);
});

const sshRole: Resource = {
  type: "vault:ssh/secretBackendRole:SecretBackendRole",
  name: "ssh",
  props: { backend: "ssh", name: "admin", keyType: "ca", allowUserCertificates: true, allowedUsers: "*", defaultUser: "root", ttl: "24h" },
};

describe("SSH roles that sign user logins are declared beside agents", () => {
  it("refuses a CA role signing for any user with root as default until declared, and again once it changes", async () => {
    expect(await dev.added([sshRole])).toEqual([SSH_RULE]);
    expect(await dev.added([sshRole], declaring(sshRole))).toEqual([]);
    expect(await dev.added([withProps(sshRole, { allowedUsers: "root" })], declaring(sshRole))).toEqual([SSH_RULE]);
  }, 120_000);

  it("refuses one user too (ec2-user sudoes without a password on EKS AMIs), an OTP role, and user signing unknown at preview", async () => {
    expect(await dev.added([withProps(sshRole, { allowedUsers: "ec2-user", defaultUser: "ec2-user" })])).toEqual([SSH_RULE]);
    expect(await dev.added([withProps(sshRole, { keyType: "otp", allowUserCertificates: false, allowedUsers: "", defaultUser: "ubuntu" })])).toEqual([
      SSH_RULE,
    ]);
    expect(await dev.added([withProps(sshRole, { allowUserCertificates: UNKNOWN, allowedUsers: "" })])).toEqual([SSH_RULE]);
  }, 120_000);

  it("admits a CA role that signs host certificates only", async () => {
    const hostOnly = withProps(sshRole, { allowUserCertificates: false, allowHostCertificates: true, allowedUsers: "", defaultUser: "" });
    expect(await dev.added([hostOnly])).toEqual([]);
  }, 120_000);

  it("asks nothing of a stack without agents", async () => {
    expect(ruleIds(await runPack([sshRole]))).not.toContain(SSH_RULE);
  }, 120_000);
});
