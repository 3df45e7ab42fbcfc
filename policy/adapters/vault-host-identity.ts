/**
 * Who may answer as the Vault host (stack/vault-host-identity): an agent logs in to Vault by sending
 * its ServiceAccount token to the host a Vault provider of the stack names, and trusts whatever
 * presents a certificate for that name; DNS is stack/dns-redirection's, this rule covers the other
 * half: a certificate for the name, and a route or mesh entry that claims the name. Closed world, in
 * a stack with agents, unless the security team declares the resource (kubernetesPlatformResources,
 * by URN and inputs digest):
 * - certificates: a cert-manager Certificate, an ACM certificate (requested or imported), an IAM
 *   server certificate, a Vault PKI certificate (secretBackendCert) whose DNS names (or IP addresses)
 *   cover the Vault host; an AWS endpoint name (`*.amazonaws.com`) in any stack. Names inside a CSR
 *   are not parsed: a cert-manager CertificateRequest, an ACM PCA certificate and a Vault PKI
 *   secretBackendSign (whose SANs come from the CSR by default: `use_csr_sans`) are refused unless
 *   declared;
 * - a Vault PKI role (pkiSecret/secretBackendRole) that admits the Vault host, by Vault's own name
 *   validation (allow_any_name; allowed_domains with allow_bare_domains, allow_subdomains, or
 *   allow_glob_domains as a glob; an identity template in allowed_domains admits any name; an IP
 *   host is admitted by allow_ip_sans, true by default): "any name" is therefore refused unless declared;
 * - a CA key in Pulumi state: a root, intermediate or PKI key generated `type: exported`, a CA bundle
 *   imported with its key (secretBackendConfigCa); an intermediate CA signed (secretBackendRootSignIntermediate)
 *   unless its permittedDnsDomains (RFC 5280 name constraints) exclude the Vault host; a cert-manager CA
 *   certificate (spec.isCA);
 * - a name claim: an Ingress's rules[].host and tls[].hosts, a Gateway API Gateway's listener
 *   hostname or a route's hostnames, an Istio VirtualService's, ServiceEntry's, Gateway's or
 *   DestinationRule's hosts, an external-dns DNSEndpoint's dnsName or an external-dns
 *   `hostname`/`internal-hostname` annotation on any object, covering the Vault host.
 * - a Service (or Patch) whose in-cluster DNS name (`<name>.<namespace>.svc.cluster.local`, the shorter
 *   forms pods' search list completes, or `<name>` for pods of its namespace) is a known Vault host.
 * When no Vault provider names its address the pack is not told the host (it is in the declaration),
 * so every such resource is refused in a stack with agents: any name may be the Vault's.
 *
 * Name matching follows TLS hostname verification (RFC 6125 §6.4.3; Go's crypto/x509
 * `matchHostnames`): a name is compared case-insensitively without its trailing dot, and a `*` is
 * only the whole leftmost label, matching exactly one label. URI SANs are never matched against a
 * host name by TLS clients, so they are not read. The common name is read as a name too (clients
 * that still fall back to it when a certificate has no DNS SAN).
 */
import { X509Certificate } from "node:crypto";
import { asString } from "../inputs";
import type { StackIndex } from "../stack-index";
import type { Adapter, PackResource, StackPass } from "../types";
import { vaultHosts } from "./dns-redirection";
import { declarablePlatformFinding, isUnknown, providerNamespace, type Read } from "./shared";

const RULE = "stack/vault-host-identity";

