import { defineConfig } from "vitest/config";

// Node-side tests: the local stack, steps and workflows driven through the local QStash server.
// Tests that must run inside workerd live in tests/workers/ and use vitest.workers.config.ts.
export default defineConfig({
  test: {
    include: ["tests/**/*.test.ts"],
    exclude: ["tests/workers/**", "node_modules/**"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Test files start their own servers on port 0 under their own Redis key prefix, so they can run
    // in parallel; two workers keep a 2-core machine responsive for the servers they start.
    maxWorkers: 2,
  },
});
