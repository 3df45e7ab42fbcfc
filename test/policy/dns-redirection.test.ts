/**
 * stack/dns-redirection (policy/adapters/dns-redirection.ts): what redirects the names agents
 * resolve (the Vault host, AWS endpoints). Happy path: the dev stack's components with an ordinary
 * coredns add-on, a Service and EndpointSlice in an application namespace, and a DNS Firewall rule
 * that blocks; each case changes one property and is refused unless the security team declares the
 * resource (kubernetesPlatformResources). Route 53 records are judged against the Vault provider's
 * host when the stack has one, and refused whatever their name when it has none. VPC DHCP options
 * name only AmazonProvidedDNS and the region's default domain.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { componentResources } from "../helpers/component-resources";
import { stackDeclaration } from "../helpers/fixtures";
import { expandRecordName, nameCovers, relativeNameCovers } from "../../policy/adapters/dns-redirection";
import { declaring, runPack, ruleIds, UNKNOWN, type Resource } from "../helpers/policy-args";

const RULE = "stack/dns-redirection";
const COREFILE = ".:53 {\n rewrite name vault.dev.acme.internal evil.example.com\n forward . /etc/resolv.conf\n}";

const addon = (configurationValues?: unknown, addonName = "coredns"): Resource => ({
  type: "aws:eks/addon:Addon",
  name: "coredns",
  props: { clusterName: "dev", addonName, ...(configurationValues === undefined ? {} : { configurationValues }) },
});
const k8s = (kind: string, api: string, metadata: Record<string, unknown>, rest: Record<string, unknown> = {}): Resource => ({
  type: `kubernetes:${api}:${kind}`,
  name: `${kind.toLowerCase()}-x`,
  props: { metadata, ...rest },
});
const slice = (namespace: string) =>
  k8s(
    "EndpointSlice",
    "discovery.k8s.io/v1",
    { name: "kube-dns-extra", namespace, labels: { "kubernetes.io/service-name": "kube-dns" } },
    { addressType: "IPv4", endpoints: [{ addresses: ["203.0.113.9"] }] },
  );
const record = (name: string): Resource => ({
  type: "aws:route53/record:Record",
  name: "rec",
  props: { zoneId: "Z123", name, type: "A", ttl: 60, records: ["203.0.113.9"] },
});
const rule = (domainName: string): Resource => ({
  type: "aws:route53/resolverRule:ResolverRule",
  name: "fwd",
  props: { domainName, ruleType: "FORWARD", resolverEndpointId: "rslvr-out-1", targetIps: [{ ip: "203.0.113.9" }] },
});
const vaultProvider: Resource = { type: "pulumi:providers:vault", name: "vault", props: { address: "https://vault.dev.acme.internal:8200" } };
const declared = (resource: Resource) => declaring(resource);

let base: Resource[];
beforeAll(async () => {
  base = await componentResources(stackDeclaration("dev"));
}, 120_000);
const rulesOf = async (extra: Resource[], config: object = {}, withBase = true) =>
  ruleIds(await runPack([...(withBase ? base : []), ...extra], undefined, config));

describe("cluster DNS", () => {
  it("passes an ordinary coredns add-on, a Service and an EndpointSlice in an application namespace (the happy path)", async () => {
    const extra = [
      addon(JSON.stringify({ replicaCount: 3 })),
      k8s("Service", "core/v1", { name: "api", namespace: "platform-tools" }, { spec: { selector: { app: "api" } } }),
      slice("platform-tools"),
      { type: "aws:route53/resolverFirewallRule:ResolverFirewallRule", name: "block", props: { action: "BLOCK", blockResponse: "NODATA", priority: 1 } },
    ];
    expect(await rulesOf(extra, {}, false)).toEqual([]);
  }, 120_000);
  const CASES: Array<[string, Resource]> = [
    ["a corefile in the coredns add-on's configurationValues", addon(JSON.stringify({ corefile: COREFILE }))],
    ["configurationValues unknown at preview on the coredns add-on", addon(UNKNOWN)],
    ["an EndpointSlice for kube-dns in kube-system", slice("kube-system")],
    ["an EndpointSlicePatch in kube-system", { ...slice("kube-system"), type: "kubernetes:discovery.k8s.io/v1:EndpointSlicePatch" }],
    [
      "a ServicePatch of kube-dns's selector",
      k8s("ServicePatch", "core/v1", { name: "kube-dns", namespace: "kube-system" }, { spec: { selector: { app: "evil-dns" } } }),
    ],
    ["a Service named kube-dns in another namespace", k8s("Service", "core/v1", { name: "kube-dns", namespace: "platform-tools" })],
    ["a Route 53 record for an AWS endpoint", record("sts.us-east-1.amazonaws.com")],
    ["a Resolver rule forwarding amazonaws.com", rule("amazonaws.com")],
    [
      "a DNS Firewall rule answering with an override",
      {
        type: "aws:route53/resolverFirewallRule:ResolverFirewallRule",
        name: "block",
        props: { action: "BLOCK", blockResponse: "OVERRIDE", blockOverrideDomain: "evil.example.com", blockOverrideDnsType: "CNAME", priority: 1 },
      },
    ],
  ];
  for (const [what, resource] of CASES)
    it(`refuses ${what}, unless declared`, async () => {
      expect(await rulesOf([resource], {}, false)).toEqual([RULE]);
      // Inputs unknown at preview have no digest to declare: such a resource stays refused at preview.
      const unknownInputs = JSON.stringify(resource.props).includes(UNKNOWN);
      expect(await rulesOf([resource], declared(resource), false)).toEqual(unknownInputs ? [RULE] : []);
    }, 120_000);
});

describe("Route 53 and the Vault host", () => {
  it("refuses a record for the Vault host, and with no Vault provider any record, in a stack with agents", async () => {
    expect(await rulesOf([vaultProvider, record("www.acme.example")])).not.toContain(RULE);
    expect(await rulesOf([vaultProvider, record("vault.dev.acme.internal")])).toContain(RULE);
    expect(await rulesOf([vaultProvider, rule("acme.internal")])).toContain(RULE);
    expect(await rulesOf([vaultProvider, record("*.dev.acme.internal")])).toContain(RULE);
    expect(await rulesOf([vaultProvider, record(UNKNOWN)])).toContain(RULE);
    expect(await rulesOf([record("www.acme.example")])).toContain(RULE);
    expect(await rulesOf([record("www.acme.example")], {}, false)).toEqual([]);
    expect(await rulesOf([record("vault.dev.acme.internal")], declared(record("vault.dev.acme.internal")))).not.toContain(RULE);
  }, 240_000);
  describe("a record name relative to its hosted zone (the provider appends the zone's name)", () => {
    const zone = (name: string): Resource => ({ type: "aws:route53/zone:Zone", name: "zone", props: { name } });
    const inZone = (name: string, type = "aws:route53/record:Record"): Resource => ({
      ...record(name),
      type,
      props: { ...record(name).props, zoneId: UNKNOWN },
      dependsOn: { zoneId: ["zone"] },
    });
    const recordsSet = (name: string): Resource => ({
      type: "aws:route53/recordsExclusive:RecordsExclusive",
      name: "set",
      props: { zoneId: "Z123", resourceRecordSets: [{ name, type: "A", ttl: 60, resourceRecords: [{ value: "203.0.113.9" }] }] },
    });

    it.each([["vault.dev"], ["vault.dev.acme"], ["vault"], ["*.dev"], ["*"], [""]])(
      "refuses %j in a zone the stack does not create, which may be the Vault host's parent",
      async (name) => {
        expect(await rulesOf([vaultProvider, record(name)])).toContain(RULE);
      },
      120_000,
    );

    it("refuses a relative name in a records set of a zone by id", async () => {
      expect(await rulesOf([vaultProvider, recordsSet("vault.dev")])).toContain(RULE);
      expect(await rulesOf([vaultProvider, recordsSet("web")])).not.toContain(RULE);
    }, 240_000);

    it.each([["web"], ["vault.prod"], ["dev"], ["*.prod"]])(
      "passes %j in a zone the stack does not create: no zone makes it the Vault host",
      async (name) => {
        expect(await rulesOf([vaultProvider, record(name)])).not.toContain(RULE);
      },
      120_000,
    );

    it("reads a name in a zone of the stack as the provider expands it", async () => {
      expect(await rulesOf([vaultProvider, zone("example.org"), inZone("vault.dev")])).not.toContain(RULE);
      expect(await rulesOf([vaultProvider, zone("example.org"), inZone("vault.dev.acme.internal")])).toContain(RULE);
      expect(await rulesOf([vaultProvider, zone("acme.internal"), inZone("vault.dev")])).toContain(RULE);
    }, 240_000);

    it("expands and matches names as the provider and DNS do", () => {
      expect(expandRecordName("vault.dev", "acme.internal.")).toBe("vault.dev.acme.internal");
      expect(expandRecordName("vault.dev.acme.internal", "acme.internal")).toBe("vault.dev.acme.internal");
      expect(expandRecordName("", "acme.internal")).toBe("acme.internal");
      expect(relativeNameCovers("VAULT.Dev.", "vault.dev.acme.internal")).toBe(true);
      expect(relativeNameCovers("*.acme", "vault.dev.acme.internal")).toBe(true);
      expect(relativeNameCovers("*.vault", "vault.dev.acme.internal")).toBe(false);
      expect(relativeNameCovers("vault.de", "vault.dev.acme.internal")).toBe(false);
    });
  });

  it("reads names as DNS does: case, trailing dot, wildcards, parent domains for zones and rules only", () => {
    expect(nameCovers("VAULT.dev.acme.internal.", "vault.dev.acme.internal", false)).toBe(true);
    expect(nameCovers("\\052.acme.internal", "vault.dev.acme.internal", false)).toBe(true);
    expect(nameCovers("acme.internal", "vault.dev.acme.internal", false)).toBe(false);
    expect(nameCovers("acme.internal", "vault.dev.acme.internal", true)).toBe(true);
    expect(nameCovers(".", "vault.dev.acme.internal", true)).toBe(true);
    expect(nameCovers("xacme.internal", "vault.dev.acme.internal", true)).toBe(false);
  });
});

describe("VPC DHCP options", () => {
  const options = (props: Record<string, unknown> = {}): Resource => ({
    type: "aws:ec2/vpcDhcpOptions:VpcDhcpOptions",
    name: "dhcp",
    props: { domainName: "ec2.internal", domainNameServers: ["AmazonProvidedDNS"], ...props },
  });
  const association = (dhcpOptionsId: string = UNKNOWN, from = ["dhcp"]): Resource => ({
    type: "aws:ec2/vpcDhcpOptionsAssociation:VpcDhcpOptionsAssociation",
    name: "dhcp-association",
    props: { vpcId: "vpc-1", dhcpOptionsId },
    dependsOn: from.length ? { dhcpOptionsId: from } : undefined,
  });
  it("passes a set naming only AmazonProvidedDNS and the region's default domain, associated from this stack or `default` (the happy path)", async () => {
    expect(await rulesOf([options(), association()])).not.toContain(RULE);
    expect(await rulesOf([options({ domainName: "eu-west-1.compute.internal" }), association("default", [])])).not.toContain(RULE);
    expect(await rulesOf([options({ domainName: undefined })], {}, false)).toEqual([]);
  }, 240_000);
  const CASES: Array<[string, Resource[]]> = [
    ["a DNS server other than AmazonProvidedDNS", [options({ domainNameServers: ["203.0.113.9"] })]],
    ["another DNS server beside AmazonProvidedDNS", [options({ domainNameServers: ["AmazonProvidedDNS", "10.0.0.2"] })]],
    ["DNS servers unknown at preview", [options({ domainNameServers: UNKNOWN })]],
    ["a search domain other than the region's default", [options({ domainName: "evil.example.com" })]],
    ["a second search domain", [options({ domainName: "ec2.internal evil.example.com" })]],
    ["an association bringing a set by id", [association("dopt-0123456789abcdef0", [])]],
  ];
  for (const [what, resources] of CASES)
    it(`refuses ${what}, unless declared`, async () => {
      expect(await rulesOf(resources, {}, false)).toEqual([RULE]);
      const unknownInputs = JSON.stringify(resources[0]!.props).includes(UNKNOWN);
      expect(await rulesOf(resources, declared(resources[0]!), false)).toEqual(unknownInputs ? [RULE] : []);
    }, 120_000);
  it("refuses an association whose set is unknown at preview unless it comes from a set of this stack that passes", async () => {
    expect(
      await rulesOf([options({ domainNameServers: ["203.0.113.9"] }), association()], declared(options({ domainNameServers: ["203.0.113.9"] })), false),
    ).toEqual([RULE]);
    expect(await rulesOf([association(UNKNOWN, [])], {}, false)).toEqual([RULE]);
    expect(await rulesOf([options(), association()], {}, false)).toEqual([]);
    // At update the id is known: the property dependency still says which set it is.
    expect(await rulesOf([options(), association("dopt-0123456789abcdef0")], {}, false)).toEqual([]);
    expect(
      await rulesOf(
        [options({ domainName: "evil.example.com" }), association("dopt-0123456789abcdef0")],
        declared(options({ domainName: "evil.example.com" })),
        false,
      ),
    ).toEqual([RULE]);
  }, 120_000);
});

describe("Route 53 Profiles, Cloud Map and DNS Firewall rule group associations", () => {
  const namespace = (name: string, type = "privateDnsNamespace:PrivateDnsNamespace"): Resource => ({
    type: `aws:servicediscovery/${type}`,
    name: "ns",
    props: { name, ...(type.startsWith("private") ? { vpc: "vpc-1" } : {}) },
  });
  const service = (name: string, from = ["ns"]): Resource => ({
    type: "aws:servicediscovery/service:Service",
    name: "svc",
    // From a namespace of the stack its id is unknown at preview; by id it is known.
    props: {
      name,
      namespaceId: from.length ? UNKNOWN : "ns-0123456789",
      dnsConfig: { namespaceId: from.length ? UNKNOWN : "ns-0123456789", dnsRecords: [{ type: "A", ttl: 10 }] },
    },
    dependsOn: from.length ? { namespaceId: from } : undefined,
  });
  const instance = (serviceId: string, from: string[] = []): Resource => ({
    type: "aws:servicediscovery/instance:Instance",
    name: "inst",
    props: { instanceId: "i-1", serviceId, attributes: { AWS_INSTANCE_IPV4: "203.0.113.9" } },
    dependsOn: from.length ? { serviceId: from } : undefined,
  });
  const group: Resource = { type: "aws:route53/resolverFirewallRuleGroup:ResolverFirewallRuleGroup", name: "fw", props: { name: "fw" } };
  const groupAssociation = (firewallRuleGroupId: string, from: string[] = []): Resource => ({
    type: "aws:route53/resolverFirewallRuleGroupAssociation:ResolverFirewallRuleGroupAssociation",
    name: "fw-vpc",
    props: { name: "fw-vpc", firewallRuleGroupId, vpcId: "vpc-1", priority: 101 },
    dependsOn: from.length ? { firewallRuleGroupId: from } : undefined,
  });

  it("passes a Cloud Map namespace, service and instance of the stack's own domain, and its own firewall rule group (the happy path)", async () => {
    const own = [namespace("apps.acme.example"), service("api"), instance(UNKNOWN, ["svc"]), group, groupAssociation(UNKNOWN, ["fw"])];
    expect(await rulesOf([vaultProvider, ...own])).not.toContain(RULE);
    // An HTTP namespace has no DNS: a service in it answers no lookup, whatever its name.
    const http = { ...namespace("dev.acme.internal", "httpNamespace:HttpNamespace") };
    expect(await rulesOf([vaultProvider, http, service("vault")])).not.toContain(RULE);
  }, 120_000);
  const CASES: Array<[string, Resource[]]> = [
    ["a private DNS namespace covering the Vault host", [namespace("acme.internal")]],
    ["a public DNS namespace covering the Vault host", [namespace("dev.acme.internal", "publicDnsNamespace:PublicDnsNamespace")]],
    ["a Cloud Map service in a namespace by an id the stack does not show", [service("api", [])]],
    ["an instance added to a service by id", [instance("srv-0123456789")]],
    ["a firewall rule group associated by id", [groupAssociation("rslvr-frg-0123456789")]],
    [
      "a Route 53 Profile associated with a VPC",
      [{ type: "aws:route53/profilesAssociation:ProfilesAssociation", name: "profile-vpc", props: { name: "p", profileId: "rp-1", resourceId: "vpc-1" } }],
    ],
  ];
  for (const [what, resources] of CASES)
    it(`refuses ${what} in a stack with agents, unless declared`, async () => {
      const last = resources[resources.length - 1]!;
      expect(await rulesOf([vaultProvider, ...resources])).toContain(RULE);
      expect(await rulesOf([vaultProvider, ...resources], declared(last))).not.toContain(RULE);
    }, 120_000);
  it("refuses a service whose namespace is the Vault host's domain, and a namespace for AWS endpoint names in any stack", async () => {
    expect(await rulesOf([vaultProvider, namespace("dev.acme.internal"), service("vault")], declared(namespace("dev.acme.internal")))).toContain(RULE);
    expect(await rulesOf([namespace("amazonaws.com")], {}, false)).toEqual([RULE]);
  }, 120_000);
});

describe("PrivateLink private DNS", () => {
  const endpoint = (serviceName: string, extra: Partial<Resource> = {}): Resource => ({
    type: "aws:ec2/vpcEndpoint:VpcEndpoint",
    name: "vpce",
    props: { vpcId: "vpc-1", serviceName, vpcEndpointType: "Interface", privateDnsEnabled: true, subnetIds: ["subnet-1"] },
    ...extra,
  });
  const endpointService = (privateDnsName: string): Resource => ({
    type: "aws:ec2/vpcEndpointService:VpcEndpointService",
    name: "svc",
    props: { acceptanceRequired: false, networkLoadBalancerArns: ["arn:aws:elasticloadbalancing:us-east-1:111122223333:loadbalancer/net/x/1"], privateDnsName },
  });
  it("passes an AWS service's endpoint, and one for this stack's endpoint service of its own name (the happy path)", async () => {
    const own = [
      endpoint("com.amazonaws.us-east-1.sts"),
      endpointService("api.acme.example"),
      { ...endpoint(UNKNOWN), name: "vpce-own", dependsOn: { serviceName: ["svc"] } },
    ];
    expect(await rulesOf([vaultProvider, ...own])).not.toContain(RULE);
  }, 120_000);
  it("refuses an endpoint with private DNS for a service the stack does not show, unless declared", async () => {
    const other = endpoint("com.partner.vpce.us-east-1.vpce-svc-0123456789");
    expect(await rulesOf([vaultProvider, other])).toContain(RULE);
    expect(await rulesOf([vaultProvider, other], declared(other))).not.toContain(RULE);
    expect(await rulesOf([vaultProvider, { ...other, props: { ...other.props, privateDnsEnabled: false } }])).not.toContain(RULE);
  }, 120_000);
  it("refuses an endpoint service whose private DNS name is the Vault host, unless declared", async () => {
    expect(await rulesOf([vaultProvider, endpointService("vault.dev.acme.internal")])).toContain(RULE);
    expect(await rulesOf([vaultProvider, endpointService("vault.dev.acme.internal")], declared(endpointService("vault.dev.acme.internal")))).not.toContain(
      RULE,
    );
  }, 120_000);
});