const CERT_MANAGER = /^kubernetes:cert-manager\.io\/[^:]+:(Certificate|CertificateRequest)(Patch)?$/;
const ACM_CERTIFICATE = "aws:acm/certificate:Certificate";
const ACMPCA_CERTIFICATE = "aws:acmpca/certificate:Certificate";
const IAM_SERVER_CERTIFICATE = "aws:iam/serverCertificate:ServerCertificate";
const PKI_CERT = "vault:pkiSecret/secretBackendCert:SecretBackendCert";
const PKI_SIGN = "vault:pkiSecret/secretBackendSign:SecretBackendSign";
const PKI_ROLE = "vault:pkiSecret/secretBackendRole:SecretBackendRole";
/** Signs an intermediate CA: its holder issues for any name its name constraints (permittedDnsDomains) admit. */
const PKI_SIGN_INTERMEDIATE = "vault:pkiSecret/secretBackendRootSignIntermediate:SecretBackendRootSignIntermediate";
/** Generate a CA key; `type: exported` returns the private key (into Pulumi state), so a state reader can sign as the CA. */
const PKI_CA_KEYS = [
  "vault:pkiSecret/secretBackendRootCert:SecretBackendRootCert",
  "vault:pkiSecret/secretBackendIntermediateCertRequest:SecretBackendIntermediateCertRequest",
  "vault:pkiSecret/secretBackendKey:SecretBackendKey",
];
/** Imports a CA bundle, its private key included (`pemBundle`): the key is in the program and Pulumi state. */
const PKI_CONFIG_CA = "vault:pkiSecret/secretBackendConfigCa:SecretBackendConfigCa";
/** Their names are in a CSR, which the pack does not parse. */
const CSR_TYPES = new Set([ACMPCA_CERTIFICATE, PKI_SIGN]);

const INGRESS = /^kubernetes:(?:networking\.k8s\.io|extensions)\/[^:]+:Ingress(Patch)?$/;
const GATEWAY_API =
  /^kubernetes:gateway\.networking\.k8s\.io\/[^:]+:(Gateway|HTTPRoute|GRPCRoute|TLSRoute|TCPRoute|UDPRoute|ListenerSet|XListenerSet)(Patch)?$/;
const ISTIO = /^kubernetes:networking\.istio\.io\/[^:]+:(VirtualService|ServiceEntry|Gateway|DestinationRule)(Patch)?$/;
const SERVICE = /^kubernetes:core\/v1:Service(Patch)?$/;
const DNS_ENDPOINT = /^kubernetes:externaldns\.k8s\.io\/[^:]+:DNSEndpoint(Patch)?$/;
/** external-dns's annotations naming the records it creates for an object (kubernetes-sigs/external-dns, docs/annotations). */
const EXTERNAL_DNS_ANNOTATIONS = ["external-dns.alpha.kubernetes.io/hostname", "external-dns.alpha.kubernetes.io/internal-hostname"];

/** A DNS name as compared: lower case, no trailing dot, surrounding spaces dropped. */
const normal = (name: string) => name.trim().toLowerCase().replace(/\.$/, "");
const isIp = (host: string) => /^[\d.]+$/.test(host) || host.includes(":") || host.startsWith("[");
const bareIp = (host: string) => host.replace(/^\[|\]$/g, "");

/** Does a certificate or route name present as `host` (RFC 6125 §6.4.3: `*` is one whole leftmost label)? */
export function presentsAs(name: string, host: string): boolean {
  const n = normal(name);
  const h = normal(host);
  if (n === h) return true;
  if (!n.startsWith("*.")) return false;
  const dot = h.indexOf(".");
  return dot > 0 && h.slice(dot) === n.slice(1);
}

/** An AWS endpoint name (or a wildcard over some): agents' STS and AWS calls verify certificates for these. */
export const isAwsEndpointName = (name: string) => /(^|\.)amazonaws\.com(\.cn)?$/.test(normal(name).replace(/^\*\./, "x."));

/** Vault's glob (ryanuber/go-glob): `*` matches any run of characters, dots included. */
const globMatches = (pattern: string, name: string) =>
  new RegExp(
    `^${pattern
      .split("*")
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
      .join(".*")}$`,
    "i",
  ).test(name);

/** Representative AWS endpoint names a PKI role is tried against (the global and a regional STS endpoint). */
const AWS_SAMPLE_NAMES = ["sts.amazonaws.com", "sts.us-east-1.amazonaws.com"];

