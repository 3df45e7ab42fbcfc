/**
 * stack/vault-host-identity (policy/adapters/vault-host-identity.ts): who may answer as the Vault
 * host agents log in to. Happy path: the dev stack's components, a Vault provider naming
 * vault.dev.acme.internal, and certificates, a PKI role and routes for the stack's own application
 * host (app.acme.example). Each case changes one name (or adds one resource) and is refused unless
 * the security team declares the resource (kubernetesPlatformResources).
 */
import { beforeAll, describe, expect, it } from "vitest";
import { componentResources } from "../helpers/component-resources";
import { stackDeclaration } from "../helpers/fixtures";
import { isAwsEndpointName, presentsAs, roleAdmits } from "../../policy/adapters/vault-host-identity";
import { declaring, runPack, ruleIds, UNKNOWN, type Resource } from "../helpers/policy-args";

const RULE = "stack/vault-host-identity";
const VAULT = "vault.dev.acme.internal";
const APP = "app.acme.example";
const vaultProvider: Resource = { type: "pulumi:providers:vault", name: "vault", props: { address: `https://${VAULT}:8200` } };

const certificate = (dnsNames: unknown, extra: Record<string, unknown> = {}): Resource => ({
  type: "kubernetes:cert-manager.io/v1:Certificate",
  name: "cert",
  props: {
    metadata: { name: "cert", namespace: "web" },
    spec: { secretName: "cert-tls", dnsNames, issuerRef: { name: "platform-ca", kind: "ClusterIssuer" }, ...extra },
  },
});
const acm = (domainName: string, subjectAlternativeNames: string[] = []): Resource => ({
  type: "aws:acm/certificate:Certificate",
  name: "acm",
  props: { domainName, subjectAlternativeNames, validationMethod: "DNS" },
});
const pkiRole = (props: Record<string, unknown>): Resource => ({
  type: "vault:pkiSecret/secretBackendRole:SecretBackendRole",
  name: "pki-role",
  props: { backend: "pki", name: "web", allowedDomains: ["acme.example"], allowSubdomains: true, ...props },
});
const pkiCert = (commonName: string, altNames: string[] = []): Resource => ({
  type: "vault:pkiSecret/secretBackendCert:SecretBackendCert",
  name: "pki-cert",
  props: { backend: "pki", name: "web", commonName, altNames },
});
const ingress = (host: string): Resource => ({
  type: "kubernetes:networking.k8s.io/v1:Ingress",
  name: "web",
  props: {
    metadata: { name: "web", namespace: "web" },
    spec: { rules: [{ host, http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: "web", port: { number: 80 } } } }] } }] },
  },
});
const route = (hostnames: string[]): Resource => ({
  type: "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute",
  name: "route",
  props: { metadata: { name: "route", namespace: "web" }, spec: { hostnames, parentRefs: [{ name: "gw" }] } },
});
const serviceEntry = (hosts: string[]): Resource => ({
  type: "kubernetes:networking.istio.io/v1:ServiceEntry",
  name: "entry",
  props: {
    metadata: { name: "entry", namespace: "web" },
    spec: { hosts, location: "MESH_EXTERNAL", resolution: "STATIC", endpoints: [{ address: "203.0.113.9" }] },
  },
});
const annotated = (hostname: string): Resource => ({
  type: "kubernetes:core/v1:Service",
  name: "lb",
  props: {
    metadata: { name: "lb", namespace: "web", annotations: { "external-dns.alpha.kubernetes.io/hostname": hostname } },
    spec: { type: "ClusterIP", selector: { app: "web" }, ports: [{ port: 80 }] },
  },
});

