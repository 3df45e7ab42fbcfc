/**
 * DNS redirection (stack/dns-redirection): an agent logs in to Vault by sending its ServiceAccount
 * token to the Vault host, and reaches STS by name; whoever changes what those names resolve to
 * collects the tokens (TLS is then the only defence). Closed world, unless the security team
 * declares the resource (kubernetesPlatformResources, by URN and inputs digest):
 * - cluster DNS: a `corefile` in the `coredns` EKS add-on's configurationValues; an EndpointSlice,
 *   Endpoints or Service (or Patch) in kube-system, or a Service named as cluster DNS anywhere (its
 *   selector or endpoints decide which pods answer the cluster's lookups). kube-system's ConfigMaps
 *   are kubernetes/kube-system-config's;
 * - Route 53, per resource: a record, records set, traffic policy instance, private hosted zone or
 *   Resolver rule for an AWS endpoint name (`amazonaws.com` or a parent), and a Resolver DNS Firewall
 *   rule answering with an override (blockResponse OVERRIDE);
 * - Route 53, across a stack with agents: any of those (and Resolver rule, zone and profile
 *   associations, which bring a rule or zone the stack may not show) for a name covering the Vault
 *   host a Vault provider of the stack names. A record's name is relative to its zone (the provider
 *   appends the zone's name): expanded in a Zone of the stack, else read as `<name>.<any zone>`.
 *   Route 53 Profile associations with a VPC count as
 *   associations by id; Cloud Map DNS namespaces are zones of their name; a Cloud Map service answers
 *   for `<service>.<namespace>` (a namespace by id, or an instance added to a service by id, is refused);
 *   a DNS Firewall rule group association passes only for a rule group of the stack; a PrivateLink
 *   endpoint with private DNS passes for an AWS service or an endpoint service of the stack whose
 *   privateDnsName does not cover the Vault host. The pack is not told the Vault's address otherwise
 *   (it is in the declaration, which the pack does not read), so when no Vault provider names one,
 *   every such resource in a stack with agents is refused: any name may be the Vault's.
 * - VPC DHCP options, per resource: a set names only AmazonProvidedDNS as its DNS servers and at most
 *   the region's default domain (nodes' resolver, hence CoreDNS's upstream and every search domain a
 *   pod's resolv.conf inherits); an association brings the `default` set or one of this stack's sets
 *   that passes, never a set by id the stack does not show. Allowlist: anything else is refused.
 */
import { asRecord, asString, readInputs, type KnownInputs } from "../inputs";
import { platformResourceKey } from "../platform-resources-config";
import type { StackIndex } from "../stack-index";
import type { Adapter, PackResource, ResourceProblem, StackPass } from "../types";
import { providerNamespace, readOfType, type Read } from "./shared";

const RULE = "stack/dns-redirection";
const SYSTEM_NAMESPACE = "kube-system";
const DNS_SERVICES = new Set(["kube-dns", "coredns", "node-local-dns"]);
const ADDON = "aws:eks/addon:Addon";
const VAULT_PROVIDER = "pulumi:providers:vault";

const CLUSTER_DNS_TYPES = [
  "kubernetes:discovery.k8s.io/v1:EndpointSlice",
  "kubernetes:discovery.k8s.io/v1:EndpointSlicePatch",
  "kubernetes:discovery.k8s.io/v1beta1:EndpointSlice",
  "kubernetes:discovery.k8s.io/v1beta1:EndpointSlicePatch",
  "kubernetes:core/v1:Endpoints",
  "kubernetes:core/v1:EndpointsPatch",
  "kubernetes:core/v1:Service",
  "kubernetes:core/v1:ServicePatch",
];