const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : value === undefined ? [] : [value]);
const field = (value: unknown): Record<string, unknown> =>
  value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
const strings = (value: unknown): string[] => list(value).flatMap((item) => (typeof item === "string" ? [item] : []));
const commaList = (value: unknown): string[] =>
  strings(value)
    .flatMap((item) => item.split(","))
    .map((item) => item.trim())
    .filter((item) => item !== "");

/** A PEM certificate's DNS names, IP addresses and common name, or undefined when it does not parse. */
function pemNames(pem: string): string[] | undefined {
  try {
    const cert = new X509Certificate(pem);
    const sans = (cert.subjectAltName ?? "")
      .split(/,\s*/)
      .flatMap((entry) => (/^DNS:/.test(entry) ? [entry.slice(4)] : /^IP Address:/.test(entry) ? [entry.slice(11)] : []));
    const cn = /(?:^|\n)CN=([^\n]*)/.exec(cert.subject)?.[1];
    return [...sans, ...(cn ? [cn] : [])];
  } catch {
    return undefined;
  }
}

/** The names a certificate resource presents (DNS names, IPs, common name); `unread` when some are unknown at preview or not parsed. */
function certificateNames(r: Read): { names: string[]; unread?: string } {
  const type = r.resource.type;
  const v = r.v;
  if (CERT_MANAGER.test(type)) {
    if (/:CertificateRequest(Patch)?$/.test(type)) return { names: [], unread: "names its certificate in a CSR (spec.request), which the pack does not parse" };
    const spec = field(v.spec);
    // A CA certificate signs certificates for any name (cert-manager's CA issuer over its Secret).
    if (spec.isCA === true || isUnknown(r, "spec.isCA"))
      return {
        names: [],
        unread: "is a CA certificate (spec.isCA, or unknown at preview): its key signs certificates for any name under an issuer agents may trust",
      };
    const unread = ["spec", "spec.dnsNames", "spec.commonName", "spec.ipAddresses", "spec.literalSubject"].some((p) => isUnknown(r, p));
    // literalSubject is an RFC 4514 subject written as is: its CN is read as a name too.
    const literalCn = [...(asString(spec.literalSubject) ?? "").matchAll(/(?:^|,)\s*CN=([^,]+)/gi)].map((m) => m[1]!);
    return {
      names: [...strings(spec.dnsNames), ...strings(spec.ipAddresses), ...strings(spec.commonName), ...literalCn],
      unread: unread ? "has names unknown at preview" : undefined,
    };
  }
  if (type === ACM_CERTIFICATE || type === IAM_SERVER_CERTIFICATE) {
    const names = [...strings(v.domainName), ...strings(v.subjectAlternativeNames)];
    if (isUnknown(r, "domainName") || isUnknown(r, "subjectAlternativeNames") || isUnknown(r, "certificateBody"))
      return { names, unread: "has names unknown at preview" };
    const body = asString(v.certificateBody);
    if (body === undefined) return { names };
    const parsed = pemNames(body);
    return parsed ? { names: [...names, ...parsed] } : { names, unread: "imports a certificate body the pack cannot parse" };
  }
  if (CSR_TYPES.has(type)) return { names: [], unread: "names its certificate in a CSR (certificate signing request), which the pack does not parse" };
  if (type === PKI_CERT) {
    const unread = ["commonName", "altNames", "ipSans"].some((p) => isUnknown(r, p));
    return { names: [...strings(v.commonName), ...strings(v.altNames), ...strings(v.ipSans)], unread: unread ? "has names unknown at preview" : undefined };
  }
  return { names: [] };
}

