/**
 * One chaos run: the discovery pipeline (watch, sweep, analyses, alerts) over a synthetic snapshot
 * with one scan run per repository, under a fault profile. Then the faults end, maintenance passes
 * re-drive the dead-lettered runs whose dependency recovered, the digests go out, and the report
 * follows.
 *
 * Reproducible from the seed: the fault settings and seeds of every phase, and the planned moments of
 * app kills and QStash restarts. Not reproducible: timing and interleaving, so which request draws
 * which fault, and which step a kill cuts, differ from run to run.
 */
import { rm } from "node:fs/promises";
import { Client as QStashClient } from "@upstash/qstash";
import { Client as WorkflowClient } from "@upstash/workflow";
import pino, { type Logger } from "pino";
import { getRuntime } from "../../server/runtime.js";
import { listBreakers } from "../../shared/reliability/index.js";
import { opsOf } from "../../steps/maintenance/index.js";
import { parseStackConfig } from "../config.js";
import { loadSubscribers, SAMPLE_SUBSCRIBERS_FILE } from "../discover/index.js";
import { countActiveRuns } from "../discover/wait.js";
import { deleteKeysWithPrefixAt } from "../redis-cleanup.js";
import { type DisruptionRecord, planDisruptions, runDisruptions } from "./disruptions.js";
import type { ChaosProfile } from "./profiles.js";
import { createChaosRandom } from "./random.js";
import {
  type ChaosReport,
  countDlqMessages,
  countRedrives,
  countRuns,
  countSideEffects,
  failuresByClass,
  listRuns,
} from "./report.js";
import { planFaultSchedule } from "./schedule.js";
import { writeSyntheticSnapshot } from "./snapshot.js";
import { type ChaosStack, startChaosStack } from "./stack.js";

export interface ChaosOptions {
  /** Scan runs to make: one synthetic repository each. */
  runs: number;
  seed: number;
  profile: ChaosProfile;
  /** Maximum wait for the pipeline to settle after the sweep and after the digests, in ms. Default 15 min. */
  settleTimeoutMs?: number;
  /** Keep the run's Redis keys instead of deleting them at the end. Default false. */
  keepState?: boolean;
  logger?: Logger;
}

/**
 * App bindings of a chaos run. Retry delays, breaker open time and the GitHub timeout are shortened,
 * and the scan flow control raised from 4 in flight and 60 per minute, so that a run of a few hundred
 * scans settles in minutes. The flow-control rate counts every step delivery of a scan, so the
 * defaults allow only about 12 scans a minute. The retry counts stay the product defaults.
 */
export const CHAOS_APP_ENV: Record<string, string> = {
  GITHUB_REPOSITORIES_PER_REQUEST: "1",
  GITHUB_SCAN_PARALLELISM: "16",
  GITHUB_SCAN_RATE_PER_MINUTE: "1200",
  GITHUB_TIMEOUT_MS: "1000",
  ANALYSER: "model",
  RETRY_POLICIES: JSON.stringify({
    scan: { initialDelayMs: 250, maxDelayMs: 4_000 },
    analyze: { initialDelayMs: 500, maxDelayMs: 5_000 },
    notify: { initialDelayMs: 250, maxDelayMs: 4_000 },
    sweep: { initialDelayMs: 250, maxDelayMs: 2_000 },
  }),
  BREAKER_OPEN_SECONDS: "3",
  BREAKER_WINDOW_SECONDS: "10",
};

