import { cloudflareTest } from "@cloudflare/vitest-pool-workers";
import { defineConfig } from "vitest/config";
import { unstable_readConfig } from "wrangler";

// The Worker's runtime settings come from wrangler.toml. The pool is not given the config path,
// because with it the pool would also load a developer's `.dev.vars` into the Worker's bindings.
const wranglerConfig = unstable_readConfig({ config: "wrangler.toml" }, { hideWarnings: true });

// Tests that run inside workerd, the Cloudflare Workers runtime.
//
// The global setup belongs to the root project, so it runs in Node with Node's module resolution: the
// cloudflareTest plugin switches its own project to workerd's resolution, under which the Node
// stand-ins (ioredis, node:http) do not load. The setup starts the stand-ins and a `wrangler dev` copy
// of the app, then provides their bindings; the workerd project reads them with `inject`.
export default defineConfig({
  test: {
    globalSetup: ["tests/workers/global-setup.ts"],
    projects: [
      {
        plugins: [
          cloudflareTest(({ inject }) => ({
            main: "./server/worker.ts",
            miniflare: {
              compatibilityDate: wranglerConfig.compatibility_date,
              compatibilityFlags: wranglerConfig.compatibility_flags,
              bindings: { ...wranglerConfig.vars, ...inject("workerBindings") },
            },
          })),
        ],
        test: {
          name: "workers",
          include: ["tests/workers/**/*.test.ts"],
          // The first request loads the whole app into the isolate, and the end-to-end test waits for
          // three chained workflow runs; neither is a speed assertion.
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