/** Does a Vault PKI role admit `name` (hashicorp/vault, builtin/logical/pki, validateNames: bare, subdomain, glob and template matching, case-insensitive)? */
export function roleAdmits(v: Record<string, unknown>, name: string): boolean {
  if (v.allowAnyName === true) return true;
  const host = normal(name);
  if (isIp(host)) return v.allowIpSans !== false; // Vault's default: true
  const template = v.allowedDomainsTemplate === true;
  // Vault splits allowed_domains on commas (a list entry "a.example,b.example" is two domains).
  for (const raw of commaList(v.allowedDomains)) {
    const domain = normal(raw);
    if (domain === "") continue;
    // An identity template (`{{identity.entity.aliases...}}`) becomes whatever the requester's identity says.
    if (template && domain.includes("{{")) return true;
    if (v.allowBareDomains === true && host === domain) return true;
    if (v.allowSubdomains === true && host.endsWith(`.${domain}`)) return true;
    if (v.allowGlobDomains === true && domain.includes("*") && globMatches(domain, host)) return true;
  }
  return false;
}

/** The host names an object claims for routing or DNS (Ingress, Gateway API, Istio, external-dns); `unread` when unknown at preview. */
function claimedNames(r: Read): { names: string[]; unread: boolean } {
  const type = r.resource.type;
  const spec = field(r.v.spec);
  const annotations = field(field(r.v.metadata).annotations);
  const names = EXTERNAL_DNS_ANNOTATIONS.flatMap((key) => commaList(annotations[key]));
  // Only the annotations external-dns reads (other annotations, such as IRSA's role ARN, are often unknown at preview).
  let unread = r.unknown.some((p) => p === "metadata.annotations" || EXTERNAL_DNS_ANNOTATIONS.some((key) => p === `metadata.annotations.${key}`));
  if (!type.startsWith("kubernetes:")) return { names: [], unread: false };
  const specUnknown = isUnknown(r, "spec");
  if (INGRESS.test(type)) {
    names.push(...list(spec.rules).flatMap((rule) => strings(field(rule).host)), ...list(spec.tls).flatMap((tls) => strings(field(tls).hosts)));
    unread ||= specUnknown;
  } else if (GATEWAY_API.test(type)) {
    names.push(...strings(spec.hostnames), ...list(spec.listeners).flatMap((listener) => strings(field(listener).hostname)));
    unread ||= specUnknown;
  } else if (ISTIO.test(type)) {
    // Istio Gateway hosts are `namespace/host`; the host part is what is matched.
    const hosts = [...strings(spec.hosts), ...strings(spec.host), ...list(spec.servers).flatMap((server) => strings(field(server).hosts))];
    names.push(...hosts.map((host) => host.split("/").pop() ?? host));
    unread ||= specUnknown;
  } else if (DNS_ENDPOINT.test(type)) {
    names.push(...list(spec.endpoints).flatMap((endpoint) => strings(field(endpoint).dnsName)));
    unread ||= specUnknown;
  }
  return { names, unread };
}

const isCertificateType = (type: string) =>
  CERT_MANAGER.test(type) || type === ACM_CERTIFICATE || type === IAM_SERVER_CERTIFICATE || CSR_TYPES.has(type) || type === PKI_CERT;

const FIX = "issue and route only your own application's names (set the Vault provider's address so the pack can tell them from the Vault's)";

function refuse(pass: StackPass, resource: PackResource, why: string): void {
  const kind = resource.type.split(":").pop();
  pass.findings.push(
    declarablePlatformFinding(
      resource,
      RULE,
      `${kind} ${resource.name} ${why}: whoever holds it can answer as that host, collect agents' Vault login tokens (ServiceAccount JWTs Vault accepts) and hand back forged secrets`,
      FIX,
    ),
  );
}

