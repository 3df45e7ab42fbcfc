import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["dist/**", "node_modules/**", "coverage/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-non-null-assertion": "off",
      "@typescript-eslint/no-require-imports": "off",
      // AGPL test oracles must never reach shipped code.
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: ["@cloud-copilot/iam-simulate", "@cloud-copilot/iam-policy", "@cloud-copilot/iam-expand", "@cloud-copilot/iam-utils"],
              message: "AGPL: test-only dependency",
            },
          ],
        },
      ],
    },
  },
  {
    files: ["test/**/*.ts", "bench/**/*.ts"],
    rules: { "no-restricted-imports": "off" },
  },
  {
    files: ["bin/**/*.js"],
    languageOptions: { globals: { require: "readonly", __dirname: "readonly", process: "readonly" }, sourceType: "commonjs" },
  },
);
