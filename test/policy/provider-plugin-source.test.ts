/**
 * stack/provider-endpoints: a provider whose plugin comes from a `pluginDownloadURL` runs a binary
 * the pack never read, with the deployer's credentials. Each case changes one property of a plain
 * provider: the download URL, on the provider itself or on the provider a resource is created through.
 */
import { describe, expect, it } from "vitest";
import { TODAY } from "../helpers/fixtures";
import { ruleIds, runPack, type Resource } from "../helpers/policy-args";

const RULE = "stack/provider-endpoints";
const aws: Resource = { type: "pulumi:providers:aws", name: "plain", props: { region: "us-east-1", version: "6.66.0" } };
const k8s: Resource = { type: "pulumi:providers:kubernetes", name: "plainK8s", props: { version: "4.18.0" } };
const bucket = (provider: Resource): Resource => ({ type: "aws:s3/bucketV2:BucketV2", name: "b", props: { bucket: "ci-scratch" }, provider });
const withUrl = (provider: Resource, url: unknown): Resource => ({ ...provider, props: { ...provider.props, pluginDownloadURL: url } });
const alone = async (...resources: Resource[]) => ruleIds(await runPack(resources, TODAY));

describe("a provider plugin from a download URL (stack/provider-endpoints)", () => {
  it("passes providers without a download URL, and with an empty one", async () => {
    expect(await alone(aws)).toEqual([]);
    expect(await alone(k8s)).toEqual([]);
    expect(await alone(withUrl(aws, ""))).toEqual([]);
  });

  it("refuses an AWS or Kubernetes provider whose plugin is fetched from a URL", async () => {
    expect(await alone(withUrl(aws, "https://evil.example.com/plugins"))).toEqual([RULE]);
    expect(await alone(withUrl(k8s, "https://evil.example.com/plugins"))).toEqual([RULE]);
  });

  it("refuses a resource created through such a provider", async () => {
    const reported = await runPack([bucket(withUrl(aws, "https://evil.example.com/plugins"))], TODAY);
    expect(ruleIds(reported)).toEqual([RULE]);
    expect(reported.map((r) => r.message).join("\n")).toContain("pluginDownloadURL");
  });
});
