/**
 * EKS managed node groups and OIDC identity providers (policy/adapters/eks-compute.ts): a node group
 * built only from listed inputs, under a role and a launch template the stack creates, passes; SSH
 * access, an input not listed, or a launch template the stack does not create is refused; every
 * identity provider is refused unless declared. Each refused case changes one property of the
 * passing one. The node group's inputs are read from the installed @pulumi/aws declarations.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { LAUNCH_TEMPLATE_INPUTS, NODE_GROUP_INPUTS, NODE_GROUP_JUDGED } from "../../policy/adapters/eks-compute";
import { devBaseline } from "../helpers/dev-baseline";
import { UNKNOWN, declaring, withExclusivePolicies, declaringPlatformIam, type Resource } from "../helpers/policy-args";

const ACC = "111122223333";
const dev = devBaseline();
/** Hand-written roles here hold only the stack's policies (iam/principal-exclusive-policies has its own tests). */
const added = (extra: Resource[], config?: object) => dev.added(withExclusivePolicies(extra), declaringPlatformIam(extra, config));

const TRUST = JSON.stringify({
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }],
});
const nodeRole: Resource = { type: "aws:iam/role:Role", name: "ng-role", props: { name: "ng-role", assumeRolePolicy: TRUST } };
const template: Resource = {
  type: "aws:ec2/launchTemplate:LaunchTemplate",
  name: "ng-lt",
  props: { name: "ng-lt", instanceType: "m6i.large", metadataOptions: { httpTokens: "required", httpPutResponseHopLimit: 1 } },
};
const withTemplate = (props: Record<string, unknown>): Resource => ({ ...template, props: { ...template.props, ...props } });
const nodeGroup = (extra: Record<string, unknown> = {}, dependsOn?: Record<string, string[]>): Resource => ({
  type: "aws:eks/nodeGroup:NodeGroup",
  name: "ng",
  props: {
    clusterName: "agents",
    nodeRoleArn: `arn:aws:iam::${ACC}:role/ng-role`,
    subnetIds: ["subnet-1"],
    scalingConfig: { desiredSize: 1, maxSize: 1, minSize: 1 },
    instanceTypes: ["m6i.large"],
    ...extra,
  },
  ...(dependsOn ? { dependsOn } : {}),
});

describe("EKS node groups", () => {
  it("passes a node group of listed inputs under the stack's own node role", async () => {
    expect(await added([nodeRole, nodeGroup()])).toEqual([]);
  });

  it("refuses SSH access to the nodes (remoteAccess), unless declared", async () => {
    const ssh = nodeGroup({ remoteAccess: { ec2SshKey: "someone", sourceSecurityGroupIds: ["sg-1"] } });
    expect(await added([nodeRole, ssh])).toContain("kubernetes/node-access");
    expect(await added([nodeRole, ssh], declaring(ssh))).not.toContain("kubernetes/node-access");
  });

  it("refuses an input it does not list", async () => {
    expect(await added([nodeRole, nodeGroup({ somethingNew: "x" })])).toContain("kubernetes/node-access");
  });

  it("refuses a launch template the stack does not create, not one it creates", async () => {
    expect(await added([nodeRole, nodeGroup({ launchTemplate: { id: "lt-0123456789abcdef0", version: "3" } })])).toContain("stack/deploy-time-executor");
    expect(await added([nodeRole, template, nodeGroup({ launchTemplate: { name: "ng-lt", version: "1" } })])).not.toContain("stack/deploy-time-executor");
  });

  it("refuses a launch template named by id, even an output of the stack's template (at update it may be any template)", async () => {
    // template.id.apply(() => "lt-platform"): unknown at preview (stack/unknown-input), a known id at update, which no template of the stack is named by.
    expect(await added([nodeRole, template, nodeGroup({ launchTemplate: { id: UNKNOWN, version: "1" } }, { launchTemplate: ["ng-lt"] })])).toContain(
      "stack/deploy-time-executor",
    );
    expect(
      await added([nodeRole, template, nodeGroup({ launchTemplate: { id: "lt-0123456789abcdef0", version: "1" } }, { launchTemplate: ["ng-lt"] })]),
    ).toEqual(["stack/deploy-time-executor"]);
  });

  it("classifies every input of the installed provider's NodeGroupArgs", () => {
    const dts = readFileSync(join(require.resolve("@pulumi/aws/package.json"), "..", "eks", "nodeGroup.d.ts"), "utf8");
    const args = dts.slice(dts.indexOf("export interface NodeGroupArgs"));
    const names = [...args.slice(0, args.indexOf("\n}")).matchAll(/^\s+([a-zA-Z]+)\??: pulumi\.Input/gm)].map((m) => m[1]!);
    expect(names.length).toBeGreaterThan(10);
    expect(names.filter((n) => NODE_GROUP_INPUTS[n] === undefined && !(NODE_GROUP_JUDGED as readonly string[]).includes(n))).toEqual([]);
  });
});

