/**
 * The whole pipeline over a small snapshot: sweep → scans → analyses → alerts, then the digest pass,
 * all through the local QStash server, the Redis REST bridge and the stand-ins. The clock is pinned,
 * so opportunities, scores and notifications are exact. A second run over unchanged data must
 * analyse nothing and notify no one.
 */
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DiscoverSummary, runDiscover } from "../../local/discover/index.js";
import type { SinkDelivery } from "../../local/sinks/index.js";
import { getRuntime } from "../../server/runtime.js";
import { RadarWebhookBodySchema } from "../../steps/delivery/index.js";
import { rankOpportunities } from "../../steps/scoring/index.js";
import { startTestStack, type TestStack } from "../helpers/stack.js";

const SNAPSHOT_DIR = fileURLToPath(new URL("../fixtures/e2e-snapshot", import.meta.url));
const SUBSCRIBERS_FILE = fileURLToPath(new URL("../fixtures/e2e-subscribers.json", import.meta.url));
const PINNED_CLOCK = "2026-12-04T12:00:00Z";

function issueRef(repository: string, number: number): string {
  return `${repository}#${number}`;
}

/** The issues a sink delivery carries, from its body in that channel's format. */
function issuesOf(delivery: SinkDelivery): string[] {
  if (delivery.channel === "webhook") {
    const body = RadarWebhookBodySchema.parse(JSON.parse(delivery.body));
    return body.opportunities.map((opportunity) => issueRef(opportunity.repository, opportunity.number));
  }
  const text =
    delivery.channel === "email" ? (JSON.parse(delivery.body) as { text: string }).text : delivery.body;
  return [...text.matchAll(/github\.com\/([\w.-]+\/[\w.-]+)\/issues\/(\d+)/g)]
    .map((match) => issueRef(match[1]!, Number(match[2])))
    .filter((ref, index, all) => all.indexOf(ref) === index);
}

describe("discovery pipeline end to end", () => {
  let stack: TestStack;
  let first: DiscoverSummary;
  let second: DiscoverSummary;
  let deliveriesAfterFirst: SinkDelivery[];

  beforeAll(async () => {
    stack = await startTestStack(
      "e2e",
      { GITHUB_SNAPSHOT_DIR: SNAPSHOT_DIR },
      { appEnv: { CLOCK_FIXED_AT: PINNED_CLOCK } },
    );
    const options = { snapshotDir: SNAPSHOT_DIR, subscribersFile: SUBSCRIBERS_FILE, timeoutMs: 60_000 };
    first = (await runDiscover(stack, options)).summary;
    deliveriesAfterFirst = await stack.sinks.deliveries();
    second = (await runDiscover(stack, options)).summary;
  }, 180_000);

  afterAll(async () => {
    await stack?.cleanup();
  });

  it("first run counts", () => {
    expect(first.repositoriesScanned).toBe(5);
    // A first scan reads open issues only: 7 of the 9. One of them is stale at the pinned clock.
    expect(first.issuesSeen).toBe(7);
    expect(first.candidates).toBe(6);
    expect(first.analyses).toEqual({ heuristic: 6, model: 0, fallbacks: 0 });
    expect(first.opportunities).toEqual({ ranked: 6, total: 6 });
    expect(first.notifications).toEqual({ webhook: 2, email: 3, slack: 3, failed: 0 });
    expect(first.githubRequests).toBeGreaterThan(0);
  });

  it("first run ranks exact opportunities", async () => {
    const { stores } = getRuntime(stack.appEnv);
    const ranked = rankOpportunities(await stores.opportunities.list()).map((opportunity) => [
      issueRef(opportunity.repository, opportunity.number),
      opportunity.score,
      opportunity.analysis.difficulty,
    ]);
    expect(ranked).toEqual([
      ["openpolicedata/openpolicedata#374", 57.5, 2],
      ["unhindered-ec/unhindered-ec#439", 49, 4],
      ["scikit-learn/scikit-learn#34972", 44.3, 4],
      // Equal score and update day: ranked by issue id.
      ["golang/go#81536", 41.7, 4],
      ["scikit-learn/scikit-learn#34967", 41.7, 4],
      ["nikunjsingh93/react-glass-keep#25", 38.4, 5],
    ]);
  });

  it("first run sends exact notifications", () => {
    const sent = deliveriesAfterFirst
      .map((delivery) => [delivery.channel, delivery.target, issuesOf(delivery).join(",")])
      .sort();
    expect(sent).toEqual(
      [
        // py-docs: Python only, alerts at 50+, so one alert and a digest of the other Python matches.
        ["webhook", "py-docs", "openpolicedata/openpolicedata#374"],
        ["webhook", "py-docs", "scikit-learn/scikit-learn#34972,scikit-learn/scikit-learn#34967"],
        // polyglot: alerts at 45+, daily cap 3, so two alerts and a digest of one on each channel.
        ["email", "polyglot@example.com", "openpolicedata/openpolicedata#374"],
        ["email", "polyglot@example.com", "unhindered-ec/unhindered-ec#439"],
        ["email", "polyglot@example.com", "scikit-learn/scikit-learn#34972"],
        ["slack", "T0POLY/radar", "openpolicedata/openpolicedata#374"],
        ["slack", "T0POLY/radar", "unhindered-ec/unhindered-ec#439"],
        ["slack", "T0POLY/radar", "scikit-learn/scikit-learn#34972"],
      ].sort(),
    );
  });

  it("webhook deliveries are signed", () => {
    for (const delivery of deliveriesAfterFirst.filter((entry) => entry.channel === "webhook")) {
      expect(delivery.headers["x-radar-signature-256"]).toMatch(/^sha256=[0-9a-f]{64}$/);
    }
  });

  it("second run changes nothing", async () => {
    expect(second.analyses).toEqual({ heuristic: 0, model: 0, fallbacks: 0 });
    expect(second.candidates).toBe(0);
    expect(second.opportunities.ranked).toBe(0);
    expect(second.notifications).toEqual({ webhook: 0, email: 0, slack: 0, failed: 0 });
    expect(await stack.sinks.deliveries()).toHaveLength(deliveriesAfterFirst.length);
  });

  it("second run costs one probe", () => {
    expect(second.githubRequests).toBe(1);
    expect(second.githubPoints).toBe(1);
  });
});