function check(ix: StackIndex, pass: StackPass): void {
  const withAgents = ix.serviceAccounts.length > 0;
  const hosts = withAgents ? vaultHosts(ix) : [];
  const unknownHost = withAgents && hosts.length === 0;
  const hostList = hosts.join(", ");
  const vaultHit = (names: readonly string[]) =>
    names.find((name) => hosts.some((host) => (isIp(host) ? bareIp(normal(name)) === bareIp(host) : presentsAs(name, host))));
  for (const x of ix.inputs) {
    const type = x.resource.type;
    const r: Read = { resource: x.resource, v: x.value, unknown: x.unknown };
    if (isCertificateType(type)) {
      const { names, unread } = certificateNames(r);
      const aws = names.find(isAwsEndpointName);
      if (aws !== undefined) refuse(pass, x.resource, `is a certificate for ${aws}, an AWS endpoint name agents' STS and AWS calls verify`);
      else if (!withAgents) continue;
      else if (unknownHost)
        refuse(
          pass,
          x.resource,
          "is a certificate in a stack with agents, and no Vault provider of the stack names the Vault's address, so any of its names may be the Vault host",
        );
      else if (unread) refuse(pass, x.resource, `${unread} (maybe the Vault host ${hostList})`);
      else {
        const hit = vaultHit(names);
        if (hit !== undefined) refuse(pass, x.resource, `is a certificate for ${hit}, which presents as the Vault host (${hostList})`);
      }
      continue;
    }
    if (type === PKI_CONFIG_CA) {
      if (withAgents)
        refuse(
          pass,
          x.resource,
          "imports a CA bundle with its private key (pemBundle): the key is in the program and Pulumi state, and whoever reads them signs certificates for any name, the Vault host's included, as that CA",
        );
      continue;
    }
    if (type === PKI_SIGN_INTERMEDIATE || PKI_CA_KEYS.includes(type)) {
      if (!withAgents) continue;
      if (PKI_CA_KEYS.includes(type)) {
        if (!isUnknown(r, "type") && asString(r.v.type) !== "exported") continue;
        refuse(
          pass,
          x.resource,
          "generates a CA key with type exported (or unknown at preview): the key is returned into Pulumi state, and whoever reads the state signs certificates for any name, the Vault host's included, as that CA",
        );
        continue;
      }
      // RFC 5280 §4.2.1.10: a dNSName constraint admits the name itself and every name formed by adding labels to its left.
      const permitted = strings(r.v.permittedDnsDomains).map(normal);
      const bounded =
        !unknownHost &&
        !isUnknown(r, "permittedDnsDomains") &&
        permitted.length > 0 &&
        hosts.every((host) => !isIp(host) && !permitted.some((d) => host === d || host.endsWith(`.${d}`)));
      if (!bounded)
        refuse(
          pass,
          x.resource,
          `signs an intermediate CA whose name constraints (permittedDnsDomains) ${permitted.length ? `admit the Vault host${hostList ? ` (${hostList})` : " (unknown: no Vault provider names its address)"}` : "are unset"}: the intermediate issues certificates for it that chain to a CA agents may trust`,
        );
      continue;
    }
    if (type === PKI_ROLE) {
      const aws = AWS_SAMPLE_NAMES.find((name) => roleAdmits(r.v, name));
      const unknownInputs = [
        "allowAnyName",
        "allowedDomains",
        "allowBareDomains",
        "allowSubdomains",
        "allowGlobDomains",
        "allowedDomainsTemplate",
        "allowIpSans",
      ].some((p) => isUnknown(r, p));
      if (aws !== undefined) refuse(pass, x.resource, `is a PKI role that issues certificates for AWS endpoint names (${aws})`);
      else if (!withAgents) continue;
      else if (unknownHost)
        refuse(
          pass,
          x.resource,
          "is a PKI role in a stack with agents, and no Vault provider of the stack names the Vault's address, so the names it admits may include the Vault host",
        );
      else if (unknownInputs) refuse(pass, x.resource, `is a PKI role whose allowed names are unknown at preview (maybe the Vault host ${hostList})`);
      else {
        const hit = hosts.find((host) => roleAdmits(r.v, host));
        if (hit !== undefined)
          refuse(
            pass,
            x.resource,
            `is a PKI role that admits ${hit}, the Vault host (${r.v.allowAnyName === true ? "allow_any_name" : "allowed_domains with bare, subdomain, glob or template matching, or allow_ip_sans"}): any token whose policy reaches its issue path gets a certificate for it`,
          );
      }
      continue;
    }
    if (!withAgents || !type.startsWith("kubernetes:")) continue;
    // A Service answers in cluster DNS for <name>.<namespace>.svc.cluster.local, and through pods' search list for
    // <name>.<namespace> and, to pods of its namespace, <name> (Kubernetes "DNS for Services and Pods"). Judged
    // only against a known Vault host: every Service is not refused when the pack is not told it.
    if (SERVICE.test(type) && hosts.length > 0) {
      const name = asString(field(r.v.metadata).name);
      const ns = asString(field(r.v.metadata).namespace) ?? providerNamespace(r.resource.provider).namespace ?? "default";
      const inCluster = name === undefined ? [] : [name, `${name}.${ns}`, `${name}.${ns}.svc`, `${name}.${ns}.svc.cluster.local`];
      const hit = hosts.find((host) => inCluster.includes(host));
      if (hit !== undefined)
        refuse(pass, x.resource, `is a Service whose in-cluster DNS name is the Vault host ${hit}: its selector or ExternalName decides who answers`);
    }
    const { names, unread } = claimedNames(r);
    if (names.length === 0 && !unread) continue;
    if (unknownHost)
      refuse(
        pass,
        x.resource,
        `claims host name${names.length === 1 ? "" : "s"} ${names.join(", ") || "(unknown at preview)"} in a stack with agents, and no Vault provider of the stack names the Vault's address, so any of them may be the Vault host`,
      );
    else if (unread) refuse(pass, x.resource, `claims host names unknown at preview (maybe the Vault host ${hostList})`);
    else {
      const hit = vaultHit(names);
      if (hit !== undefined) refuse(pass, x.resource, `claims ${hit} (routing, mesh or external-dns), which presents as the Vault host (${hostList})`);
    }
  }
}

