/**
 * Every resource type the installed @pulumi/aws, @pulumi/vault and @pulumi/kubernetes export, in
 * the families that grant, authenticate, route traffic, hold secrets or record audit trails, is
 * either read by an adapter (policy/adapters) or named out of scope with a reason. The tokens are
 * read from each resource class's `__pulumiType` in the packages' compiled JavaScript, so a provider
 * upgrade that adds a type fails here until it is classified.
 */
import { readFileSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { OUT_OF_SCOPE_TYPES, READ_TYPES, ROUTES } from "../../policy/adapters";
import { POLICY_HOLDER_TYPES } from "../../policy/adapters/vault-policy-use";
import { DEPLOY_EXECUTORS } from "../../policy/adapters/deploy-executors";
import { LOCAL_VALUE_TYPES, READ_PACKAGES, isUnreadPackageType, packageOf } from "../../policy/adapters/provider-packages";
import { TOKEN, exportedTypes } from "../helpers/provider-types";

/** The families every one of whose types must be classified (issue #19 part 2). */
const FAMILIES: ReadonlyArray<{ readonly name: string; readonly test: RegExp }> = [
  { name: "AWS IAM, STS-related (Roles Anywhere), SSO", test: /^aws:(iam|ssoadmin|identitystore|rolesanywhere)\// },
  { name: "AWS KMS and Secrets Manager", test: /^aws:(kms|secretsmanager)\// },
  { name: "AWS EKS", test: /^aws:eks\// },
  { name: "AWS CloudWatch and CloudTrail (the audit trail)", test: /^aws:(cloudwatch|cloudtrail)\// },
  // What shares or copies log groups and other telemetry, the audit trail's included, with another account (round 12 B).
  { name: "AWS cross-account observability, Observability Admin, Security Lake, X-Ray", test: /^aws:(oam|observabilityadmin|securitylake|xray)\// },
  { name: "every Vault type", test: /^vault:/ },
  { name: "Kubernetes RBAC, admission and CRDs", test: /^kubernetes:(rbac\.authorization\.k8s\.io|admissionregistration\.k8s\.io|apiextensions\.k8s\.io)\// },
  {
    // Resources that create other resources or run code at deployment (stack/deploy-time-executor), and their families.
    name: "AWS deploy-time executors: CloudFormation, Cloud Control, Service Catalog, SSM, Control Tower, Lambda invocations, pipelines, image builds",
    test: /^aws:(cloudformation|cloudcontrol|servicecatalog|ssm|controltower)\/|^aws:(lambda\/invocation|codepipeline\/pipeline|imagebuilder\/image):/,
  },
  {
    // Code at boot or on a trigger, under a role: instances and what launches them, state machines, builds, schedules.
    name: "AWS code at boot or on a trigger: EC2 launches, Auto Scaling groups, Step Functions, CodeBuild, Scheduler, EventBridge targets",
    test: /^aws:(sfn|codebuild|scheduler)\/|^aws:ec2\/(instance|spotInstanceRequest|launchTemplate|launchConfiguration|spotFleetRequest|fleet):|^aws:autoscaling\/group:|^aws:cloudwatch\/eventTarget:/,
  },
  // What answers for a name agents resolve (the Vault host, AWS endpoints), and certificates for those names.
  { name: "AWS DNS and certificates: Route 53, Cloud Map, ACM, ACM Private CA", test: /^aws:(route53|servicediscovery|acm|acmpca)\// },
  {
    name: "Kubernetes ServiceAccounts, workloads, NetworkPolicy, Namespace",
    test: /^kubernetes:[^:]+:(ServiceAccount|Namespace|NetworkPolicy|Pod|PodTemplate|ReplicationController|Deployment|StatefulSet|DaemonSet|ReplicaSet|Job|CronJob|ControllerRevision|PodSecurityPolicy)(List|Patch)?$/,
  },
];

const installed = ["@pulumi/aws", "@pulumi/vault", "@pulumi/kubernetes"].flatMap(exportedTypes);

describe("resource type classification", () => {
  it("finds the providers' type tokens (the scan itself works)", () => {
    expect(installed).toContain("aws:iam/role:Role");
    expect(installed).toContain("vault:kubernetes/authBackendRole:AuthBackendRole");
    expect(installed).toContain("kubernetes:core/v1:ServiceAccount");
    expect(installed.length).toBeGreaterThan(2000);
  });

  it("reads, or names out of scope with a reason, every type in the families that grant, authenticate, route, hold secrets or audit", () => {
    const inFamilies = installed.filter((type) => FAMILIES.some((family) => family.test.test(type)));
    expect(inFamilies.length).toBeGreaterThan(350);
    const unclassified = inFamilies.filter((type) => !READ_TYPES.has(type) && !OUT_OF_SCOPE_TYPES.has(type));
    expect(unclassified).toEqual([]);
  });

  it("never names a type both read and out of scope, and names only types the providers export", () => {
    const both = [...OUT_OF_SCOPE_TYPES.keys()].filter((type) => READ_TYPES.has(type));
    expect(both).toEqual([]);
    // A provider's own token is `pulumi:providers:<package>` (its class's __pulumiType is the bare package name).
    const exported = new Set([...installed, ...["aws", "vault", "kubernetes"].map((pkg) => `pulumi:providers:${pkg}`)]);
    // Patterns in words (`kubernetes:helm.sh/* ...`) describe routes; every exact token must exist.
    const exact = ROUTES.map((route) => route.type).filter((type) => /^[a-z]+:[^ ]+:[A-Za-z0-9]+$/.test(type) && READ_PACKAGES.has(packageOf(type)));
    expect(exact.filter((type) => !exported.has(type))).toEqual([]);
  });

  it("refuses every type of a package the pack does not read, unless it is a deploy-time executor (its own rule) or a sourced local-value type", () => {
    // Types of other packages, as programs name them: each is judged, none waved through unread.
    const foreign = [
      "command:local:Command",
      "command:remote:CopyToRemote",
      "pulumi-nodejs:dynamic:Resource",
      "pulumi-python:dynamic:Resource",
      "eks:index:VpcCni",
      "gcp:projects/iAMBinding:IAMBinding",
      "random:index/randomPassword:RandomPassword",
    ];
    const unjudged = foreign.filter((type) => !isUnreadPackageType(type) && DEPLOY_EXECUTORS[type] === undefined && !LOCAL_VALUE_TYPES.has(type));
    expect(unjudged).toEqual([]);
    // No installed provider's type falls to the package rule: aws, vault and kubernetes are classified above.
    expect(installed.filter(isUnreadPackageType)).toEqual([]);
    // The executors of other packages are the ones pulumi-command and the dynamic providers register.
    expect(Object.keys(DEPLOY_EXECUTORS).filter((type) => !READ_PACKAGES.has(packageOf(type)))).toEqual([
      "command:local:Command",
      "command:remote:Command",
      "command:remote:CopyToRemote",
      "command:remote:CopyFile",
      "pulumi-nodejs:dynamic:Resource",
      "pulumi-python:dynamic:Resource",
    ]);
  });

  it("gives each out-of-scope type a reason of its own kind, not a blanket one", () => {
    for (const [type, reason] of OUT_OF_SCOPE_TYPES) expect(reason.length, type).toBeGreaterThan(40);
    // No single reason covers a whole provider: at least 15 distinct reasons.
    expect(new Set(OUT_OF_SCOPE_TYPES.values()).size).toBeGreaterThan(15);
  });

  it("lists every Vault type whose inputs name policies as read by vault/agent-policy-use", () => {
    const root = dirname(require.resolve("@pulumi/vault/package.json"));
    const holders = new Set<string>();
    const walk = (dir: string): void => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) {
          if (entry.name !== "node_modules" && entry.name !== "types") walk(path);
        } else if (entry.name.endsWith(".d.ts")) {
          const text = readFileSync(path, "utf8");
          if (!/^\s+(tokenPolicies|policies|allowedPolicies|allowedPoliciesGlobs)\?*: /m.test(text)) continue;
          const js = readFileSync(path.replace(/\.d\.ts$/, ".js"), { encoding: "utf8", flag: "r" });
          for (const match of js.matchAll(TOKEN)) holders.add(match[1]);
        }
      }
    };
    walk(root);
    expect([...holders].filter((type) => !POLICY_HOLDER_TYPES.includes(type))).toEqual([]);
  });
});
