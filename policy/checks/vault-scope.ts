/**
 * Which Vault, and which namespace in it, a Vault resource is written to: a policy name means a
 * policy only there. The Vault provider's `address` names the server; its `namespace` and the
 * resource's own `namespace` input (which the provider resolves relative to the provider's:
 * @pulumi/vault docs, "namespace ... is always relative to the provider's configured namespace")
 * name the namespace, root when neither is set. A provider whose address is not in its inputs (a
 * default provider configured outside the program) is known only as itself, by URN. Anything unknown
 * at preview gives no scope: the caller fails closed.
 */
import { asString, readInputs } from "../inputs";
import type { Read } from "../adapters/shared";

const trimSlashes = (text: string) => text.replace(/^\/+|\/+$/g, "");

/** The resource's Vault server and namespace as one key, or undefined when either is unknown at preview. */
export function vaultScope(r: Read): string | undefined {
  const provider = r.resource.provider;
  let server = "(the default Vault provider)";
  let providerNamespace = "";
  if (provider && provider.type === "pulumi:providers:vault") {
    const inputs = readInputs(provider.props as Record<string, unknown>);
    if (inputs.unknown.some((path) => path === "address" || path === "namespace")) return undefined;
    const address = asString(inputs.value.address);
    server = address !== undefined ? trimSlashes(address.trim().toLowerCase()) : `(provider ${provider.urn})`;
    providerNamespace = trimSlashes(asString(inputs.value.namespace) ?? "");
  }
  if (r.unknown.some((path) => path === "namespace")) return undefined;
  const own = trimSlashes(asString(r.v.namespace) ?? "");
  const namespace = [providerNamespace, own].filter((part) => part !== "").join("/");
  return `${server}\u0000${namespace}`;
}

/** The scope in words, for messages. */
export function describeVaultScope(scope: string): string {
  const [server, namespace] = scope.split("\u0000");
  return `${server}${namespace ? `, namespace ${namespace}` : ", root namespace"}`;
}
