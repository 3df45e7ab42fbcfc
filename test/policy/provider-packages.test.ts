/**
 * stack/unread-package: a resource of a provider package the pack does not read (pulumi-command,
 * dynamic providers, any other package) is refused before creation unless declared; the sourced
 * local-value types (random, tls) and a local component (no inputs, no provider) pass. Each case
 * changes one property: the type's package, the inputs, the provider, the declaration.
 */
import { describe, expect, it } from "vitest";
import { LOCAL_VALUE_TYPES, isUnreadPackageType, packageOf } from "../../policy/adapters/provider-packages";
import { TODAY } from "../helpers/fixtures";
import { declaring, ruleIds, runPack, type Resource } from "../helpers/policy-args";

const RULE = "stack/unread-package";
const alone = async (resource: Resource, config: object = {}) => ruleIds(await runPack([resource], TODAY, config));

describe("provider packages the pack does not read (stack/unread-package)", () => {
  it("refuses a resource of an unknown package, and passes it once declared by URN and inputs digest", async () => {
    const resource: Resource = { type: "gcp:serviceaccount/iAMBinding:IAMBinding", name: "b", props: { role: "roles/owner", members: ["user:x@example.com"] } };
    expect(await alone(resource)).toEqual([RULE]);
    expect(await alone(resource, declaring(resource))).toEqual([]);
    expect(await alone({ ...resource, props: { ...resource.props, role: "roles/editor" } }, declaring(resource))).toEqual([RULE]);
  });

  it("passes the sourced local-value types of random and tls, not another type of the same packages", async () => {
    expect(await alone({ type: "random:index/randomPassword:RandomPassword", name: "pw", props: { length: 32 } })).toEqual([]);
    expect(await alone({ type: "tls:index/privateKey:PrivateKey", name: "k", props: { algorithm: "ED25519" } })).toEqual([]);
    expect(await alone({ type: "random:index/randomCommand:RandomCommand", name: "c", props: { length: 1 } })).toEqual([RULE]);
    expect([...LOCAL_VALUE_TYPES].every((type) => /^(random|tls):index\//.test(type))).toBe(true);
  });

  it("passes a local component of another package (no inputs, no provider), not the same with inputs or a provider", async () => {
    const component: Resource = { type: "acme:platform:Network", name: "net", props: {} };
    expect(await alone(component)).toEqual([]);
    expect(await alone({ ...component, props: { cidr: "10.0.0.0/16" } })).toEqual([RULE]);
    expect(await alone({ ...component, provider: { type: "pulumi:providers:acme", name: "default", props: {} } })).toEqual([RULE]);
  });

  it("classifies by package: aws, vault, kubernetes, pulumi and this project's components are read, every other package is not", () => {
    for (const type of ["aws:iam/role:Role", "vault:index/policy:Policy", "kubernetes:core/v1:Pod", "pulumi:pulumi:Stack", "agent-identity:index:Agent"])
      expect(isUnreadPackageType(type), type).toBe(false);
    for (const type of ["foo:index:Bar", "eks:index:VpcCni", "awsx:ec2:Vpc", "azure-native:authorization:RoleAssignment"])
      expect(isUnreadPackageType(type), type).toBe(true);
    // pulumi-command's and the dynamic providers' types are listed as deploy-time executors instead (one finding, that rule).
    for (const type of ["command:local:Command", "pulumi-nodejs:dynamic:Resource", "pulumi-python:dynamic:Resource"])
      expect(isUnreadPackageType(type), type).toBe(false);
    expect(packageOf("pulumi:providers:command")).toBe("command");
  });
});
