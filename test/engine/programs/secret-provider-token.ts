/**
 * A program that reads a secret from stack config (a Vault token) and hands it to a provider. The
 * harness checks the token crosses the wire only inside a secret, never in plain text.
 */
import * as pulumi from "@pulumi/pulumi";
import { Policy } from "@pulumi/vault/policy";
import { Provider } from "@pulumi/vault/provider";

const config = new pulumi.Config("harness");
const provider = new Provider("vault-agents", {
  address: "https://vault.example.com",
  token: config.requireSecret("vaultToken"),
  skipChildToken: true,
});

new Policy("reader", { name: "reader", policy: 'path "kv/data/agents/reader" {\n  capabilities = ["read"]\n}\n' }, { provider });
