/**
 * Concurrent duplicates through the whole stack: one GitHub webhook delivered 10 times at once, and
 * one notification step run by 10 concurrent attempts, each must produce exactly one side effect.
 */
import { randomUUID } from "node:crypto";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { sign } from "@octokit/webhooks-methods";
import { Client as WorkflowClient } from "@upstash/workflow";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listRuns } from "../../local/chaos/report.js";
import { runDiscover } from "../../local/discover/index.js";
import { waitForIdle } from "../../local/discover/wait.js";
import { getRuntime } from "../../server/runtime.js";
import { deliverPlanned } from "../../steps/notify-subscribers/index.js";
import { startTestStack, type TestStack } from "../helpers/stack.js";

const SNAPSHOT_DIR = fileURLToPath(new URL("../fixtures/e2e-snapshot", import.meta.url));
const SUBSCRIBERS_FILE = fileURLToPath(new URL("../fixtures/e2e-subscribers.json", import.meta.url));
const COPIES = 10;

interface WebhookDefinition {
  name: string;
  examples: Array<Record<string, unknown>>;
}
const definitions = createRequire(import.meta.url)("@octokit/webhooks-examples") as WebhookDefinition[];

/** The package's `issues.opened` example, pointed at one issue of the snapshot. */
function openedPayload(repository: string, number: number): string {
  const example = definitions
    .find((definition) => definition.name === "issues")
    ?.examples.find((candidate) => candidate.action === "opened");
  if (!example) throw new Error("no issues.opened example in @octokit/webhooks-examples");
  const payload = structuredClone(example) as {
    repository: { full_name: string; name: string; owner: { login: string } };
    issue: { number: number };
  };
  const [owner, name] = repository.split("/") as [string, string];
  payload.repository.full_name = repository;
  payload.repository.name = name;
  payload.repository.owner.login = owner;
  payload.issue.number = number;
  return JSON.stringify(payload);
}

describe("concurrent duplicate deliveries", () => {
  let stack: TestStack;
  let client: WorkflowClient;

  async function putSubscriber(id: string, hook: string): Promise<void> {
    const response = await fetch(`${stack.appEnv.APP_BASE_URL}/admin/subscribers/${id}`, {
      method: "PUT",
      headers: { authorization: `Bearer ${stack.appEnv.ADMIN_TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify({
        name: id,
        languages: ["python"],
        topics: [],
        labels: [],
        maxDifficulty: 10,
        minScore: 0,
        alertScore: 0,
        channels: [
          { type: "webhook", url: `${stack.sinks.url}/webhooks/${hook}`, secret: `${hook}-secret-0001` },
        ],
        timezone: "UTC",
        digestHour: 9,
        dailyCap: 100,
      }),
    });
    expect(response.ok, await response.text()).toBe(true);
  }

  beforeAll(async () => {
    stack = await startTestStack(
      "chaos-duplicates",
      { GITHUB_SNAPSHOT_DIR: SNAPSHOT_DIR },
      { appEnv: { CLOCK_FIXED_AT: "2026-12-04T12:00:00Z" } },
    );
    client = new WorkflowClient({ baseUrl: stack.appEnv.QSTASH_URL!, token: stack.appEnv.QSTASH_TOKEN! });
    await runDiscover(stack, {
      snapshotDir: SNAPSHOT_DIR,
      subscribersFile: SUBSCRIBERS_FILE,
      timeoutMs: 60_000,
    });
  }, 120_000);

  afterAll(async () => {
    await stack?.cleanup();
  });

  it("same webhook ten times", async () => {
    await putSubscriber("dup-webhook", "dup-webhook");
    stack.github.upsertIssue({
      repository: "scikit-learn/scikit-learn",
      number: 35100,
      title: "Add a runnable example to the DBSCAN docstring",
      body: "The DBSCAN docstring has no example. Add a short runnable example on a toy dataset that prints the labels, following the other docstrings, and check it with the doctest run.",
      labels: ["Documentation", "good first issue"],
      state: "OPEN",
      author: "user-0002",
    });
    const body = openedPayload("scikit-learn/scikit-learn", 35100);
    const headers = {
      "content-type": "application/json",
      "x-github-event": "issues",
      "x-github-delivery": randomUUID(),
      "x-hub-signature-256": await sign(stack.appEnv.GITHUB_WEBHOOK_SECRET!, body),
    };
    const startedAt = Date.now();

    const responses = await Promise.all(
      Array.from({ length: COPIES }, () =>
        fetch(`${stack.appEnv.APP_BASE_URL}/webhooks/github`, { method: "POST", headers, body }),
      ),
    );
    const statuses = responses.map((response) => response.status).sort();
    expect(statuses.filter((status) => status === 202)).toHaveLength(1);
    expect(statuses.filter((status) => status === 200)).toHaveLength(COPIES - 1);

    await waitForIdle(client, { sinceMs: startedAt, timeoutMs: 30_000 });
    const scans = (await listRuns(client, startedAt)).filter((run) =>
      run.workflowUrl.endsWith("/scan-repository"),
    );
    expect(scans).toHaveLength(1);
    const alerts = await stack.sinks.deliveries({ channel: "webhook", target: "dup-webhook" });
    const forIssue = alerts.filter((delivery) =>
      delivery.body.includes("scikit-learn/scikit-learn/issues/35100"),
    );
    expect(forIssue).toHaveLength(1);
  }, 60_000);

  it("same notify step ten times", async () => {
    await putSubscriber("dup-step", "dup-step");
    const runtime = getRuntime(stack.appEnv);
    const [opportunity] = await runtime.stores.opportunities.list();
    expect(opportunity).toBeDefined();
    const deliveryId = `dlv_test_${randomUUID()}`;
    const delivery = {
      deliveryId,
      kind: "alert" as const,
      subscriberId: "dup-step",
      channelIndex: 0,
      channel: "webhook" as const,
      issueIds: [opportunity!.issueId],
      localDay: "2026-12-04",
    };
    const dependencies = {
      redis: runtime.redis,
      stores: runtime.stores,
      keyPrefix: runtime.config.redis.keyPrefix,
      logger: runtime.logger,
      resend: { baseUrl: `${stack.sinks.url}/resend`, apiKey: "", from: "radar@example.com" },
      timeoutMs: 10_000,
      leaseSeconds: 120,
      doneTtlSeconds: 3_600,
    };

    // Ten concurrent attempts of one step, each with its own owner as separate QStash retries have.
    const outcomes = await Promise.all(
      Array.from({ length: COPIES }, (_, attempt) =>
        deliverPlanned(
          dependencies,
          delivery,
          `run-dup:${deliveryId}:${attempt}`,
          new Date("2026-12-04T12:00:00Z"),
        ),
      ),
    );

    const statuses = outcomes.map((outcome) => outcome.status);
    expect(statuses.filter((status) => status === "sent")).toHaveLength(1);
    expect(statuses.filter((status) => status === "busy" || status === "duplicate")).toHaveLength(COPIES - 1);
    const sent = await stack.sinks.deliveries({ channel: "webhook", target: "dup-step" });
    expect(sent.filter((attempt) => attempt.headers["x-radar-delivery"] === deliveryId)).toHaveLength(1);

    // A retry after the winner completed finds the finished record and sends nothing.
    const retry = await deliverPlanned(dependencies, delivery, `run-dup:${deliveryId}:retry`, new Date());
    expect(retry.status).toBe("duplicate");
    expect(await stack.sinks.deliveries({ channel: "webhook", target: "dup-step" })).toHaveLength(1);
  }, 60_000);
});
