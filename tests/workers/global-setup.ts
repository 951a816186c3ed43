/**
 * Global setup of the workerd suite. It runs in Node, outside workerd, because the local stand-ins are
 * Node servers. It starts them on 127.0.0.1 port 0.
 *
 * It also starts the app a second time under `wrangler dev` (wrangler's `unstable_startWorker`). The
 * local QStash server must reach the app over HTTP to deliver workflow steps, and the Worker inside the
 * test isolate (`exports.default`) has no address.
 * Both copies of the app get the same bindings, so both use one Redis key prefix and one QStash.
 *
 * `vitest.workers.config.ts` reads the bindings with `inject("workerBindings")` and hands them to the
 * test isolate's Worker. Tests read the URLs with `inject("localStack")`.
 */

import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import type { TestProject } from "vitest/node";
import { unstable_startWorker } from "wrangler";
import { startGitHubStandIn } from "../../local/github/index.js";
import { startRedisRestBridge } from "../../local/redis-rest/index.js";
import { startSinkServer } from "../../local/sinks/index.js";
import { deleteKeysWithPrefix, startTestQStash, TEST_REDIS_URL, uniqueKeyPrefix } from "../helpers/qstash.js";
import { findFreePort, WRANGLER_OFFLINE_ENV } from "../helpers/wrangler.js";

/**
 * The app's pinned clock. Scores and the staleness filter depend on issue age, and the bundled GitHub
 * snapshot's newest issues date from 2026, so the clock sits shortly after them.
 */
const SUITE_CLOCK = "2026-09-20T00:00:00Z";

function quietLogger(): pino.Logger {
  return pino({ level: process.env.LOG_LEVEL ?? "silent" });
}

declare module "vitest" {
  export interface ProvidedContext {
    /** Bindings of both copies of the app: the test isolate's Worker and the `wrangler dev` one. */
    workerBindings: Record<string, string>;
    localStack: {
      /** Base URL of the app under `wrangler dev`, which QStash delivers workflow steps to. */
      appUrl: string;
      qstashUrl: string;
      qstashToken: string;
      redisRestUrl: string;
      redisRestToken: string;
      sinksUrl: string;
      /** Prefix of every key the suite writes; global teardown deletes them. */
      keyPrefix: string;
    };
  }
}

type Closer = () => Promise<unknown>;

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  Object.assign(process.env, WRANGLER_OFFLINE_ENV);
  const keyPrefix = uniqueKeyPrefix("workers");
  const closers: Closer[] = [];
  const teardown = async (): Promise<void> => {
    for (const close of closers.reverse()) await close();
  };

  try {
    const qstash = await startTestQStash({ keyPrefix: `${keyPrefix}qstash:` }, "workers");
    closers.push(() => qstash.cleanup());
    const redisRest = await startRedisRestBridge({ redisUrl: TEST_REDIS_URL, logger: quietLogger() });
    closers.push(() => redisRest.close());
    // The app's own keys; the QStash helper deletes only its own prefix, so this removes the rest.
    closers.push(() => deleteKeysWithPrefix(qstash.redis, keyPrefix));
    const github = await startGitHubStandIn({ logger: quietLogger() });
    closers.push(() => github.close());
    const sinks = await startSinkServer({ logger: quietLogger() });
    closers.push(() => sinks.close());

    const appPort = await findFreePort();
    const appUrl = `http://127.0.0.1:${appPort}`;
    const bindings: Record<string, string> = {
      QSTASH_URL: qstash.url,
      QSTASH_TOKEN: qstash.token,
      QSTASH_CURRENT_SIGNING_KEY: qstash.currentSigningKey,
      QSTASH_NEXT_SIGNING_KEY: qstash.nextSigningKey,
      APP_BASE_URL: appUrl,
      UPSTASH_REDIS_REST_URL: redisRest.url,
      UPSTASH_REDIS_REST_TOKEN: redisRest.token,
      REDIS_KEY_PREFIX: `${keyPrefix}radar:`,
      GITHUB_GRAPHQL_URL: github.url,
      GITHUB_TOKEN: github.token,
      GITHUB_WEBHOOK_SECRET: "workers-suite-webhook-secret",
      ADMIN_TOKEN: "workers-suite-admin-token",
      ANALYSER: "heuristic",
      RESEND_BASE_URL: `${sinks.url}/resend`,
      RESEND_API_KEY: "re_workers_suite_key",
      CLOCK_FIXED_AT: SUITE_CLOCK,
      LOG_LEVEL: process.env.LOG_LEVEL === "debug" ? "debug" : "warn",
    };

    // wrangler (4.86, `getVarsForDev`) loads `.dev.vars` unless `envFiles` names at least one file, so
    // the suite names an empty one to keep a developer's `.dev.vars` out of the Worker's bindings.
    const envDirectory = await mkdtemp(join(tmpdir(), "radar-workers-suite-"));
    closers.push(() => rm(envDirectory, { recursive: true, force: true }));
    const emptyEnvFile = join(envDirectory, "empty.env");
    await writeFile(emptyEnvFile, "");

    const worker = await unstable_startWorker({
      config: "wrangler.toml",
      envFiles: [emptyEnvFile],
      bindings: Object.fromEntries(
        Object.entries(bindings).map(([name, value]) => [name, { type: "plain_text", value }]),
      ),
      dev: {
        server: { hostname: "127.0.0.1", port: appPort },
        inspector: false,
        watch: false,
        persist: false,
        logLevel: process.env.LOG_LEVEL === "debug" ? "debug" : "warn",
      },
    });
    closers.push(() => worker.dispose());
    await worker.ready;

    project.provide("workerBindings", bindings);
    project.provide("localStack", {
      appUrl,
      qstashUrl: qstash.url,
      qstashToken: qstash.token,
      redisRestUrl: redisRest.url,
      redisRestToken: redisRest.token,
      sinksUrl: sinks.url,
      keyPrefix,
    });
  } catch (error) {
    await teardown();
    throw error;
  }

  return teardown;
}