/** Self-signed test certificates (openssl req -x509, P-256): SANs app.acme.example and the Vault host; app.acme.example only. */
const PEM_WITH_VAULT = `-----BEGIN CERTIFICATE-----
MIIBqDCCAU+gAwIBAgIUWFH31KyPzLQI2PNzWb+7/rsoiMEwCgYIKoZIzj0EAwIw
DjEMMAoGA1UEAwwDd2ViMB4XDTI2MTIwNzIwMjUzOVoXDTM2MTIwNDIwMjUzOVow
DjEMMAoGA1UEAwwDd2ViMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE7nHoFrTC
sD3DxVnk0P+2i7kOcAgyx++d3oYqi82B8yTCHjboP4HLu0hPirg+i53vAbF0yp74
P8eixb+8M7MALaOBijCBhzAdBgNVHQ4EFgQUgrw/gqw3TcyXqbwAgwVnWkvvB7ww
HwYDVR0jBBgwFoAUgrw/gqw3TcyXqbwAgwVnWkvvB7wwDwYDVR0TAQH/BAUwAwEB
/zA0BgNVHREELTArghBhcHAuYWNtZS5leGFtcGxlghd2YXVsdC5kZXYuYWNtZS5p
bnRlcm5hbDAKBggqhkjOPQQDAgNHADBEAiB2K7fsYI+iWFjkatcaOSDnB/N3YLH1
joI6mIe5RnSvmwIgZ8CECFLP31h+jtEsjSTOQJ/Txa1q8pwqazy84Fd+tTc=
-----END CERTIFICATE-----`;
const PEM_APP = `-----BEGIN CERTIFICATE-----
MIIBpzCCAU6gAwIBAgIUAdo+auuPRHZgp7o5zzm9pNpBzJcwCgYIKoZIzj0EAwIw
GzEZMBcGA1UEAwwQYXBwLmFjbWUuZXhhbXBsZTAeFw0yNjEyMDcyMDI1MzlaFw0z
NjEyMDQyMDI1MzlaMBsxGTAXBgNVBAMMEGFwcC5hY21lLmV4YW1wbGUwWTATBgcq
hkjOPQIBBggqhkjOPQMBBwNCAARetfh2edd6sKrcP9PPNLUPA2OVT6vuGDgKqFNZ
9wXG5rR5Aq4ZKYLjsdaIkuDYqezO/QloEUTiKNcWOV4zHCvfo3AwbjAdBgNVHQ4E
FgQUZ0SjQH2pFMAx/dbYoNJtwjnXwKgwHwYDVR0jBBgwFoAUZ0SjQH2pFMAx/dbY
oNJtwjnXwKgwDwYDVR0TAQH/BAUwAwEB/zAbBgNVHREEFDASghBhcHAuYWNtZS5l
eGFtcGxlMAoGCCqGSM49BAMCA0cAMEQCIFFEKQ0+PowMNmu67DETihx/1D3obOMB
qCDcyLkfspCMAiBUgkl4wK/8unqJyQamhC4quBf6ReLH0NpijrNDzhJdsQ==
-----END CERTIFICATE-----`;
const serverCertificate = (certificateBody: string): Resource => ({
  type: "aws:iam/serverCertificate:ServerCertificate",
  name: "server-cert",
  props: { name: "web", certificateBody, privateKey: "(secret)" },
});

let base: Resource[];
beforeAll(async () => {
  base = await componentResources(stackDeclaration("dev"));
}, 120_000);
const inClusterVault: Resource = { ...vaultProvider, name: "vault-in-cluster", props: { address: "https://vault.vault.svc:8200" } };
const rulesOf = async (extra: Resource[], config: object = {}, withBase = true) =>
  ruleIds(
    await runPack([...(withBase ? base : []), vaultProvider, ...(extra.some((r) => r.name === "svc") ? [inClusterVault] : []), ...extra], undefined, config),
  );