/** Route 53 types and the inputs holding the names they answer for (`[]`: it brings a rule or zone by id). */
const ROUTE53_NAMES: Readonly<Record<string, readonly string[]>> = {
  "aws:route53/record:Record": ["name", "alias.name"],
  "aws:route53/recordsExclusive:RecordsExclusive": ["resourceRecordSets[].name"],
  "aws:route53/trafficPolicyInstance:TrafficPolicyInstance": ["name"],
  "aws:route53/zone:Zone": ["name"],
  "aws:route53/resolverRule:ResolverRule": ["domainName"],
  "aws:route53/resolverRuleAssociation:ResolverRuleAssociation": [],
  "aws:route53/zoneAssociation:ZoneAssociation": [],
  // Lets a VPC (the agents', from another account) be associated with a zone this stack's account holds.
  "aws:route53/vpcAssociationAuthorization:VpcAssociationAuthorization": [],
  "aws:route53/profilesResourceAssociation:ProfilesResourceAssociation": [],
  // Associates a Route 53 Profile with a VPC: every zone, Resolver rule and firewall rule group the profile holds applies there.
  "aws:route53/profilesAssociation:ProfilesAssociation": [],
  // A Cloud Map DNS namespace is a Route 53 hosted zone of the same name (private: associated with its VPC), AWS Cloud Map
  // Developer Guide, "Creating an AWS Cloud Map namespace": "The hosted zone created by AWS Cloud Map has the same name as the namespace".
  "aws:servicediscovery/privateDnsNamespace:PrivateDnsNamespace": ["name"],
  "aws:servicediscovery/publicDnsNamespace:PublicDnsNamespace": ["name"],
};
/** Cloud Map services get records `<service>.<namespace>` in their namespace's zone; instances add addresses to them. */
const CLOUD_MAP_SERVICE = "aws:servicediscovery/service:Service";
const CLOUD_MAP_INSTANCE = "aws:servicediscovery/instance:Instance";
const CLOUD_MAP_DNS_NAMESPACES = new Set([
  "aws:servicediscovery/privateDnsNamespace:PrivateDnsNamespace",
  "aws:servicediscovery/publicDnsNamespace:PublicDnsNamespace",
]);
/** An HTTP namespace has no zone: instances are found by the DiscoverInstances API only (same guide). */
const CLOUD_MAP_HTTP_NAMESPACE = "aws:servicediscovery/httpNamespace:HttpNamespace";
const FIREWALL_GROUP = "aws:route53/resolverFirewallRuleGroup:ResolverFirewallRuleGroup";
const FIREWALL_GROUP_ASSOCIATION = "aws:route53/resolverFirewallRuleGroupAssociation:ResolverFirewallRuleGroupAssociation";
const FIREWALL_RULE = "aws:route53/resolverFirewallRule:ResolverFirewallRule";
const DHCP_OPTIONS = "aws:ec2/vpcDhcpOptions:VpcDhcpOptions";
const DHCP_ASSOCIATION = "aws:ec2/vpcDhcpOptionsAssociation:VpcDhcpOptionsAssociation";
/** The one DNS server a DHCP options set may name: the VPC's own Route 53 Resolver. */
const AMAZON_DNS = "AmazonProvidedDNS";
/** The domain AWS's default DHCP options give (us-east-1's, or `<region>.compute.internal`): what pods' search lists already hold. */
const DEFAULT_DOMAIN = /^(?:ec2\.internal|[a-z]{2}(?:-[a-z]+)+-\d\.compute\.internal)$/;

const declare = (resource: Pick<PackResource, "type" | "name">) => {
  const key = platformResourceKey(resource.type, resource.name);
  return {
    platformResource: key,
    fix: "leave cluster DNS and the platform's DNS to the platform's own stack, or have the security team declare it (kubernetesPlatformResources)",
  };
};

/** A DNS name as compared: lower case, no trailing dot, `\052` read as `*`. */
const normal = (name: string) => name.trim().toLowerCase().replace(/\\052/g, "*").replace(/\.$/, "");

/** Does a name (a record, a wildcard record, or a zone or rule domain covering what is below it) answer for `host`? */
export function nameCovers(name: string, host: string, domain: boolean): boolean {
  const n = normal(name);
  const h = normal(host);
  if (n === "" || n === h) return true;
  if (n.startsWith("*.")) return h.endsWith(n.slice(1));
  return domain && h.endsWith(`.${n}`);
}

/**
 * Record-like types whose name is relative to their hosted zone, and the input naming the zone. The
 * AWS provider appends the zone's name to a record name that does not already end with it
 * (terraform-provider-aws internal/service/route53/record.go, `expandRecordName`): `vault` in zone
 * `acme.internal` is `vault.acme.internal`, and an empty name is the zone's apex. Records sets and
 * traffic policy instances are read the same way (a name the API would refuse as outside the zone
 * is refused here too: never a false pass).
 */
