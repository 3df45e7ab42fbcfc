/** Writes schema/declaration.schema.json from the zod schema. A test fails when it is stale. */
import { writeFileSync } from "node:fs";
import { renderStackFileJsonSchema } from "../components/core/json-schema";

writeFileSync("schema/declaration.schema.json", renderStackFileJsonSchema());
console.log("wrote schema/declaration.schema.json");