describe("certificates, PKI roles and name claims for the Vault host", () => {
  it("passes certificates, a PKI role and routes for the stack's own application host (the happy path)", async () => {
    const own = [
      certificate([APP]),
      acm(APP),
      pkiRole({}),
      pkiCert(APP),
      ingress(APP),
      route([APP]),
      serviceEntry(["api.partner.example"]),
      annotated(APP),
      serverCertificate(PEM_APP),
      // A wildcard one label above the Vault host does not present as it (one label per `*`).
      { ...certificate(["*.acme.internal"]), name: "wild" },
    ];
    expect(await rulesOf(own)).not.toContain(RULE);
  }, 120_000);

  const CASES: Array<[string, Resource]> = [
    ["a cert-manager Certificate for the Vault host", certificate([APP, VAULT])],
    ["a cert-manager Certificate for a wildcard covering the Vault host", certificate(["*.dev.acme.internal"])],
    ["a cert-manager Certificate naming the Vault host as its commonName", certificate([APP], { commonName: VAULT })],
    ["a cert-manager Certificate with dnsNames unknown at preview", certificate(UNKNOWN)],
    ["a cert-manager Certificate whose literalSubject's CN is the Vault host", certificate([APP], { literalSubject: `O=Acme,CN=${VAULT}` })],
    ["a cert-manager CA Certificate (isCA)", certificate([APP], { isCA: true })],
    [
      "a cert-manager CertificateRequest (names in its CSR)",
      {
        type: "kubernetes:cert-manager.io/v1:CertificateRequest",
        name: "csr",
        props: { metadata: { name: "csr", namespace: "web" }, spec: { request: "LS0t" } },
      },
    ],
    ["an ACM certificate for the Vault host", acm(APP, [VAULT])],
    ["an IAM server certificate whose body names the Vault host", serverCertificate(PEM_WITH_VAULT)],
    [
      "an ACM certificate imported with a body the pack cannot parse",
      { ...acm(APP), props: { certificateBody: "-----BEGIN CERTIFICATE-----\nnot a certificate\n-----END CERTIFICATE-----", privateKey: "(secret)" } },
    ],
    [
      "an ACM PCA certificate (names in its CSR)",
      {
        type: "aws:acmpca/certificate:Certificate",
        name: "pca",
        props: {
          certificateSigningRequest: "-----BEGIN CERTIFICATE REQUEST-----",
          certificateAuthorityArn: "arn:aws:acm-pca:us-east-1:111122223333:certificate-authority/1",
          signingAlgorithm: "SHA256WITHRSA",
          validity: { type: "DAYS", value: "30" },
        },
      },
    ],
    ["a Vault PKI certificate for the Vault host", pkiCert(VAULT)],
    [
      "a Vault PKI sign of a CSR",
      {
        type: "vault:pkiSecret/secretBackendSign:SecretBackendSign",
        name: "sign",
        props: { backend: "pki", name: "web", commonName: APP, csr: "-----BEGIN CERTIFICATE REQUEST-----" },
      },
    ],
    ["a PKI role allowing any name", pkiRole({ allowAnyName: true })],
    ["a PKI role with a glob admitting every name", pkiRole({ allowedDomains: ["*"], allowGlobDomains: true, allowSubdomains: false })],
    ["a PKI role admitting subdomains of the Vault host's parent", pkiRole({ allowedDomains: ["acme.internal"] })],
    ["a PKI role admitting the Vault host as a bare domain", pkiRole({ allowedDomains: [VAULT], allowSubdomains: false, allowBareDomains: true })],
    [
      "a PKI role with identity-templated domains",
      pkiRole({ allowedDomains: ["{{identity.entity.metadata.host}}"], allowedDomainsTemplate: true, allowBareDomains: true }),
    ],
    [
      "an intermediate CA signed without name constraints",
      {
        type: "vault:pkiSecret/secretBackendRootSignIntermediate:SecretBackendRootSignIntermediate",
        name: "int",
        props: { backend: "pki", csr: "-----BEGIN CERTIFICATE REQUEST-----", commonName: "Intermediate" },
      },
    ],
    [
      "a root CA generated with its key exported into state",
      { type: "vault:pkiSecret/secretBackendRootCert:SecretBackendRootCert", name: "root", props: { backend: "pki", type: "exported", commonName: "Root" } },
    ],
    [
      "a PKI key generated exported",
      { type: "vault:pkiSecret/secretBackendKey:SecretBackendKey", name: "key", props: { backend: "pki", type: "exported", keyType: "ec" } },
    ],
    [
      "a CA bundle imported with its key",
      {
        type: "vault:pkiSecret/secretBackendConfigCa:SecretBackendConfigCa",
        name: "ca",
        props: { backend: "pki", pemBundle: "-----BEGIN RSA PRIVATE KEY-----" },
      },
    ],
    ["an Ingress rule for the Vault host", ingress(VAULT)],
    [
      "an ExternalName Service whose in-cluster name is an in-cluster Vault host",
      {
        type: "kubernetes:core/v1:Service",
        name: "svc",
        props: { metadata: { name: "vault", namespace: "vault" }, spec: { type: "ExternalName", externalName: "evil.example.com" } },
      },
    ],
    ["an HTTPRoute hostname covering the Vault host", route([APP, "*.dev.acme.internal"])],
    ["an Istio ServiceEntry for the Vault host", serviceEntry([VAULT])],
    ["an external-dns hostname annotation naming the Vault host", annotated(`${APP},${VAULT}`)],
  ];
  for (const [what, resource] of CASES)
    it(`refuses ${what}, unless declared`, async () => {
      expect(await rulesOf([resource])).toContain(RULE);
      const unknownInputs = JSON.stringify(resource.props).includes(UNKNOWN);
      // Inputs unknown at preview have no digest to declare: such a resource stays refused at preview.
      if (unknownInputs) expect(await rulesOf([resource], declaring(resource))).toContain(RULE);
      else expect(await rulesOf([resource], declaring(resource))).not.toContain(RULE);
    }, 120_000);

  it("refuses a certificate or PKI role for AWS endpoint names in any stack, agents or not", async () => {
    expect(ruleIds(await runPack([acm("sts.us-east-1.amazonaws.com")]))).toEqual([RULE]);
    expect(ruleIds(await runPack([pkiRole({ allowedDomains: ["amazonaws.com"] })]))).toEqual([RULE]);
    // Without agents the Vault host's certificates are the platform's business.
    expect(ruleIds(await runPack([vaultProvider, pkiCert(VAULT)]))).toEqual([]);
  }, 120_000);

  it("refuses every certificate and host claim in a stack with agents when no Vault provider names the address", async () => {
    expect(ruleIds(await runPack([...base, certificate([APP])]))).toContain(RULE);
    expect(ruleIds(await runPack([...base, ingress(APP)]))).toContain(RULE);
    expect(ruleIds(await runPack([...base]))).not.toContain(RULE);
  }, 120_000);

  it("passes an intermediate CA whose name constraints exclude the Vault host, and a root CA whose key stays in Vault", async () => {
    const bounded: Resource = {
      type: "vault:pkiSecret/secretBackendRootSignIntermediate:SecretBackendRootSignIntermediate",
      name: "int",
      props: { backend: "pki", csr: "-----BEGIN CERTIFICATE REQUEST-----", commonName: "Intermediate", permittedDnsDomains: ["acme.example"] },
    };
    const internal: Resource = {
      type: "vault:pkiSecret/secretBackendRootCert:SecretBackendRootCert",
      name: "root",
      props: { backend: "pki", type: "internal", commonName: "Root" },
    };
    expect(await rulesOf([bounded, internal])).not.toContain(RULE);
    expect(await rulesOf([{ ...bounded, props: { ...bounded.props, permittedDnsDomains: ["acme.internal"] } }])).toContain(RULE);
  }, 120_000);
});