const RELATIVE_NAMES: Readonly<Record<string, { readonly names: readonly string[]; readonly zone: string }>> = {
  "aws:route53/record:Record": { names: ["name"], zone: "zoneId" },
  "aws:route53/recordsExclusive:RecordsExclusive": { names: ["resourceRecordSets[].name"], zone: "zoneId" },
  "aws:route53/trafficPolicyInstance:TrafficPolicyInstance": { names: ["name"], zone: "hostedZoneId" },
};
const ZONE = "aws:route53/zone:Zone";

/** The name of the zone a record-like resource is in, when it is a Zone of this stack with a known name. */
function zoneNameOf(r: Read): string | undefined {
  const field = RELATIVE_NAMES[r.resource.type]?.zone;
  const sources = field === undefined ? [] : (r.resource.propertyDependencies?.[field] ?? []);
  if (sources.length !== 1 || sources[0].type !== ZONE) return undefined;
  const zone = readInputs(sources[0].props);
  return zone.unknown.includes("name") ? undefined : asString(zone.value.name);
}

/** A record name as the provider expands it in a zone of known name (`expandRecordName`). */
export function expandRecordName(name: string, zone: string): string {
  const n = normal(name);
  const z = normal(zone);
  if (n === "") return z;
  return n.endsWith(z) ? n : `${n}.${z}`;
}

/**
 * Can a record name relative to a zone the pack cannot name answer for `host`? Its name is `name`
 * or `name.<zone>` for any zone: it covers a host that is the name, starts with `<name>.`, or (a
 * wildcard `*` or `*.x`) has a label (or `x`'s labels, after at least one more) above some zone.
 */
export function relativeNameCovers(name: string, host: string): boolean {
  const n = normal(name);
  const h = normal(host);
  if (n === "" || nameCovers(n, h, false) || h.startsWith(`${n}.`)) return true;
  if (n === "*") return h.includes(".");
  if (n.startsWith("*.")) return h.includes(`.${n.slice(2)}.`);
  return false;
}

/** The names a Route 53 resource answers for, as written (undefined entries: unknown at preview). */
function namesOf(type: string, v: Record<string, unknown>, unknown: readonly string[], fields = ROUTE53_NAMES[type] ?? []): Array<string | undefined> {
  const out: Array<string | undefined> = [];
  for (const field of fields) {
    if (field === "resourceRecordSets[].name") {
      if (unknown.some((p) => p.startsWith("resourceRecordSets"))) out.push(undefined);
      for (const set of Array.isArray(v.resourceRecordSets) ? v.resourceRecordSets : []) out.push(asString(asRecord(set).name));
      continue;
    }
    const [top, sub] = field.split(".");
    if (unknown.some((p) => p === top || p.startsWith(`${top}.`))) out.push(undefined);
    const value = sub ? asRecord(v[top])[sub] : v[top];
    if (value !== undefined) out.push(asString(value));
  }
  return out;
}

const AWS_ENDPOINT = "sts.us-east-1.amazonaws.com";
const isDomain = (type: string) => type === "aws:route53/zone:Zone" || type === "aws:route53/resolverRule:ResolverRule" || CLOUD_MAP_DNS_NAMESPACES.has(type);

/** Cluster DNS objects: why one is refused, or undefined. */
function clusterDnsProblem(resource: PackResource, inputs: KnownInputs): string | undefined {
  const v = inputs.value;
  if (resource.type === ADDON) {
    const addon = asString(v.addonName);
    const text = asString(v.configurationValues);
    const unknownValues = inputs.unknown.includes("configurationValues");
    if (addon !== undefined && addon !== "coredns") return undefined;
    if (unknownValues) return "is the coredns add-on with configurationValues unknown at preview (maybe a corefile)";
    if (text !== undefined && /corefile/i.test(text))
      return "sets a corefile in the coredns add-on's configurationValues: its rewrite, hosts or forward entries decide what every pod's lookups resolve to";
    return undefined;
  }
  const metadata = asRecord(v.metadata);
  const provider = providerNamespace(resource.provider);
  const namespace =
    metadata.namespace ??
    (provider.unknown || inputs.unknown.some((p) => p === "metadata" || p === "metadata.namespace") ? undefined : (provider.namespace ?? "default"));
  const kind = resource.type.split(":").pop() ?? "";
  const isService = kind.startsWith("Service");
  if (namespace === SYSTEM_NAMESPACE)
    return `is in ${SYSTEM_NAMESPACE}, where cluster DNS's Service and endpoints live (its selector or endpoints decide which pods answer the cluster's lookups)`;
  if (isService && metadata.name !== undefined && DNS_SERVICES.has(metadata.name)) return `is named ${metadata.name}, cluster DNS's Service`;
  const label = asRecord(metadata.labels)["kubernetes.io/service-name"];
  if (!isService && label !== undefined && DNS_SERVICES.has(label) && namespace === undefined) return `serves ${label} with its namespace unknown at preview`;

  return undefined;
}

