/**
 * `npm run bench:cost`: cost per 1,000 issues of the product pipeline against a naive design that
 * starts one workflow run per issue and fetches each issue with its own GraphQL request
 * (`bench/naive/`). Writes `bench/results/cost-per-1000.json`.
 *
 * Each run starts a fresh local stack with the synthetic snapshot: `--issues` open, recent issues over
 * `--repositories` repositories, every one a fresh candidate. It runs one design and the digest pass.
 * Then it reads QStash messages delivered to the design's apps, GitHub points and requests from the
 * GitHub stand-in, model tokens from the model stand-in (its token counts are estimates), and wall
 * time. The designs alternate, `--repeats` runs each, and the report gives medians scaled to 1,000
 * issues and the naive/product ratio of each median.
 */
import { rm, writeFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { type CostRunResult, type Design, runCostOnce } from "./cost-run.js";
import { describeMachine, formatMachine } from "./machine.js";
import { writeSyntheticSnapshot } from "./snapshot.js";
import { medianOf } from "./statistics.js";

const USAGE = `Usage: npm run bench:cost -- [--issues N] [--repositories N] [--repeats N] [--analyser model|heuristic] [--out FILE]

  --issues N        open issues in the synthetic snapshot (default 1000)
  --repositories N  repositories they are spread over (default 50)
  --repeats N       runs per design, alternating designs (default 3)
  --analyser NAME   model (default; the local OpenAI-compatible stand-in) or heuristic
  --timeout-min N   minutes one run may take before it fails (default 30)
  --out FILE        results file (default bench/results/cost-per-1000.json)`;

const METRICS = [
  "qstashMessages",
  "qstashDeliveries",
  "githubPoints",
  "githubRequests",
  "modelRequests",
  "modelTokens",
  "wallMs",
] as const;
type Metric = (typeof METRICS)[number];

function metricOf(run: CostRunResult, metric: Metric): number {
  return metric === "modelTokens" ? run.modelTokens.total : run[metric];
}

function positiveInteger(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1)
    throw new Error(`--${name} must be a positive integer, got ${value}`);
  return parsed;
}

/** Medians of each metric over one design's runs, scaled from `issues` to 1,000 issues. */
function mediansPer1000(runs: CostRunResult[], issues: number): Record<Metric, number> {
  const scale = 1000 / issues;
  const medians = {} as Record<Metric, number>;
  for (const metric of METRICS) medians[metric] = medianOf(runs.map((run) => metricOf(run, metric) * scale));
  return medians;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      issues: { type: "string" },
      repositories: { type: "string" },
      repeats: { type: "string" },
      analyser: { type: "string", default: "model" },
      "timeout-min": { type: "string" },
      out: { type: "string", default: "bench/results/cost-per-1000.json" },
      help: { type: "boolean", default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const issues = positiveInteger("issues", values.issues, 1000);
  const repositories = positiveInteger("repositories", values.repositories, 50);
  const repeats = positiveInteger("repeats", values.repeats, 3);
  const timeoutMs = positiveInteger("timeout-min", values["timeout-min"], 30) * 60_000;
  const analyser = values.analyser;
  if (analyser !== "model" && analyser !== "heuristic") {
    throw new Error(`--analyser must be model or heuristic, got ${analyser}`);
  }

  const machine = describeMachine();
  console.log(`Machine: ${formatMachine(machine)}`);
  const snapshot = await writeSyntheticSnapshot({ issues, repositories, now: new Date() });
  console.log(
    `Snapshot: ${snapshot.issues} issues over ${snapshot.repositories.length} repositories in ${snapshot.dir}`,
  );

  const runs: CostRunResult[] = [];
  try {
    for (let repeat = 1; repeat <= repeats; repeat += 1) {
      for (const design of ["product", "naive"] as Design[]) {
        const run = await runCostOnce({ design, snapshot, analyser, timeoutMs });
        runs.push(run);
        console.log(
          `${design.padEnd(7)} run ${repeat}: ${run.qstashMessages} messages, ${run.githubPoints} GitHub points ` +
            `(${run.githubRequests} requests), ${run.modelTokens.total} model tokens, ${(run.wallMs / 1000).toFixed(1)} s; ` +
            `${run.work.analyses} analyses, ${run.work.notificationsSent} notifications`,
        );
      }
    }
  } finally {
    await rm(snapshot.dir, { recursive: true, force: true });
  }

  const product = mediansPer1000(
    runs.filter((run) => run.design === "product"),
    issues,
  );
  const naive = mediansPer1000(
    runs.filter((run) => run.design === "naive"),
    issues,
  );
  const ratios = {} as Record<Metric, number | null>;
  for (const metric of METRICS) {
    ratios[metric] = product[metric] === 0 ? null : Math.round((naive[metric] / product[metric]) * 100) / 100;
  }
  for (const metric of METRICS) {
    console.log(
      `${metric.padEnd(17)} product ${product[metric]}, naive ${naive[metric]}, naive/product ${ratios[metric]}`,
    );
  }

  const report = {
    benchmark: "cost-per-1000",
    recordedAt: new Date().toISOString(),
    machine,
    settings: { issues, repositories, repeats, analyser },
    mediansPer1000Issues: { product, naive },
    ratiosNaiveToProduct: ratios,
    runs,
  };
  await writeFile(values.out, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`Results written to ${values.out}`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exit(1);
});
