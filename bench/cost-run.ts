/**
 * One measured run of the cost benchmark. It starts a fresh local stack under its own Redis key prefix
 * and runs one design (the product pipeline or the naive one-run-per-issue design) over the synthetic
 * snapshot, then the digest pass. It returns the counters of every service the run used.
 */
import { Client as WorkflowClient } from "@upstash/workflow";
import { Redis } from "ioredis";
import { parseStackConfig } from "../local/config.js";
import { loadSubscribers, runDiscover, SAMPLE_SUBSCRIBERS_FILE } from "../local/discover/index.js";
import { waitForIdle } from "../local/discover/wait.js";
import { type LocalStack, startLocalStack } from "../local/stack.js";
import { getRuntime } from "../server/runtime.js";
import type { Stats } from "../shared/store/index.js";
import { deleteKeysWithPrefix, randomKeyPrefix } from "./keys.js";
import { NAIVE_WORKFLOW_IDS, startNaiveApp } from "./naive/index.js";
import type { SyntheticSnapshot } from "./snapshot.js";

export type Design = "product" | "naive";

export interface CostRunOptions {
  design: Design;
  snapshot: SyntheticSnapshot;
  analyser: "heuristic" | "model";
  timeoutMs: number;
}

/** Cost and work of one run. The work counts show whether both designs did the same work. */
export interface CostRunResult {
  design: Design;
  /** Distinct QStash messages delivered to the app(s) of the design. */
  qstashMessages: number;
  /** Deliveries to the app(s), retries included. */
  qstashDeliveries: number;
  githubPoints: number;
  githubRequests: number;
  modelRequests: number;
  modelTokens: { input: number; output: number; total: number };
  wallMs: number;
  work: {
    candidates: number;
    analyses: number;
    fallbacks: number;
    opportunitiesRanked: number;
    notificationsSent: number;
  };
}

function field(stats: Stats, name: keyof Stats): number {
  return stats[name] ?? 0;
}

async function admin(stack: LocalStack, method: string, path: string, body: unknown): Promise<void> {
  const env = stack.appEnv;
  const response = await fetch(`${env.APP_BASE_URL}/admin${path}`, {
    method,
    headers: { authorization: `Bearer ${env.ADMIN_TOKEN}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  if (!response.ok) {
    throw new Error(`admin ${method} ${path} failed with ${response.status}: ${await response.text()}`);
  }
}

/**
 * Runs the naive design the way `runDiscover` runs the product. It registers subscribers and
 * repositories through the admin API, starts one `naive-list` run per repository, waits until every
 * run has finished, then runs the product's digest pass.
 */
async function runNaive(
  stack: LocalStack,
  options: CostRunOptions,
): Promise<{ messages: number; deliveries: number }> {
  const naive = await startNaiveApp(stack.appEnv);
  try {
    const client = new WorkflowClient({ baseUrl: stack.appEnv.QSTASH_URL, token: stack.appEnv.QSTASH_TOKEN });
    const subscribers = await loadSubscribers(SAMPLE_SUBSCRIBERS_FILE, stack.sinks.url);
    for (const { id, ...body } of subscribers) await admin(stack, "PUT", `/subscribers/${id}`, body);
    await admin(stack, "POST", "/repositories", { repositories: options.snapshot.repositories });

    const startedAt = Date.now();
    await client.trigger(
      options.snapshot.repositories.map((repository) => ({
        url: naive.workflowUrl(NAIVE_WORKFLOW_IDS.list),
        body: { repository },
      })),
    );
    await waitForIdle(client, { sinceMs: startedAt, timeoutMs: options.timeoutMs });

    const digestStart = Date.now();
    await admin(stack, "POST", "/digests", { ignoreDigestHour: true });
    await waitForIdle(client, { sinceMs: digestStart, timeoutMs: options.timeoutMs });
    return naive.qstashTraffic();
  } finally {
    await naive.close();
  }
}

export async function runCostOnce(options: CostRunOptions): Promise<CostRunResult> {
  const keyPrefix = randomKeyPrefix("bench:cost");
  const config = parseStackConfig(process.env, {
    QSTASH_PORT: 0,
    REDIS_REST_PORT: 0,
    GITHUB_PORT: 0,
    MODEL_PORT: 0,
    SINKS_PORT: 0,
    APP_PORT: 0,
    LOCAL_KEY_PREFIX: keyPrefix,
    ANALYSER: options.analyser,
    GITHUB_SNAPSHOT_DIR: options.snapshot.dir,
    LOG_LEVEL: process.env.LOG_LEVEL === undefined ? "error" : undefined,
  });
  // No schedules: a cron sweep firing mid-run would add work to one design only.
  const stack = await startLocalStack(config, { syncSchedules: false });
  try {
    const { stores } = getRuntime(stack.appEnv);
    const statsBefore = await stores.stats.read();
    const started = Date.now();
    let naiveTraffic = { messages: 0, deliveries: 0 };
    if (options.design === "product") {
      await runDiscover(stack, {
        snapshotDir: options.snapshot.dir,
        progress: false,
        timeoutMs: options.timeoutMs,
      });
    } else {
      naiveTraffic = await runNaive(stack, options);
    }
    const wallMs = Date.now() - started;

    const stats = await stores.stats.read();
    const delta = (name: keyof Stats) => field(stats, name) - field(statsBefore, name);
    const productTraffic = stack.app?.qstashTraffic() ?? { messages: 0, deliveries: 0 };
    const github = stack.github.stats();
    const model = stack.model.stats();
    return {
      design: options.design,
      qstashMessages: productTraffic.messages + naiveTraffic.messages,
      qstashDeliveries: productTraffic.deliveries + naiveTraffic.deliveries,
      githubPoints: github.pointsSpent,
      githubRequests: github.requests,
      modelRequests: model.requests,
      modelTokens: { input: model.promptTokens, output: model.completionTokens, total: model.totalTokens },
      wallMs,
      work: {
        candidates: delta("candidates"),
        analyses: delta("analyses.model") + delta("analyses.heuristic"),
        fallbacks: delta("analyses.fallback"),
        opportunitiesRanked: delta("opportunities.ranked"),
        notificationsSent:
          delta("notifications.webhook") + delta("notifications.email") + delta("notifications.slack"),
      },
    };
  } finally {
    await stack.close();
    const redis = new Redis(config.REDIS_URL);
    await deleteKeysWithPrefix(redis, keyPrefix);
    await redis.quit();
  }
}
