import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Pulumi's mock runtime is process-global state: one test file per worker, files in isolation.
    pool: "forks",
    isolate: true,
    testTimeout: 60_000,
    reporters: ["default"],
  },
});
