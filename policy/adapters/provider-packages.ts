/**
 * Closed world over provider packages (stack/unread-package): the pack reads the types of
 * @pulumi/aws, @pulumi/vault and @pulumi/kubernetes, Pulumi's own (`pulumi:providers:*`, the stack)
 * and this project's components. A resource of any other package may run code or call any API with
 * the deployer's credentials (pulumi-command, dynamic providers, a multi-language component's
 * provider, another cloud's IAM), so it is refused before creation unless it is on a sourced list
 * of types that only compute values locally, or the security team declares it
 * (kubernetesPlatformResources, pinned to its URN and inputs digest). A component of another package
 * registered without inputs and without a provider (a local ComponentResource) runs nothing itself:
 * its children are judged one by one.
 */
import { platformResourceKey } from "../platform-resources-config";
import type { Adapter, ResourceProblem } from "../types";
import { DEPLOY_EXECUTORS } from "./deploy-executors";

const RULE = "stack/unread-package";

/** Packages whose types the adapters read (each type classified by test/policy/type-classification.test.ts). */
export const READ_PACKAGES: ReadonlySet<string> = new Set(["aws", "vault", "kubernetes", "pulumi", "agent-identity"]);

/**
 * Types that only compute values inside the provider, with no remote API and no code of the
 * program's: sourced from each provider's bridge metadata (its list of resources).
 * - random: pulumi/pulumi-random provider/cmd/pulumi-resource-random/bridge-metadata.json @ 119c0d92096cf573c4a7c02a01e2ee3ccccc6210
 * - tls: pulumi/pulumi-tls provider/cmd/pulumi-resource-tls/bridge-metadata.json @ a7feafdfcd88180bce9263663964d2a503b48afe
 */
export const LOCAL_VALUE_TYPES: ReadonlySet<string> = new Set([
  "random:index/randomBytes:RandomBytes",
  "random:index/randomId:RandomId",
  "random:index/randomInteger:RandomInteger",
  "random:index/randomPassword:RandomPassword",
  "random:index/randomPet:RandomPet",
  "random:index/randomShuffle:RandomShuffle",
  "random:index/randomString:RandomString",
  "random:index/randomUuid:RandomUuid",
  "random:index/randomUuid4:RandomUuid4",
  "random:index/randomUuid7:RandomUuid7",
  "tls:index/certRequest:CertRequest",
  "tls:index/locallySignedCert:LocallySignedCert",
  "tls:index/privateKey:PrivateKey",
  "tls:index/selfSignedCert:SelfSignedCert",
]);

/** The package of a type token (`command` of `command:local:Command`; `random` of `pulumi:providers:random`). */
export const packageOf = (type: string) => (type.startsWith("pulumi:providers:") ? type.slice("pulumi:providers:".length) : type.split(":")[0]);

/** A type this adapter judges: of a package the pack does not read, not a local-value type, not a provider resource (its resources are judged). */
export const isUnreadPackageType = (type: string) =>
  !type.startsWith("pulumi:providers:") && !READ_PACKAGES.has(packageOf(type)) && !LOCAL_VALUE_TYPES.has(type) && DEPLOY_EXECUTORS[type] === undefined;

export const providerPackages: Adapter = {
  family: "provider-packages",
  holdings: "none: what it does is unread, so it is refused unless declared",
  types: [
    {
      type: "<any package but aws, vault, kubernetes, pulumi and agent-identity>:* (pulumi-command, dynamic providers, other clouds, multi-language components ...)",
      route: "its provider may run code or call any API with the deployer's credentials; the pack reads none of it",
      checkedBy: [RULE],
    },
    {
      type: "random:index/* and tls:index/* (the sourced LOCAL_VALUE_TYPES list)",
      route: "computes a random value or a key locally inside its provider: no remote API, no program code, no grant",
      outOfScope: "computes values locally (sourced list in policy/adapters/provider-packages.ts); never refused",
    },
  ],
  matchesType: isUnreadPackageType,
  check: (resource, inputs): ResourceProblem[] => {
    // A local component: registered without inputs and without a provider (a custom resource always has one, the default provider at least).
    if (resource.provider === undefined && Object.keys(inputs.value).length === 0 && inputs.unknown.length === 0) return [];
    const key = platformResourceKey(resource.type, resource.name);
    return [
      {
        rule: RULE,
        platformResource: key,
        message: `${resource.type} ${resource.name} is a resource of provider package "${packageOf(resource.type)}", which the pack does not read: its provider may run code or call any API with the deployer's credentials (grant an agent role anything, read an agent's secrets)`,
        fix: "write the resources with the aws, vault and kubernetes providers the pack reads, or have the security team declare this resource in the pack's configuration (kubernetesPlatformResources, by its URN and inputs digest)",
      },
    ];
  },
};