function route53Problem(resource: PackResource, inputs: KnownInputs): string | undefined {
  const v = inputs.value;
  if (resource.type === FIREWALL_RULE) {
    const override = asString(v.blockResponse) === "OVERRIDE" || v.blockOverrideDomain !== undefined || inputs.unknown.includes("blockResponse");
    return override ? "answers matching lookups with an override (blockResponse OVERRIDE): a DNS Firewall rule that redirects names" : undefined;
  }
  for (const name of namesOf(resource.type, v, inputs.unknown))
    if (name !== undefined && nameCovers(name, AWS_ENDPOINT, isDomain(resource.type)))
      return `answers for ${name}, an AWS endpoint name (or a parent of them): agents' STS and AWS calls would go where it points`;
  return undefined;
}

const unknownAt = (inputs: KnownInputs, field: string) => inputs.unknown.some((p) => p === field || p.startsWith(`${field}.`) || p.startsWith(`${field}[`));

/** A DHCP options set: why it redirects nodes' lookups, or undefined when it names only what AWS's default set does. */
export function dhcpOptionsProblem(inputs: KnownInputs): string | undefined {
  const v = inputs.value;
  if (unknownAt(inputs, "domainNameServers")) return "has domainNameServers unknown at preview (maybe a resolver other than AmazonProvidedDNS)";
  const servers = v.domainNameServers === undefined ? [] : Array.isArray(v.domainNameServers) ? v.domainNameServers : [v.domainNameServers];
  const other = servers.filter((server) => server !== AMAZON_DNS);
  if (other.length)
    return `names DNS server${other.length > 1 ? "s" : ""} ${other.map((server) => JSON.stringify(server)).join(", ")} beside or instead of ${AMAZON_DNS}: nodes' resolver, hence CoreDNS's upstream, answers as that server says`;
  if (unknownAt(inputs, "domainName")) return "has domainName unknown at preview (maybe a search domain that answers first for the Vault host)";
  const domain = v.domainName;
  if (domain !== undefined && (typeof domain !== "string" || !DEFAULT_DOMAIN.test(domain)))
    return `sets domainName ${JSON.stringify(domain)}: pods inherit it as a search domain, so a lookup of the Vault host is first tried under it`;
  return undefined;
}

export function dnsRedirectionProblems(resource: PackResource, inputs: KnownInputs): ResourceProblem[] {
  const why =
    resource.type === DHCP_OPTIONS
      ? dhcpOptionsProblem(inputs)
      : resource.type === DHCP_ASSOCIATION
        ? undefined // which set it brings is told by its property dependencies: across the stack
        : resource.type in ROUTE53_NAMES || resource.type === FIREWALL_RULE
          ? route53Problem(resource, inputs)
          : clusterDnsProblem(resource, inputs);
  if (!why) return [];
  const kind = resource.type.split(":").pop();
  return [{ rule: RULE, message: `${kind} ${resource.name} ${why}; an agent's Vault login token goes to whatever answers`, ...declare(resource) }];
}

