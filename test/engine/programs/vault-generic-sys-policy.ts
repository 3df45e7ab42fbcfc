/** Bad program: a raw Vault write that defines a policy, around vault.Policy. Expected: vault/generic-write. */
import { Endpoint } from "@pulumi/vault/generic";

new Endpoint("backdoor", {
  path: "sys/policies/acl/backdoor",
  dataJson: JSON.stringify({ policy: 'path "sys/*" { capabilities = ["sudo"] }' }),
  disableRead: true,
});
