/**
 * Orchestration invokes foundation models and system inference profiles, or account-local models
 * (provisioned, custom, imported, application inference profiles) the platform declares in
 * platform.models: an account-local model runs whatever the account put in it. One property away
 * from a happy path each.
 */
import { describe, expect, it } from "vitest";
import { compileFleet } from "../../components/core/compile";
import { parseDeclaration, type PlatformInput } from "../../components/core/schema";
import { ALL_RULES, evaluatePlan } from "../../components/rules";
import { PLATFORM, TODAY, agent } from "../helpers/fixtures";

const ACCOUNT = PLATFORM.aws.accountId;
const PROVISIONED = `arn:aws:bedrock:us-east-1:${ACCOUNT}:provisioned-model/abcd1234efgh`;
const APP_PROFILE = `arn:aws:bedrock:us-east-1:${ACCOUNT}:application-inference-profile/a1b2c3d4e5f6`;
const SYSTEM_PROFILE = `arn:aws:bedrock:us-east-1:${ACCOUNT}:inference-profile/us.anthropic.claude-3-5-haiku-20241022-v1:0`;

const modelFindings = (model: string, platform: PlatformInput = PLATFORM) =>
  evaluatePlan(
    compileFleet(parseDeclaration({ platform, agents: [agent("a", { orchestration: { models: [model] } })] }), "t"),
    ALL_RULES,
    TODAY,
  ).violations.filter((v) => v.rule === "separation/orchestration-models-only");

describe("orchestration models and platform.models", () => {
  it("accepts a system inference profile without a declaration", () => {
    expect(modelFindings(SYSTEM_PROFILE)).toEqual([]);
  });

  for (const model of [PROVISIONED, APP_PROFILE]) {
    it(`accepts ${model.split(":")[5]!.split("/")[0]} when the platform declares it`, () => {
      expect(modelFindings(model, { ...PLATFORM, models: [model] })).toEqual([]);
    });

    it(`refuses ${model.split(":")[5]!.split("/")[0]} the platform does not declare, naming the fix`, () => {
      const found = modelFindings(model);
      expect(found).toHaveLength(1);
      expect(found[0]).toMatchObject({ agent: "a", identity: "orchestration" });
      expect(found[0].message).toMatch(/account-local model .* platform does not declare \(platform\.models\)/);
      expect(found[0].fix).toMatch(/declare this model under platform\.models/);
    });
  }

  it("refuses a platform.models entry that is a foundation model or in another account", () => {
    for (const model of [
      "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-5-haiku-20241022-v1:0",
      `arn:aws:bedrock:us-east-1:444455556666:provisioned-model/abcd1234efgh`,
      `arn:aws:bedrock:us-east-1:${ACCOUNT}:provisioned-model/*`,
    ])
      expect(() => parseDeclaration({ platform: { ...PLATFORM, models: [model] }, agents: [] }), model).toThrowError(/platform\.models\[0\]/);
  });
});
