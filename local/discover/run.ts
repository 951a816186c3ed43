/**
 * The main job: registers the snapshot's repositories and the subscribers through the admin API,
 * runs a sweep over all of them, waits until every workflow run has finished, runs the digest pass,
 * and summarises what happened.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { Client as WorkflowClient } from "@upstash/workflow";
import cliProgress from "cli-progress";
import { getRuntime } from "../../server/runtime.js";
import type { Subscriber } from "../../shared/domain/index.js";
import { matchesSubscriber, rankOpportunities } from "../../steps/scoring/index.js";
import { BUNDLED_SNAPSHOT_DIR } from "../github/index.js";
import type { LocalStack } from "../stack.js";
import { loadSubscribers, SAMPLE_SUBSCRIBERS_FILE } from "./subscribers.js";
import { type DiscoverSummary, statsDelta, toTopOpportunity } from "./summary.js";
import { waitForIdle } from "./wait.js";

export interface DiscoverOptions {
  /** Snapshot directory the stack's GitHub stand-in serves; its repositories are watched. */
  snapshotDir?: string;
  /** Subscribers file; default the sample subscribers. */
  subscribersFile?: string;
  /** Show a progress bar; otherwise one line per phase. */
  progress?: boolean;
  /** Top opportunities listed per subscriber. Default 3. */
  topPerSubscriber?: number;
  timeoutMs?: number;
}

export interface DiscoverResult {
  summary: DiscoverSummary;
  subscribers: Subscriber[];
}

const WATCH_CHUNK = 500;

/** Reads the `nameWithOwner` of every repository in a snapshot directory; throws naming a bad record. */
export async function readRepositoryNames(snapshotDir: string): Promise<string[]> {
  const file = join(snapshotDir, "repositories.json");
  const records = JSON.parse(await readFile(file, "utf8")) as { nameWithOwner?: unknown }[];
  return records.map((record, index) => {
    if (typeof record.nameWithOwner !== "string") {
      throw new Error(`${file}[${index}] has no nameWithOwner`);
    }
    return record.nameWithOwner;
  });
}

async function admin(stack: LocalStack, method: string, path: string, body?: unknown): Promise<unknown> {
  const env = stack.appEnv;
  const response = await fetch(`${env.APP_BASE_URL}/admin${path}`, {
    method,
    headers: { authorization: `Bearer ${env.ADMIN_TOKEN}`, "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`admin ${method} ${path} failed with ${response.status}: ${text}`);
  return text.length > 0 ? JSON.parse(text) : null;
}

export async function runDiscover(stack: LocalStack, options: DiscoverOptions = {}): Promise<DiscoverResult> {
  if (!stack.app) throw new Error("runDiscover needs a stack started with the app");
  const startedAt = Date.now();
  const runtime = getRuntime(stack.appEnv);
  const { stores } = runtime;
  const client = new WorkflowClient({ baseUrl: stack.appEnv.QSTASH_URL, token: stack.appEnv.QSTASH_TOKEN });
  const say = (line: string) => {
    if (!options.progress) console.log(line);
  };

  const subscribers = await loadSubscribers(
    options.subscribersFile ?? SAMPLE_SUBSCRIBERS_FILE,
    stack.sinks.url,
  );
  const repositories = await readRepositoryNames(options.snapshotDir ?? BUNDLED_SNAPSHOT_DIR);
  const statsBefore = await stores.stats.read();
  const trafficBefore = stack.app.qstashTraffic();

  for (const subscriber of subscribers) {
    const { id, ...body } = subscriber;
    await admin(stack, "PUT", `/subscribers/${id}`, body);
  }
  for (let start = 0; start < repositories.length; start += WATCH_CHUNK) {
    await admin(stack, "POST", "/repositories", {
      repositories: repositories.slice(start, start + WATCH_CHUNK),
    });
  }
  say(`Watching ${repositories.length} repositories for ${subscribers.length} subscribers; sweeping...`);

  const bar = options.progress
    ? new cliProgress.SingleBar(
        { format: "  {phase} [{bar}] {value}/{total} repositories | {runs} runs active", hideCursor: true },
        cliProgress.Presets.shades_classic,
      )
    : null;
  bar?.start(repositories.length, 0, { phase: "scan  ", runs: 0 });
  const onPoll = async (activeRuns: number) => {
    if (!bar) return;
    const scanned = statsDelta(statsBefore, await stores.stats.read())["repositories.scanned"] ?? 0;
    bar.update(Math.min(scanned, repositories.length), { runs: activeRuns });
  };

  // Only the snapshot's repositories: other repositories watched under the same prefix are not
  // part of this run, and the stand-in would report them as gone from GitHub.
  const appBaseUrl = stack.appEnv.APP_BASE_URL ?? "";
  await admin(stack, "POST", "/sweeps", { repositories });
  await waitForIdle(client, { appBaseUrl, onPoll, timeoutMs: options.timeoutMs });
  say("Scans, analyses and alerts finished; sending digests...");

  bar?.update({ phase: "digest", runs: 0 });
  await admin(stack, "POST", "/digests", { ignoreDigestHour: true });
  await waitForIdle(client, { appBaseUrl, onPoll, timeoutMs: options.timeoutMs });
  bar?.stop();

  const delta = statsDelta(statsBefore, await stores.stats.read());
  const trafficAfter = stack.app.qstashTraffic();
  const all = rankOpportunities(await stores.opportunities.list());
  const top = options.topPerSubscriber ?? 3;
  const topOpportunities: DiscoverSummary["topOpportunities"] = {};
  for (const subscriber of subscribers) {
    topOpportunities[subscriber.id] = all
      .filter((opportunity) => matchesSubscriber(opportunity, subscriber).matches)
      .slice(0, top)
      .map(toTopOpportunity);
  }

  const summary: DiscoverSummary = {
    repositoriesWatched: repositories.length,
    repositoriesScanned: delta["repositories.scanned"] ?? 0,
    issuesSeen: delta["issues.seen"] ?? 0,
    issuesChanged: delta["issues.changed"] ?? 0,
    candidates: delta.candidates ?? 0,
    analyses: {
      heuristic: delta["analyses.heuristic"] ?? 0,
      model: delta["analyses.model"] ?? 0,
      fallbacks: delta["analyses.fallback"] ?? 0,
    },
    opportunities: { ranked: delta["opportunities.ranked"] ?? 0, total: all.length },
    notifications: {
      webhook: delta["notifications.webhook"] ?? 0,
      email: delta["notifications.email"] ?? 0,
      slack: delta["notifications.slack"] ?? 0,
      failed: delta["notifications.failed"] ?? 0,
    },
    qstash: {
      messages: trafficAfter.messages - trafficBefore.messages,
      deliveries: trafficAfter.deliveries - trafficBefore.deliveries,
    },
    githubPoints: delta["github.points"] ?? 0,
    githubRequests: delta["github.requests"] ?? 0,
    modelTokens: { input: delta["model.tokens.input"] ?? 0, output: delta["model.tokens.output"] ?? 0 },
    wallTimeMs: Date.now() - startedAt,
    topOpportunities,
  };
  return { summary, subscribers };
}