describe("name matching", () => {
  it("matches certificate names as TLS does: case, trailing dot, one label per wildcard", () => {
    expect(presentsAs("VAULT.dev.acme.internal.", VAULT)).toBe(true);
    expect(presentsAs("*.dev.acme.internal", VAULT)).toBe(true);
    expect(presentsAs("*.acme.internal", VAULT)).toBe(false);
    expect(presentsAs("dev.acme.internal", VAULT)).toBe(false);
    expect(isAwsEndpointName("*.us-east-1.amazonaws.com")).toBe(true);
    expect(isAwsEndpointName("amazonaws.com.evil.example")).toBe(false);
  });
  it("reads a PKI role as Vault does: bare, subdomain, glob, any name, IP SANs", () => {
    expect(roleAdmits({ allowedDomains: ["acme.internal"], allowSubdomains: true }, VAULT)).toBe(true);
    expect(roleAdmits({ allowedDomains: ["acme.internal"], allowBareDomains: true }, VAULT)).toBe(false);
    expect(roleAdmits({ allowedDomains: ["vault.*.acme.internal"], allowGlobDomains: true }, VAULT)).toBe(true);
    expect(roleAdmits({ allowedDomains: ["vault.*.acme.internal"] }, VAULT)).toBe(false);
    expect(roleAdmits({ allowedDomains: ["xacme.internal"], allowSubdomains: true }, "vault.acme.internal")).toBe(false);
    expect(roleAdmits({}, "10.0.0.5")).toBe(true);
    expect(roleAdmits({ allowIpSans: false }, "10.0.0.5")).toBe(false);
    expect(roleAdmits({ allowedDomains: ["acme.example,acme.internal"], allowSubdomains: true }, VAULT)).toBe(true);
  });
});
