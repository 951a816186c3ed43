/**
 * `npm run bench:qstash`: per-step overhead and step deliveries per second of the local QStash server
 * (`local/qstash/`) running Upstash Workflow runs, written to `bench/results/qstash-overhead.json`.
 *
 * Scenarios, each repeated for `--runs` runs:
 * - `sequential-10`: ten empty `context.run` steps, one run at a time. The overhead sample is the time
 *   between the bodies of two consecutive steps. That is one full step round trip. The app returns the
 *   step result, the server stores it and delivers the next request, and the SDK replays earlier steps.
 * - `fan-out-50`: fifty empty `context.run` steps under one `Promise.all`, one run at a time. The
 *   sample is the time from the trigger to each branch body, so it includes the planning delivery.
 * - `sequential-10-concurrent`: the ten-step workflow with `--concurrency` runs triggered at once, for
 *   throughput under load. Its samples are step gaps as in `sequential-10`.
 *
 * Steps do no work, so every millisecond measured is orchestration: HTTP, Redis and the SDK.
 * The server, the app and this driver share one Node process and the machine's Redis.
 */
import { writeFile } from "node:fs/promises";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { Client, type RouteFunction } from "@upstash/workflow";
import { serve } from "@upstash/workflow/hono";
import { Hono } from "hono";
import { Redis } from "ioredis";
import pino from "pino";
import { listen } from "../local/http/index.js";
import { startQStashServer } from "../local/qstash/index.js";
import { deleteKeysWithPrefix, randomKeyPrefix } from "./keys.js";
import { describeMachine, formatMachine } from "./machine.js";
import { type Distribution, distribution } from "./statistics.js";

const USAGE = `Usage: npm run bench:qstash -- [--runs N] [--concurrency N] [--out FILE]

  --runs N         runs per scenario (default 20)
  --concurrency N  runs triggered at once in sequential-10-concurrent (default 20)
  --out FILE       results file (default bench/results/qstash-overhead.json)`;

const SEQUENTIAL_STEPS = 10;
const FAN_OUT_BRANCHES = 50;
const RUN_HEADER = "upstash-workflow-runid";

/** Timestamps of one run in `performance.now()` milliseconds. The first record of each step wins. */
interface RunTrace {
  triggeredAt: number;
  stepStarts: Map<number, number>;
  deliveries: number;
  /** True once the workflow function returned. The delivery then still reports the run's end to the server. */
  returned: boolean;
  /** Time the app sent its response to the final delivery, after the SDK reported the run finished. */
  finishedAt?: number;
}

interface ScenarioResult {
  name: string;
  runs: number;
  concurrency: number;
  stepsPerRun: number;
  /** Requests the app received from the server, across all runs. */
  deliveries: number;
  deliveriesPerRun: number;
  wallMs: number;
  deliveriesPerSecond: number;
  stepsPerSecond: number;
  /** Description of one sample, as in the file header. */
  sample: string;
  overheadMs: Distribution;
}

const traces = new Map<string, RunTrace>();
const finishWaiters = new Map<string, () => void>();

function traceOf(runId: string): RunTrace {
  let trace = traces.get(runId);
  if (!trace) {
    trace = { triggeredAt: Number.NaN, stepStarts: new Map(), deliveries: 0, returned: false };
    traces.set(runId, trace);
  }
  return trace;
}

function markStep(runId: string, index: number): void {
  const starts = traceOf(runId).stepStarts;
  if (!starts.has(index)) starts.set(index, performance.now());
}

/** Runs after the last step has replayed, which happens only on the run's final delivery. */
function markReturned(runId: string): void {
  traceOf(runId).returned = true;
}

/** Records the run's end once the app has sent its response to the final delivery. */
function afterDelivery(runId: string): void {
  const trace = traceOf(runId);
  if (!trace.returned || trace.finishedAt !== undefined) return;
  trace.finishedAt = performance.now();
  finishWaiters.get(runId)?.();
}

