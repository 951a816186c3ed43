/**
 * A failing notification target holds up only its own deliveries: the other channels of the same
 * notify run are delivered while it fails, and its own deliveries go out once it recovers.
 */
import { fileURLToPath } from "node:url";
import { Client as WorkflowClient } from "@upstash/workflow";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readRepositoryNames, waitForIdle } from "../../local/discover/index.js";
import { startTestStack, type TestStack } from "../helpers/stack.js";
import { waitFor } from "../helpers/wait-for.js";

const SNAPSHOT_DIR = fileURLToPath(new URL("../fixtures/e2e-snapshot", import.meta.url));

describe("notify isolation", () => {
  let stack: TestStack;

  async function admin(method: string, path: string, body: unknown): Promise<Response> {
    const response = await fetch(`${stack.appEnv.APP_BASE_URL}/admin${path}`, {
      method,
      headers: { authorization: `Bearer ${stack.appEnv.ADMIN_TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    expect(response.ok).toBe(true);
    return response;
  }

  beforeAll(async () => {
    stack = await startTestStack(
      "notify-isolation",
      { GITHUB_SNAPSHOT_DIR: SNAPSHOT_DIR },
      {
        appEnv: {
          CLOCK_FIXED_AT: "2026-12-04T12:00:00Z",
          RETRY_POLICIES: JSON.stringify({ notify: { retries: 8, initialDelayMs: 200, maxDelayMs: 1000 } }),
        },
      },
    );
  });

  afterAll(async () => {
    await stack?.cleanup();
  });

  it("failing webhook does not block others", async () => {
    await admin("PUT", "/subscribers/all-channels", {
      name: "All channels",
      alertScore: 45,
      dailyCap: 10,
      timezone: "UTC",
      digestHour: 23,
      channels: [
        { type: "webhook", url: `${stack.sinks.url}/webhooks/all`, secret: "all-channels-secret-16" },
        { type: "email", to: "all@example.com" },
        { type: "slack", webhookUrl: `${stack.sinks.url}/slack/T0ALL/radar` },
      ],
    });
    stack.sinks.setFaults({ status: 500, rate: 1, channel: "webhook" });
    const repositories = await readRepositoryNames(SNAPSHOT_DIR);
    await admin("POST", "/repositories", { repositories });
    await admin("POST", "/sweeps", { repositories });

    // Two alerts (scores 57.5 and 49) on email and Slack arrive while every webhook attempt fails.
    await waitFor(async () => (await stack.sinks.deliveries({ channel: "slack" })).length === 2, {
      timeoutMs: 30_000,
      description: "two Slack alerts",
    });
    expect(await stack.sinks.deliveries({ channel: "email" })).toHaveLength(2);
    expect(await stack.sinks.deliveries({ channel: "webhook" })).toHaveLength(0);
    expect((await stack.sinks.attempts({ channel: "webhook" })).length).toBeGreaterThan(0);

    stack.sinks.setFaults(null);
    const client = new WorkflowClient({
      baseUrl: stack.appEnv.QSTASH_URL!,
      token: stack.appEnv.QSTASH_TOKEN!,
    });
    await waitForIdle(client, { appBaseUrl: stack.appEnv.APP_BASE_URL!, timeoutMs: 60_000 });
    expect(await stack.sinks.deliveries({ channel: "webhook" })).toHaveLength(2);
    expect(await stack.sinks.deliveries({ channel: "slack" })).toHaveLength(2);
  }, 120_000);
});