export const vaultHostIdentity: Adapter = {
  family: "vault-host-identity",
  holdings: "none: a certificate or a route for the Vault host decides who answers agents' Vault logins, not what an identity holds",
  types: [
    ...[ACM_CERTIFICATE, IAM_SERVER_CERTIFICATE, PKI_CERT].map((type) => ({
      type,
      route: "a certificate (requested, imported or issued at deployment) for the names it lists: its holder answers as those hosts over TLS",
      checkedBy: [RULE],
    })),
    ...[ACMPCA_CERTIFICATE, PKI_SIGN].map((type) => ({
      type,
      route: "a certificate for the names in a CSR the pack does not parse: refused in a stack with agents unless declared",
      checkedBy: [RULE],
    })),
    {
      type: PKI_SIGN_INTERMEDIATE,
      route: "signs an intermediate CA, which issues for any name its permittedDnsDomains admit",
      checkedBy: [RULE],
    },
    ...PKI_CA_KEYS.map((type) => ({ type, route: "generates a CA key; type exported puts it in Pulumi state", checkedBy: [RULE] })),
    { type: PKI_CONFIG_CA, route: "imports a CA certificate and its private key into a PKI mount", checkedBy: [RULE] },
    { type: PKI_ROLE, route: "decides which names Vault's PKI issues certificates for (to any token whose policy reaches the role)", checkedBy: [RULE] },
    {
      type: "kubernetes:cert-manager.io/<version>:Certificate and CertificateRequest (and Patches)",
      route:
        "cert-manager issues a certificate for spec.dnsNames, ipAddresses and commonName (a CertificateRequest's names are in its CSR) from an issuer agents may trust",
      checkedBy: [RULE],
    },
    {
      type: "Ingress, Gateway API Gateway and routes, Istio VirtualService, ServiceEntry, Gateway and DestinationRule, external-dns DNSEndpoint (and Patches), and any kubernetes:* object's external-dns hostname annotations",
      route:
        "claims host names: an ingress controller, mesh or external-dns sends that name's traffic (agents' Vault logins, if it is the Vault host) where the object says",
      checkedBy: [RULE],
    },
  ],
  stack: (ix, pass) => check(ix, pass),
};