function waitForFinish(runId: string, timeoutMs: number): Promise<void> {
  if (traceOf(runId).finishedAt !== undefined) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`workflow run ${runId} did not finish within ${timeoutMs} ms`)),
      timeoutMs,
    );
    finishWaiters.set(runId, () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

const sequential: RouteFunction<unknown, unknown> = async (context) => {
  for (let index = 0; index < SEQUENTIAL_STEPS; index += 1) {
    await context.run(`step-${index}`, () => {
      markStep(context.workflowRunId, index);
      return index;
    });
  }
  markReturned(context.workflowRunId);
};

const fanOut: RouteFunction<unknown, unknown> = async (context) => {
  await Promise.all(
    Array.from({ length: FAN_OUT_BRANCHES }, (_, index) =>
      context.run(`branch-${index}`, () => {
        markStep(context.workflowRunId, index);
        return index;
      }),
    ),
  );
  markReturned(context.workflowRunId);
};

async function runScenario(
  client: Client,
  url: string,
  options: { name: string; runs: number; concurrency: number; stepsPerRun: number; sample: string },
  samplesOf: (trace: RunTrace) => number[],
): Promise<ScenarioResult> {
  const runIds: string[] = [];
  const startedAt = performance.now();
  for (let done = 0; done < options.runs; done += options.concurrency) {
    const count = Math.min(options.concurrency, options.runs - done);
    const triggeredAt = performance.now();
    const triggered = await client.trigger(Array.from({ length: count }, () => ({ url, body: {} })));
    for (const { workflowRunId } of triggered) {
      traceOf(workflowRunId).triggeredAt = triggeredAt;
      runIds.push(workflowRunId);
    }
    await Promise.all(triggered.map(({ workflowRunId }) => waitForFinish(workflowRunId, 120_000)));
  }
  const wallMs = performance.now() - startedAt;

  const samples: number[] = [];
  let deliveries = 0;
  for (const runId of runIds) {
    const trace = traceOf(runId);
    deliveries += trace.deliveries;
    samples.push(...samplesOf(trace));
  }
  const steps = options.runs * options.stepsPerRun;
  return {
    ...options,
    deliveries,
    deliveriesPerRun: Math.round((deliveries / options.runs) * 10) / 10,
    wallMs: Math.round(wallMs),
    deliveriesPerSecond: Math.round((deliveries / wallMs) * 1000 * 10) / 10,
    stepsPerSecond: Math.round((steps / wallMs) * 1000 * 10) / 10,
    overheadMs: distribution(samples),
  };
}

function stepGaps(trace: RunTrace): number[] {
  const gaps: number[] = [];
  for (let index = 1; index < SEQUENTIAL_STEPS; index += 1) {
    const previous = trace.stepStarts.get(index - 1);
    const current = trace.stepStarts.get(index);
    if (previous === undefined || current === undefined) {
      throw new Error(`step ${index - 1} or ${index} of a run has no recorded start`);
    }
    gaps.push(current - previous);
  }
  return gaps;
}

function branchDelays(trace: RunTrace): number[] {
  if (trace.stepStarts.size !== FAN_OUT_BRANCHES) {
    throw new Error(`expected ${FAN_OUT_BRANCHES} branch starts, recorded ${trace.stepStarts.size}`);
  }
  return [...trace.stepStarts.values()].map((start) => start - trace.triggeredAt);
}

function positiveInteger(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1)
    throw new Error(`--${name} must be a positive integer, got ${value}`);
  return parsed;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      runs: { type: "string" },
      concurrency: { type: "string" },
      out: { type: "string", default: "bench/results/qstash-overhead.json" },
      help: { type: "boolean", default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const runs = positiveInteger("runs", values.runs, 20);
  const concurrency = positiveInteger("concurrency", values.concurrency, 20);

  const redisUrl = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
  const keyPrefix = randomKeyPrefix("bench:qstash");
  const qstash = await startQStashServer({ redisUrl, keyPrefix, logger: pino({ level: "warn" }) });
  const env = { QSTASH_URL: qstash.url, QSTASH_TOKEN: qstash.token };
  const app = new Hono();
  app.use("*", async (c, next) => {
    const runId = c.req.header(RUN_HEADER);
    if (runId) traceOf(runId).deliveries += 1;
    await next();
    if (runId) afterDelivery(runId);
  });
  app.post("/sequential", serve(sequential, { env }));
  app.post("/fan-out", serve(fanOut, { env }));
  const server = await listen(app);
  const client = new Client({ baseUrl: qstash.url, token: qstash.token });
  const machine = describeMachine();
  console.log(`Machine: ${formatMachine(machine)}`);

  const results: ScenarioResult[] = [];
  try {
    // One unrecorded run of each shape warms up the JIT, the Redis connections and the keep-alive pool.
    await runScenario(
      client,
      `${server.url}/sequential`,
      { name: "warm-up", runs: 2, concurrency: 1, stepsPerRun: SEQUENTIAL_STEPS, sample: "" },
      stepGaps,
    );
    await runScenario(
      client,
      `${server.url}/fan-out`,
      { name: "warm-up", runs: 1, concurrency: 1, stepsPerRun: FAN_OUT_BRANCHES, sample: "" },
      branchDelays,
    );

    const scenarios = [
      {
        path: "/sequential",
        options: {
          name: "sequential-10",
          runs,
          concurrency: 1,
          stepsPerRun: SEQUENTIAL_STEPS,
          sample: "time between the bodies of two consecutive steps of one run",
        },
        samplesOf: stepGaps,
      },
      {
        path: "/fan-out",
        options: {
          name: "fan-out-50",
          runs,
          concurrency: 1,
          stepsPerRun: FAN_OUT_BRANCHES,
          sample: "time from the trigger to the body of each parallel branch",
        },
        samplesOf: branchDelays,
      },
      {
        path: "/sequential",
        options: {
          name: "sequential-10-concurrent",
          runs,
          concurrency,
          stepsPerRun: SEQUENTIAL_STEPS,
          sample: `time between consecutive step bodies, ${concurrency} runs in flight`,
        },
        samplesOf: stepGaps,
      },
    ];
    for (const scenario of scenarios) {
      const result = await runScenario(
        client,
        `${server.url}${scenario.path}`,
        scenario.options,
        scenario.samplesOf,
      );
      results.push(result);
      console.log(
        `${result.name.padEnd(26)} median ${result.overheadMs.median} ms, p99 ${result.overheadMs.p99} ms, ` +
          `${result.deliveriesPerSecond} deliveries/s, ${result.deliveriesPerRun} deliveries per run`,
      );
    }
  } finally {
    await server.close();
    await qstash.close();
    const redis = new Redis(redisUrl);
    await deleteKeysWithPrefix(redis, keyPrefix);
    await redis.quit();
  }

  const report = {
    benchmark: "qstash-overhead",
    recordedAt: new Date().toISOString(),
    machine,
    scenarios: results,
  };
  await writeFile(values.out, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`Results written to ${values.out}`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exit(1);
});
