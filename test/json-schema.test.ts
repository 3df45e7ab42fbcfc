/** The generated JSON Schema is current, and an independent validator (ajv) agrees with zod. */
import Ajv2020 from "ajv/dist/2020";
import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { renderStackFileJsonSchema } from "../components/core/json-schema";

const committed = readFileSync("schema/declaration.schema.json", "utf8");

describe("declaration JSON Schema", () => {
  it("is up to date with the zod schema (run `npm run schema` when this fails)", () => {
    expect(committed).toBe(renderStackFileJsonSchema());
  });

  const validate = new Ajv2020({ strict: false, allErrors: true }).compile(JSON.parse(committed));

  it("accepts the repo's stack files", () => {
    for (const stack of ["dev", "prod"]) {
      const ok = validate(parse(readFileSync(`stacks/Pulumi.${stack}.yaml`, "utf8")));
      expect(validate.errors ?? [], stack).toEqual([]);
      expect(ok).toBe(true);
    }
  });

  it("rejects an unknown field and a bad tier, as zod does", () => {
    const dev = parse(readFileSync("stacks/Pulumi.dev.yaml", "utf8"));
    dev.config["agent-identity:agents"][0].tier = "root";
    expect(validate(dev)).toBe(false);
    const dev2 = parse(readFileSync("stacks/Pulumi.dev.yaml", "utf8"));
    dev2.config["agent-identity:agents"][0].superpowers = true;
    expect(validate(dev2)).toBe(false);
  });
});
