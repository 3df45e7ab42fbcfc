/**
 * The CloudTrail → IAM mapping data: the generated file is exactly what the generator makes from
 * its cited source, that source has iam-dataset's `aws/map.json` format at the cited commit, every
 * action it names is in the IAM service reference, and an API nobody maps is "no mapping".
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { serviceExists, lookupAction } from "../../components/core/iam-catalog";
import { MAPPING_SOURCE, mapEvent } from "../../components/narrow/action-mapping";
import { cloudTrailActions, EXCERPT, OUTPUT, SOURCE_COMMIT, type MapJson } from "../../scripts/generate-cloudtrail-actions";

const excerpt = JSON.parse(readFileSync(EXCERPT, "utf8")) as MapJson & { info: string };
const data = JSON.parse(readFileSync(OUTPUT, "utf8")) as { services: Record<string, string>; methods: Record<string, string[]> };

describe("CloudTrail → IAM mapping data", () => {
  it("is the generator's output for the cited source (regenerate with npx tsx scripts/generate-cloudtrail-actions.ts)", () => {
    expect(readFileSync(OUTPUT, "utf8")).toBe(cloudTrailActions(excerpt, SOURCE_COMMIT, true));
    expect(MAPPING_SOURCE).toEqual({
      repository: "iann0036/iam-dataset",
      path: "aws/map.json",
      commit: SOURCE_COMMIT,
      license: "MIT",
      input: "scripts/data/iam-dataset-map-excerpt.json",
    });
  });

  it("reads a source in map.json's format at that commit (schema 1.0.2)", () => {
    expect(excerpt.info).toContain(`iann0036/iam-dataset/blob/${SOURCE_COMMIT}/aws/map.json`);
    expect(excerpt.schema_version).toBe("1.0.2");
    for (const [key, variants] of Object.entries(excerpt.sdk_method_iam_mappings)) {
      expect(key).toMatch(/^[A-Za-z0-9]+\.[A-Za-z0-9]+$/);
      expect(variants.length).toBeGreaterThan(0);
      for (const variant of variants) expect(variant.action).toMatch(/^[a-z0-9-]+:[A-Za-z0-9]+$/);
    }
    for (const [source, prefix] of Object.entries(excerpt.cloudtrail_service_mappings)) {
      expect(source).toMatch(/^[a-z0-9.-]+\.amazonaws\.com$/);
      expect(prefix).toMatch(/^[a-z0-9-]+$/);
    }
  });

  it("names only IAM services and actions the IAM service reference has", () => {
    for (const prefix of Object.values(data.services)) expect(serviceExists(prefix), prefix).toBe(true);
    for (const actions of Object.values(data.methods)) for (const action of actions) expect(lookupAction(action)?.action, action).toBe(action);
  });

  it("an API neither the map nor the IAM reference names is no mapping, never service:eventName", () => {
    // s3:HeadObject and sqs:SendMessageBatch are no IAM actions; the map's HeadObject entry is not in the excerpt read here.
    expect(mapEvent("s3.amazonaws.com", "HeadObject")).toBeNull();
    expect(mapEvent("sqs.amazonaws.com", "SendMessageBatch")).toBeNull();
    expect(mapEvent("sqs.amazonaws.com", "sendMessage")).toBeNull();
    expect(mapEvent("s3.amazonaws.com", "ListObjectsV2")?.actions).toEqual(["s3:ListBucket"]);
  });
});
