/** Explicit providers passed through `opts.providers` reach every child resource. */
import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as vault from "@pulumi/vault";
import { beforeEach, describe, expect, it } from "vitest";
import { AgentFleet } from "../components";
import { PLATFORM, TODAY_DATE, agent } from "./helpers/fixtures";
import { installMocks, resources, settle } from "./helpers/pulumi-mocks";

beforeEach(() => installMocks("dev"));

describe("providers", () => {
  it("every AWS, Kubernetes and Vault resource uses the provider given to the fleet", async () => {
    const providers = {
      aws: new aws.Provider("aws-agents", { region: "us-east-1" }),
      kubernetes: new k8s.Provider("eks-agents", { kubeconfig: "{}" }),
      vault: new vault.Provider("vault-agents", { address: "https://vault.example.com", skipChildToken: true }),
    };
    new AgentFleet(
      "platform",
      {
        platform: PLATFORM,
        agents: [
          agent("alpha", {
            tools: [
              {
                name: "db",
                database: {
                  connection: "main",
                  creationStatements: [`CREATE ROLE "{{name}}" WITH LOGIN PASSWORD '{{password}}' VALID UNTIL '{{expiration}}'`],
                  revocationStatements: ['DROP ROLE IF EXISTS "{{name}}"'],
                  ttl: "5m",
                },
              },
            ],
          }),
        ],
        validationDate: TODAY_DATE,
      },
      { providers },
    );
    await settle();
    const children = resources().filter((r) => r.custom && !r.type.startsWith("pulumi:providers:"));
    expect(children.length).toBeGreaterThan(10);
    for (const child of children) {
      const pkg = child.type.split(":")[0];
      const expected = { aws: "aws-agents", kubernetes: "eks-agents", vault: "vault-agents" }[pkg];
      expect(child.provider, `${child.type} ${child.name}`).toContain(`::${expected}::`);
    }
  });
});