/** Lease of a claimed QStash message: a delivery lost in a restart is retried after this long. */
const QSTASH_LEASE_MS = 5_000;
/** Maximum maintenance passes after the faults end; each re-drives what recovered since the last. */
const MAINTENANCE_PASSES = 3;
/** Attempts of an admin request while the app may be restarting. */
const ADMIN_ATTEMPTS = 20;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function admin(stack: ChaosStack, method: string, path: string, body?: unknown): Promise<unknown> {
  let lastError: unknown;
  for (let attempt = 1; attempt <= ADMIN_ATTEMPTS; attempt += 1) {
    let response: Response;
    try {
      response = await fetch(`${stack.app.url}/admin${path}`, {
        method,
        headers: { authorization: `Bearer ${stack.appEnv.ADMIN_TOKEN}`, "content-type": "application/json" },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    } catch (error) {
      // The app process may be down between a kill and its restart.
      lastError = error;
      await sleep(250);
      continue;
    }
    const text = await response.text();
    if (response.status >= 500) {
      lastError = new Error(`admin ${method} ${path} failed with ${response.status}: ${text}`);
      await sleep(250);
      continue;
    }
    if (!response.ok) throw new Error(`admin ${method} ${path} failed with ${response.status}: ${text}`);
    return text.length > 0 ? JSON.parse(text) : null;
  }
  throw new Error(`admin ${method} ${path} failed ${ADMIN_ATTEMPTS} times; last error: ${String(lastError)}`);
}

/**
 * Waits until no run created since `sinceMs` is active on two polls in a row. Poll errors (the QStash
 * server restarting) count as busy. Returns false when `timeoutMs` passed first.
 */
async function waitUntilSettled(
  stack: ChaosStack,
  sinceMs: number,
  timeoutMs: number,
  logger: Logger,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  let idlePolls = 0;
  let lastLogged = 0;
  while (idlePolls < 2) {
    if (Date.now() > deadline) return false;
    await sleep(500);
    let active: number;
    try {
      const client = new WorkflowClient({ baseUrl: stack.qstashUrl(), token: stack.appEnv.QSTASH_TOKEN });
      active = await countActiveRuns(client, sinceMs);
    } catch (error) {
      logger.warn({ err: error }, "chaos poll of active runs failed, polling again");
      active = -1;
    }
    if (Date.now() - lastLogged > 10_000) {
      logger.info({ activeRuns: active }, "chaos run waiting for the pipeline to settle");
      lastLogged = Date.now();
    }
    idlePolls = active === 0 ? idlePolls + 1 : 0;
  }
  return true;
}

/** Failure kinds the maintenance pass re-drives; the same set as `steps/maintenance/redrive.ts`. */
const REDRIVABLE_KINDS = new Set(["transient", "rate-limited", "circuit-open"]);

/** Counts dead-run records that a maintenance pass may still re-drive once their dependency recovers. */
async function countRedrivable(stack: ChaosStack): Promise<number> {
  const deadRuns = opsOf(getRuntime(stack.appEnv)).deadRuns;
  let count = 0;
  for (let offset = 0; ; offset += 200) {
    const ids = await deadRuns.listDeadRunIds(offset, 200);
    for (const id of ids) {
      const record = await deadRuns.get(id);
      if (record?.state === "dead" && record.dependency !== null && REDRIVABLE_KINDS.has(record.kind ?? "")) {
        count += 1;
      }
    }
    if (ids.length < 200) return count;
  }
}

/**
 * Starts maintenance passes (`POST /admin/maintenance`) while dead runs with a re-drivable failure
 * remain, at most `MAINTENANCE_PASSES`, each followed by a wait for the pipeline to settle. The pass
 * re-drives a run only when its dependency's breaker is closed and counts no failures in its window
 * (or changed state since the run died), so each pass first waits one breaker window. A breaker left
 * half-open closes only on an ordinary call, so a GitHub breaker that is not closed then gets one
 * probe scan of `probeRepository` first. Returns false when the pipeline did not settle.
 * NOTE: only GitHub gets a probe. Runs dead from the model or a sink wait while its breaker is
 * half-open, and the report counts them as dead-lettered.
 */
async function redriveDeadRuns(
  stack: ChaosStack,
  probeRepository: string,
  sweepStart: number,
  settleTimeoutMs: number,
  logger: Logger,
): Promise<boolean> {
  const runtime = getRuntime(stack.appEnv);
  const breakerWindowMs = Number(CHAOS_APP_ENV.BREAKER_WINDOW_SECONDS) * 1000;
  for (let pass = 1; pass <= MAINTENANCE_PASSES; pass += 1) {
    const redrivable = await countRedrivable(stack);
    if (redrivable === 0) break;
    logger.info({ pass, redrivable }, "chaos waiting one breaker window before a maintenance pass");
    await sleep(breakerWindowMs);

    const breakers = await listBreakers(runtime.redis, runtime.config.redis.keyPrefix);
    const github = breakers.find((breaker) => breaker.name === "github");
    if (github !== undefined && github.state !== "closed") {
      logger.info({ breaker: github.state, repository: probeRepository }, "chaos probe scan for GitHub");
      await admin(stack, "POST", "/scans", { repositories: [probeRepository] });
      if (!(await waitUntilSettled(stack, sweepStart, settleTimeoutMs, logger))) return false;
    }

    await admin(stack, "POST", "/maintenance", {});
    if (!(await waitUntilSettled(stack, sweepStart, settleTimeoutMs, logger))) return false;
  }
  return true;
}

/** Runs the pipeline under `options.profile` and returns the report. Throws when the stack cannot start. */
export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const startedAt = Date.now();
  const logger = options.logger ?? pino({ name: "chaos", level: "info" });
  const settleTimeoutMs = options.settleTimeoutMs ?? 15 * 60_000;
  const random = createChaosRandom(options.seed);
  const keyPrefix = `chaos:${options.seed}:${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}:`;

  const snapshot = await writeSyntheticSnapshot(options.runs);
  const config = parseStackConfig(process.env, {
    LOCAL_KEY_PREFIX: keyPrefix,
    GITHUB_SNAPSHOT_DIR: snapshot.dir,
    LOG_LEVEL: "warn",
  });
  const appEnv = { ...CHAOS_APP_ENV, LOG_LEVEL: process.env.CHAOS_APP_LOG_LEVEL ?? "error" };
  const stack = await startChaosStack(config, {
    appEnv,
    qstashLeaseMs: QSTASH_LEASE_MS,
    // The stand-ins log every request at info; only their warnings and errors matter here.
    logger: logger.child({}, { level: "warn" }),
  });
  const schedule = planFaultSchedule(stack, options.profile.schedule, random, logger);
  const disruptionPlan = planDisruptions(options.profile.disruptions, random);

  try {
    const stores = getRuntime(stack.appEnv).stores;
    const statsBefore = await stores.stats.read();
    const subscribers = await loadSubscribers(SAMPLE_SUBSCRIBERS_FILE, stack.sinks.url);
    for (const subscriber of subscribers) {
      const { id, ...body } = subscriber;
      await admin(stack, "PUT", `/subscribers/${id}`, body);
    }
    for (let start = 0; start < snapshot.repositories.length; start += 500) {
      await admin(stack, "POST", "/repositories", {
        repositories: snapshot.repositories.slice(start, start + 500),
      });
    }
    logger.info(
      { repositories: snapshot.repositories.length, issues: snapshot.issues, profile: options.profile.name },
      "chaos run sweeping",
    );

    const sweepStart = Date.now();
    schedule.start();
    const disruptions = runDisruptions(stack, disruptionPlan, sweepStart, logger);
    await admin(stack, "POST", "/sweeps", { all: true });
    const records: DisruptionRecord[] = await disruptions.done;
    let settled = await waitUntilSettled(stack, sweepStart, settleTimeoutMs, logger);

    // The faults end here, so the maintenance pass can find dependencies recovered and re-drive the
    // runs they dead-lettered before the digests and the report.
    schedule.end();
    const probeRepository = snapshot.repositories[0];
    if (settled && probeRepository !== undefined) {
      settled = await redriveDeadRuns(stack, probeRepository, sweepStart, settleTimeoutMs, logger);
    }

    if (settled) {
      logger.info("chaos run sending digests");
      await admin(stack, "POST", "/digests", { ignoreDigestHour: true });
      settled = await waitUntilSettled(stack, sweepStart, settleTimeoutMs, logger);
    }

    const workflowClient = new WorkflowClient({
      baseUrl: stack.qstashUrl(),
      token: stack.appEnv.QSTASH_TOKEN,
    });
    const qstashClient = new QStashClient({ baseUrl: stack.qstashUrl(), token: stack.appEnv.QSTASH_TOKEN });
    const runLogs = await listRuns(workflowClient, sweepStart);
    const runs = countRuns(runLogs);
    Object.assign(runs.counts, await countRedrives(opsOf(getRuntime(stack.appEnv)).deadRuns, runLogs));
    const statsAfter = await stores.stats.read();
    const traffic = stack.app.traffic();
    const modelStats = stack.model.stats();

    return {
      seed: options.seed,
      profile: options.profile.name,
      scansRequested: options.runs,
      repositoriesScanned:
        (statsAfter["repositories.scanned"] ?? 0) - (statsBefore["repositories.scanned"] ?? 0),
      runs: runs.counts,
      runsByWorkflow: runs.byWorkflow,
      lostRunIds: runs.lostRunIds,
      dlqMessages: await countDlqMessages(qstashClient),
      sideEffects: countSideEffects(await stack.sinks.attempts()),
      retries: {
        byClass: failuresByClass(statsBefore, statsAfter),
        qstashRedeliveries: traffic.retried,
        qstashDeliveries: traffic.deliveries,
        analysisFallbacks: (statsAfter["analyses.fallback"] ?? 0) - (statsBefore["analyses.fallback"] ?? 0),
      },
      faultsInjected: {
        github: stack.github.stats().outcomes,
        model: Object.fromEntries(
          Object.entries(modelStats.byOutcome).map(([key, value]) => [key, value ?? 0]),
        ),
      },
      disruptions: records,
      settled,
      wallTimeMs: Date.now() - startedAt,
    };
  } finally {
    schedule.stop();
    await stack.close();
    await rm(snapshot.dir, { recursive: true, force: true });
    if (!options.keepState) await deleteKeysWithPrefixAt(config.REDIS_URL, keyPrefix);
  }
}
