/**
 * Which Vault, and which namespace in it, a Vault resource is written to: a policy name means a
 * policy only there. The Vault provider's `address` names the server; its `namespace` and the
 * resource's own `namespace` input (which the provider resolves relative to the provider's:
 * @pulumi/vault docs, "namespace ... is always relative to the provider's configured namespace")
 * name the namespace, root when neither is set. A policy counts only through the same provider
 * resource: two providers with one address may still land in different namespaces (a token scoped to a
 * namespace is used as the root with set_namespace_from_token, on by default; an auth login names its own). Anything unknown
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
    // By the provider itself, not its address: its token may be scoped to a namespace (set_namespace_from_token,
    // on by default) and an auth login may name one (authLogin*.namespace), neither of which its inputs settle.
    const address = asString(inputs.value.address);
    server = `${address !== undefined ? trimSlashes(address.trim().toLowerCase()) : "(address not in its inputs)"} through provider ${provider.urn}`;
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