describe("launch templates of the stack (the nodes a node group launches from them run agents' pods)", () => {
  const NODE = "kubernetes/node-access";
  const run = (t: Resource) => added([nodeRole, t, nodeGroup({ launchTemplate: { name: "ng-lt", version: "1" } })]);
  it("passes a template of listed inputs with IMDSv2 and hop limit 1 (the happy path)", async () => {
    expect(await run(template)).toEqual([]);
  });
  it("refuses an SSH key pair (keyName), unless declared", async () => {
    const ssh = withTemplate({ keyName: "ops" });
    expect(await run(ssh)).toEqual([NODE]);
    expect(await added([nodeRole, ssh, nodeGroup({ launchTemplate: { name: "ng-lt", version: "1" } })], declaring(ssh))).toEqual([]);
  });
  it("refuses a key pair unknown at preview", async () => {
    expect(await run(withTemplate({ keyName: UNKNOWN }))).toEqual([NODE]);
  });
  it("refuses its own machine image, kernel or RAM disk", async () => {
    expect(await run(withTemplate({ imageId: "ami-0123456789abcdef0" }))).toEqual([NODE]);
    expect(await run(withTemplate({ kernelId: "aki-0123" }))).toEqual([NODE]);
  });
  it("refuses an input it does not list", async () => {
    expect(await run(withTemplate({ somethingNew: "x" }))).toEqual([NODE]);
  });
  it("refuses a volume from a snapshot, not one of a size and type", async () => {
    expect(await run(withTemplate({ blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { snapshotId: "snap-1" } }] }))).toEqual([NODE]);
    expect(await run(withTemplate({ blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { volumeSize: 80, volumeType: "gp3" } }] }))).toEqual([]);
  });
  describe("the metadata service (pods must not reach the node role's credentials)", () => {
    it("refuses a hop limit of 2", async () => {
      expect(await run(withTemplate({ metadataOptions: { httpTokens: "required", httpPutResponseHopLimit: 2 } }))).toEqual([NODE]);
    });
    it("refuses IMDSv1 (httpTokens optional)", async () => {
      expect(await run(withTemplate({ metadataOptions: { httpTokens: "optional", httpPutResponseHopLimit: 1 } }))).toEqual([NODE]);
    });
    it("refuses metadataOptions left to the defaults", async () => {
      expect(await run(withTemplate({ metadataOptions: undefined }))).toEqual([NODE]);
    });
    it("refuses metadataOptions unknown at preview", async () => {
      expect(await run(withTemplate({ metadataOptions: UNKNOWN }))).toEqual([NODE]);
    });
    it("passes the service turned off", async () => {
      expect(await run(withTemplate({ metadataOptions: { httpEndpoint: "disabled" } }))).toEqual([]);
    });
  });
  it("classifies every input of the installed provider's LaunchTemplateArgs", () => {
    const dts = readFileSync(join(require.resolve("@pulumi/aws/package.json"), "..", "ec2", "launchTemplate.d.ts"), "utf8");
    const args = dts.slice(dts.indexOf("export interface LaunchTemplateArgs"));
    const names = [...args.slice(0, args.indexOf("\n}")).matchAll(/^\s+([a-zA-Z]+)\??: pulumi\.Input/gm)].map((m) => m[1]!);
    expect(names.length).toBeGreaterThan(20);
    const refused = ["keyName", "imageId", "kernelId", "ramDiskId"];
    expect(names.filter((n) => LAUNCH_TEMPLATE_INPUTS[n] === undefined && !refused.includes(n))).toEqual([]);
  });
});

describe("EKS identity providers", () => {
  const idp: Resource = {
    type: "aws:eks/identityProviderConfig:IdentityProviderConfig",
    name: "idp",
    props: { clusterName: "agents", oidc: { identityProviderConfigName: "corp", issuerUrl: "https://login.example.com", clientId: "k8s" } },
  };
  it("refuses an OIDC identity provider unless declared", async () => {
    expect(await added([idp])).toContain("kubernetes/eks-access");
    expect(await added([idp], declaring(idp))).not.toContain("kubernetes/eks-access");
  });
});
