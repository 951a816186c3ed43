/**
 * GitHub webhooks through the whole stack: a signed `issues` delivery starts a scan of that one issue
 * through the local QStash server, and its effect shows in the store and the sinks. Tampered,
 * unsigned and repeated deliveries start nothing.
 */
import { randomUUID } from "node:crypto";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { sign } from "@octokit/webhooks-methods";
import { Client as WorkflowClient } from "@upstash/workflow";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runDiscover } from "../../local/discover/index.js";
import { waitForIdle } from "../../local/discover/wait.js";
import { issueNodeId } from "../../local/github/index.js";
import { getRuntime } from "../../server/runtime.js";
import { startTestStack, type TestStack } from "../helpers/stack.js";

const SNAPSHOT_DIR = fileURLToPath(new URL("../fixtures/e2e-snapshot", import.meta.url));
const SUBSCRIBERS_FILE = fileURLToPath(new URL("../fixtures/e2e-subscribers.json", import.meta.url));

interface WebhookDefinition {
  name: string;
  examples: Array<Record<string, unknown>>;
}
const definitions = createRequire(import.meta.url)("@octokit/webhooks-examples") as WebhookDefinition[];

/**
 * A real `issues` example payload, pointed at one of the snapshot's issues. The package has no
 * `closed` example, so `closed` uses the `reopened` one with its action changed; both have this shape.
 */
function issuesPayload(action: string, repository: string, number: number): string {
  const exampleAction = action === "closed" ? "reopened" : action;
  const example = definitions
    .find((definition) => definition.name === "issues")
    ?.examples.find((candidate) => candidate.action === exampleAction);
  if (!example) throw new Error(`no issues.${exampleAction} example in @octokit/webhooks-examples`);
  const payload = structuredClone(example) as {
    action: string;
    repository: { full_name: string; name: string; owner: { login: string } };
    issue: { number: number };
  };
  payload.action = action;
  const [owner, name] = repository.split("/") as [string, string];
  payload.repository.full_name = repository;
  payload.repository.name = name;
  payload.repository.owner.login = owner;
  payload.issue.number = number;
  return JSON.stringify(payload);
}

describe("GitHub webhooks end to end", () => {
  let stack: TestStack;
  let client: WorkflowClient;

  async function deliver(body: string, headers: Record<string, string>): Promise<Response> {
    return fetch(`${stack.appEnv.APP_BASE_URL}/webhooks/github`, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body,
    });
  }

  async function signedHeaders(
    body: string,
    event: string,
    deliveryId: string,
  ): Promise<Record<string, string>> {
    return {
      "x-github-event": event,
      "x-github-delivery": deliveryId,
      "x-hub-signature-256": await sign(stack.appEnv.GITHUB_WEBHOOK_SECRET!, body),
    };
  }

  beforeAll(async () => {
    stack = await startTestStack(
      "webhook-e2e",
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

  it("closed issue leaves the ranking", async () => {
    const { stores } = getRuntime(stack.appEnv);
    const issueId = issueNodeId("openpolicedata/openpolicedata", 374);
    expect(await stores.opportunities.getMany([issueId])).toHaveLength(1);

    stack.github.upsertIssue({ repository: "openpolicedata/openpolicedata", number: 374, state: "CLOSED" });
    const body = issuesPayload("closed", "openpolicedata/openpolicedata", 374);
    const startedAt = Date.now();
    const response = await deliver(body, await signedHeaders(body, "issues", randomUUID()));
    expect(response.status).toBe(202);

    await waitForIdle(client, { sinceMs: startedAt, timeoutMs: 30_000 });
    expect((await stores.issues.get(issueId))?.state).toBe("CLOSED");
    expect(await stores.opportunities.getMany([issueId])).toHaveLength(0);
  }, 60_000);

  it("opened issue is analysed and alerted", async () => {
    const { stores } = getRuntime(stack.appEnv);
    stack.github.upsertIssue({
      repository: "scikit-learn/scikit-learn",
      number: 35000,
      title: "Add a runnable example to the KMeans docstring",
      body: "The KMeans docstring has no example. Add a short runnable example that fits on a toy dataset and prints the cluster centres, following the style of the other docstrings, and check it with the doctest run.",
      labels: ["Documentation", "good first issue"],
      state: "OPEN",
      author: "user-0001",
    });
    const before = await stack.sinks.deliveries();
    const body = issuesPayload("opened", "scikit-learn/scikit-learn", 35000);
    const startedAt = Date.now();
    const response = await deliver(body, await signedHeaders(body, "issues", randomUUID()));
    expect(response.status).toBe(202);

    await waitForIdle(client, { sinceMs: startedAt, timeoutMs: 30_000 });
    const [opportunity] = await stores.opportunities.getMany([
      issueNodeId("scikit-learn/scikit-learn", 35000),
    ]);
    expect(opportunity?.score).toBeGreaterThanOrEqual(50);
    // py-docs (Python, alerts at 50+) has room left under its daily cap; polyglot used all of its 3.
    const alerts = (await stack.sinks.deliveries()).slice(before.length);
    expect(alerts.map((delivery) => [delivery.channel, delivery.target])).toEqual([["webhook", "py-docs"]]);
    expect(alerts[0]?.body).toContain("scikit-learn/scikit-learn/issues/35000");
  }, 60_000);

  it("repeated delivery starts nothing", async () => {
    const body = issuesPayload("edited", "golang/go", 81536);
    const headers = await signedHeaders(body, "issues", randomUUID());
    expect((await deliver(body, headers)).status).toBe(202);
    const repeated = await deliver(body, headers);
    expect(repeated.status).toBe(200);
    expect(await repeated.json()).toMatchObject({ duplicate: true });
  });

  it("tampered body gets 401", async () => {
    const body = issuesPayload("edited", "golang/go", 81536);
    const headers = await signedHeaders(body, "issues", randomUUID());
    const response = await deliver(body.replace("81536", "81537"), headers);
    expect(response.status).toBe(401);
  });

  it("missing signature gets 401", async () => {
    const body = issuesPayload("edited", "golang/go", 81536);
    const response = await deliver(body, { "x-github-event": "issues", "x-github-delivery": randomUUID() });
    expect(response.status).toBe(401);
  });
});
