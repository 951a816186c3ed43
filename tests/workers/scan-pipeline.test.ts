/**
 * The whole pipeline inside workerd: an admin scan starts scan-repository on the `wrangler dev` copy
 * of the app. The local QStash server delivers every step there as a signed request. The scan invokes
 * analyze-issues, which invokes notify-subscribers, which sends a signed alert to the sink server.
 */
import { verify } from "@octokit/webhooks-methods";
import { beforeAll, describe, expect, it } from "vitest";
import { RadarWebhookBodySchema } from "../../steps/delivery/webhook.js";
import { waitFor } from "../helpers/wait-for.js";
import { adminRequest, stack, waitForFinishedRun } from "./app.js";

/** A snapshot repository (primary language Rust) with one open issue, recent under the pinned clock. */
const REPOSITORY = "xacrimon/tcvm";
const ISSUE_NUMBER = 66;
const SUBSCRIBER_ID = "workers-pipeline";
const CHANNEL_SECRET = "workers-pipeline-channel-secret";

interface SinkRecord {
  headers: Record<string, string>;
  body: string;
}

async function sinkDeliveries(target: string): Promise<SinkRecord[]> {
  const response = await fetch(`${stack.sinksUrl}/_sink/deliveries?channel=webhook&target=${target}`);
  if (!response.ok) throw new Error(`sink server returned HTTP ${response.status}`);
  const { deliveries } = (await response.json()) as { deliveries: SinkRecord[] };
  return deliveries;
}

beforeAll(async () => {
  // The subscriber is limited to Rust, so the TypeScript repository of the webhook tests never
  // reaches its channel even when both files run at once.
  const subscriber = await adminRequest(`/subscribers/${SUBSCRIBER_ID}`, {
    baseUrl: stack.appUrl,
    method: "PUT",
    body: JSON.stringify({
      name: "Workers pipeline test",
      languages: ["rust"],
      alertScore: 0,
      channels: [
        { type: "webhook", url: `${stack.sinksUrl}/webhooks/${SUBSCRIBER_ID}`, secret: CHANNEL_SECRET },
      ],
      timezone: "UTC",
    }),
  });
  expect(subscriber.status).toBe(200);

  const watch = await adminRequest("/repositories", {
    baseUrl: stack.appUrl,
    method: "POST",
    body: JSON.stringify({ repositories: [REPOSITORY] }),
  });
  expect(watch.status).toBe(201);
});

describe("scan pipeline in workerd", () => {
  it("workflow endpoint rejects unsigned request", async () => {
    const response = await fetch(`${stack.appUrl}/workflows/scan-repository`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ repositories: [REPOSITORY], reason: "unsigned" }),
    });

    expect(response.ok).toBe(false);
    expect(await response.text()).toContain("Upstash-Signature");
  });

  it("admin scan alerts matching subscriber", async () => {
    const started = await adminRequest("/scans", {
      baseUrl: stack.appUrl,
      method: "POST",
      body: JSON.stringify({ repositories: [REPOSITORY] }),
    });
    expect(started.status).toBe(202);
    const { workflowRunId } = (await started.json()) as { workflowRunId: string };

    const run = await waitForFinishedRun(workflowRunId);
    expect(run.workflowState).toBe("RUN_SUCCESS");
    expect(run.workflowUrl).toBe(`${stack.appUrl}/workflows/scan-repository`);
    const summary = JSON.parse(run.workflowRunResponse ?? "null") as {
      analysisRuns: number;
      failedAnalysisRuns: number;
      opportunities: number;
    };
    expect(summary.analysisRuns).toBe(1);
    expect(summary.failedAnalysisRuns).toBe(0);
    expect(summary.opportunities).toBe(1);

    // notify-subscribers runs on after analyze-issues returns, so the alert may arrive a little later.
    const [delivery, ...others] = await waitFor(
      async () => {
        const deliveries = await sinkDeliveries(SUBSCRIBER_ID);
        return deliveries.length > 0 && deliveries;
      },
      { timeoutMs: 60_000, intervalMs: 250, description: "an alert at the sink server" },
    );
    expect(others).toEqual([]);
    if (delivery === undefined) throw new Error("waitFor returned no delivery");

    const signature = delivery.headers["x-radar-signature-256"] ?? "";
    expect(await verify(CHANNEL_SECRET, delivery.body, signature)).toBe(true);
    const body = RadarWebhookBodySchema.parse(JSON.parse(delivery.body));
    expect(body.kind).toBe("alert");
    expect(body.subscriberId).toBe(SUBSCRIBER_ID);
    expect(body.opportunities.map((opportunity) => [opportunity.repository, opportunity.number])).toEqual([
      [REPOSITORY, ISSUE_NUMBER],
    ]);
    expect(delivery.headers["x-radar-delivery"]).toBe(body.id);

    const listed = await adminRequest("/opportunities?language=rust", { baseUrl: stack.appUrl });
    expect(listed.status).toBe(200);
    const { opportunities } = (await listed.json()) as {
      opportunities: Array<{ repository: string; number: number }>;
    };
    expect(opportunities.map((opportunity) => [opportunity.repository, opportunity.number])).toEqual([
      [REPOSITORY, ISSUE_NUMBER],
    ]);
  });
});