/** The Vault hosts the stack's Vault providers name (lower case), or none. */
export function vaultHosts(ix: StackIndex): string[] {
  const out = new Set<string>();
  for (const { resource } of ix.inputsOfType(VAULT_PROVIDER)) {
    const address = asString(readInputs(resource.props).value.address);
    const host = address === undefined ? undefined : /^[a-z][a-z0-9+.-]*:\/\/([^/:?#]+)/i.exec(address)?.[1];
    if (host) out.add(normal(host));
  }
  return [...out];
}

function vaultNames(ix: StackIndex, pass: StackPass): void {
  if (ix.serviceAccounts.length === 0) return;
  const hosts = vaultHosts(ix);
  for (const r of readOfType(ix, ...Object.keys(ROUTE53_NAMES))) {
    const names = namesOf(r.resource.type, r.v, r.unknown);
    const byId = (ROUTE53_NAMES[r.resource.type] ?? []).length === 0;
    let why: string | undefined;
    if (hosts.length === 0)
      why = `may answer for the Vault host: the pack is not told the Vault's address (no Vault provider of the stack names it), so in a stack with agents every Route 53 record, zone, Resolver rule and association is refused unless declared`;
    else if (byId) why = `brings a Resolver rule, zone or profile by id, which may answer for the Vault host (${hosts.join(", ")})`;
    else {
      // A name relative to its zone: expanded with the zone's name when it is a zone of this stack, else `name.<any zone>`.
      const relative = RELATIVE_NAMES[r.resource.type];
      const zone = relative ? zoneNameOf(r) : undefined;
      const relativeNames = relative ? namesOf(r.resource.type, r.v, r.unknown, relative.names) : [];
      const covers = (n: string, h: string) =>
        nameCovers(n, h, isDomain(r.resource.type)) ||
        (relativeNames.includes(n) && (zone !== undefined ? nameCovers(expandRecordName(n, zone), h, false) : relativeNameCovers(n, h)));
      const hit = names.find((n) => n === undefined || hosts.some((h) => covers(n, h)));
      if (hit !== undefined || names.includes(undefined))
        why =
          hit === undefined
            ? "has its name unknown at preview (maybe the Vault host)"
            : relativeNames.includes(hit) && zone === undefined && !hosts.some((h) => nameCovers(hit, h, isDomain(r.resource.type)))
              ? `answers for ${hit} relative to a hosted zone whose name the pack cannot read (not a Zone of this stack): the provider appends the zone's name, so it may be the Vault host (${hosts.join(", ")})`
              : `answers for ${hit}${zone !== undefined ? ` (in zone ${zone})` : ""}, which covers the Vault host (${hosts.join(", ")})`;
    }
    if (!why) continue;
    pass.findings.push({
      rule: RULE,
      agent: r.resource.name,
      identity: null,
      urn: r.resource.urn,
      message: `${r.resource.type} ${r.resource.name} ${why}: agents' Vault logins (their tokens) would go where it points`,
      ...declare(r.resource),
    });
  }
}

/**
 * Associations: the `default` set, or a set of this stack that names only AmazonProvidedDNS (read
 * through the association's property dependencies, at preview and at update alike); a set by an id
 * the stack does not show may name any DNS server.
 */
function dhcpAssociations(ix: StackIndex, pass: StackPass): void {
  for (const r of readOfType(ix, DHCP_ASSOCIATION)) {
    const unknown = r.unknown.includes("dhcpOptionsId");
    if (!unknown && r.v.dhcpOptionsId === "default") continue;
    const sources = r.resource.propertyDependencies?.dhcpOptionsId ?? [];
    const allowed = sources.length > 0 && sources.every((source) => source.type === DHCP_OPTIONS && dhcpOptionsProblem(readInputs(source.props)) === undefined);
    if (allowed) continue;
    const what =
      sources.length > 0
        ? "a DHCP options set of this stack that names another DNS server or domain"
        : unknown
          ? "a DHCP options set unknown at preview"
          : `DHCP options set ${JSON.stringify(r.v.dhcpOptionsId)} by an id this stack does not show`;
    pass.findings.push({
      rule: RULE,
      agent: r.resource.name,
      identity: null,
      urn: r.resource.urn,
      message: `${r.resource.type} ${r.resource.name} brings ${what}, not \`default\` or one of this stack's sets naming only ${AMAZON_DNS}: nodes' resolver, hence CoreDNS's upstream and agents' Vault logins, would go where it points`,
      ...declare(r.resource),
    });
  }
}

const finding = (resource: PackResource, message: string) => ({
  rule: RULE,
  agent: resource.name,
  identity: null,
  urn: resource.urn,
  message,
  ...declare(resource),
});

/**
 * Cloud Map services and instances, in a stack with agents: a service answers for `<name>.<namespace>`
 * (its namespace read through the namespaceId's property dependencies: an HTTP namespace has no
 * DNS); an instance adds addresses to its service's name (passes when the service is this stack's,
 * judged here). A namespace or service by an id the stack does not show may be the Vault host's domain.
 */
function cloudMap(ix: StackIndex, pass: StackPass): void {
  if (ix.serviceAccounts.length === 0) return;
  const hosts = vaultHosts(ix);
  const named = (what: string) =>
    `agents' Vault logins (their tokens) would go where it points${hosts.length ? "" : ` (no Vault provider of the stack names the Vault's address, so ${what} may be the Vault host)`}`;
  for (const r of readOfType(ix, CLOUD_MAP_SERVICE)) {
    const sources = [...(r.resource.propertyDependencies?.namespaceId ?? []), ...(r.resource.propertyDependencies?.dnsConfig ?? [])];
    const namespace = sources.find((source) => CLOUD_MAP_DNS_NAMESPACES.has(source.type) || source.type === CLOUD_MAP_HTTP_NAMESPACE);
    if (namespace?.type === CLOUD_MAP_HTTP_NAMESPACE) continue;
    const zone = namespace === undefined ? undefined : readInputs(namespace.props);
    const zoneName = zone === undefined || zone.unknown.includes("name") ? undefined : asString(zone.value.name);
    const service = r.unknown.includes("name") ? undefined : asString(r.v.name);
    const name = zoneName !== undefined && service !== undefined ? `${service}.${zoneName}` : undefined;
    if (name !== undefined && hosts.length > 0 && !hosts.some((host) => nameCovers(name, host, false)) && !nameCovers(name, AWS_ENDPOINT, false)) continue;
    pass.findings.push(
      finding(
        r.resource,
        `${r.resource.type} ${r.resource.name} ${name === undefined ? "answers for a name in a Cloud Map namespace unknown at preview or by an id this stack does not show" : `answers for ${name}`}: ${named("it")}`,
      ),
    );
  }
  for (const r of readOfType(ix, CLOUD_MAP_INSTANCE)) {
    const sources = r.resource.propertyDependencies?.serviceId ?? [];
    if (sources.length > 0 && sources.every((source) => source.type === CLOUD_MAP_SERVICE)) continue;
    pass.findings.push(
      finding(
        r.resource,
        `${r.resource.type} ${r.resource.name} adds addresses to a Cloud Map service by an id this stack does not show (its name may be the Vault host): ${named("its name")}`,
      ),
    );
  }
}

/**
 * Resolver DNS Firewall rule group associations, in a stack with agents: a group of this stack (its rules are judged one by
 * one above: no override answers), never a group by id, whose rules the pack cannot see (an
 * OVERRIDE rule answers any lookup, the Vault host's included, with the domain it names).
 */
function firewallAssociations(ix: StackIndex, pass: StackPass): void {
  if (ix.serviceAccounts.length === 0) return;
  for (const r of readOfType(ix, FIREWALL_GROUP_ASSOCIATION)) {
    const sources = r.resource.propertyDependencies?.firewallRuleGroupId ?? [];
    if (sources.length > 0 && sources.every((source) => source.type === FIREWALL_GROUP)) continue;
    pass.findings.push(
      finding(
        r.resource,
        `${r.resource.type} ${r.resource.name} brings a DNS Firewall rule group by an id this stack does not show: its rules may answer lookups with an override domain (the Vault host's or AWS endpoints' among them)`,
      ),
    );
  }
}

const ENDPOINT = "aws:ec2/vpcEndpoint:VpcEndpoint";
const ENDPOINT_SERVICE = "aws:ec2/vpcEndpointService:VpcEndpointService";
/** AWS's own services' endpoint names (`com.amazonaws.<region>.<service>`): their private DNS names are AWS's endpoint names. */
const AWS_SERVICE_NAME = /^com\.amazonaws\./;

/**
 * PrivateLink private DNS, in a stack with agents: an interface endpoint with privateDnsEnabled makes
 * its service's private DNS name resolve to the endpoint inside the VPC (Amazon VPC PrivateLink guide,
 * "Manage DNS names for VPC endpoint services"). Allowed: an AWS service's endpoint, or an endpoint
 * service of this stack whose privateDnsName (read through the property dependencies) does not cover
 * the Vault host; an endpoint service of the stack naming the Vault host (or with no Vault address
 * known, any name) is refused itself.
 */
function privateLinkDns(ix: StackIndex, pass: StackPass): void {
  if (ix.serviceAccounts.length === 0) return;
  const hosts = vaultHosts(ix);
  const covers = (name: string | undefined) =>
    name === undefined || hosts.length === 0 || hosts.some((host) => nameCovers(name, host, false)) || nameCovers(name, AWS_ENDPOINT, false);
  for (const r of readOfType(ix, ENDPOINT_SERVICE)) {
    if (r.v.privateDnsName === undefined && !r.unknown.includes("privateDnsName")) continue;
    const name = r.unknown.includes("privateDnsName") ? undefined : asString(r.v.privateDnsName);
    if (!covers(name)) continue;
    pass.findings.push(
      finding(
        r.resource,
        `${r.resource.type} ${r.resource.name} gives its endpoints private DNS name ${name ?? "(unknown at preview)"}${hosts.length ? "" : " (no Vault provider of the stack names the Vault's address, so it may be the Vault host)"}: agents' Vault logins (their tokens) would go where it points`,
      ),
    );
  }
  for (const r of readOfType(ix, ENDPOINT)) {
    if (r.v.privateDnsEnabled !== true && !r.unknown.includes("privateDnsEnabled")) continue;
    const service = r.unknown.includes("serviceName") ? undefined : asString(r.v.serviceName);
    if (service !== undefined && AWS_SERVICE_NAME.test(service)) continue;
    const sources = r.resource.propertyDependencies?.serviceName ?? [];
    if (sources.length > 0 && sources.every((source) => source.type === ENDPOINT_SERVICE)) continue; // judged above
    pass.findings.push(
      finding(
        r.resource,
        `${r.resource.type} ${r.resource.name} enables private DNS for endpoint service ${service ?? "(unknown at preview, or a VPC Lattice resource)"}, not an AWS service's nor one of this stack: the service's private DNS name, which the pack cannot see, would resolve to it in the VPC (the Vault host's, maybe)`,
      ),
    );
  }
}

export const dnsRedirection: Adapter = {
  family: "dns-redirection",
  holdings: "none: DNS decides where agents' logins and calls go, not what an identity holds",
  types: [
    { type: ADDON, route: "the coredns add-on's configurationValues may carry a corefile: cluster DNS answers as it says", checkedBy: [RULE] },
    ...CLUSTER_DNS_TYPES.map((type) => ({
      type,
      route: "in kube-system (or named as cluster DNS), decides which pods answer the cluster's DNS lookups",
      checkedBy: [RULE],
    })),
    ...Object.keys(ROUTE53_NAMES).map((type) => ({ type, route: "decides what a name resolves to in the VPC the agents' cluster uses", checkedBy: [RULE] })),
    { type: FIREWALL_RULE, route: "a DNS Firewall rule may answer lookups with an override domain", checkedBy: [RULE] },
    { type: CLOUD_MAP_SERVICE, route: "a Cloud Map service answers for <service>.<namespace> in its DNS namespace's zone", checkedBy: [RULE] },
    { type: CLOUD_MAP_INSTANCE, route: "adds addresses to a Cloud Map service's DNS name", checkedBy: [RULE] },
    { type: ENDPOINT, route: "with privateDnsEnabled, its endpoint service's private DNS name resolves to it in the VPC", checkedBy: [RULE] },
    { type: ENDPOINT_SERVICE, route: "names the private DNS name its endpoints answer for", checkedBy: [RULE] },
    { type: FIREWALL_GROUP_ASSOCIATION, route: "applies a DNS Firewall rule group (whose rules may answer with an override) to a VPC", checkedBy: [RULE] },
    { type: DHCP_OPTIONS, route: "names the DNS servers and search domain every node of the VPC (and CoreDNS's upstream) uses", checkedBy: [RULE] },
    { type: DHCP_ASSOCIATION, route: "gives a VPC's nodes a DHCP options set, hence their DNS servers", checkedBy: [RULE] },
  ],
  check: (resource, inputs) => dnsRedirectionProblems(resource, inputs),
  stack: (ix, pass) => {
    vaultNames(ix, pass);
    cloudMap(ix, pass);
    privateLinkDns(ix, pass);
    firewallAssociations(ix, pass);
    dhcpAssociations(ix, pass);
  },
};
