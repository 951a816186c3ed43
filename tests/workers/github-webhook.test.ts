/**
 * `POST /webhooks/github` inside workerd: a real `issues.opened` example payload from
 * `@octokit/webhooks-examples`, signed with the `GITHUB_WEBHOOK_SECRET` binding, starts a scan
 * workflow in the local QStash, and QStash runs it on the `wrangler dev` copy of the app.
 */

import { exports } from "cloudflare:workers";
import webhookDefinitions, { type WebhookDefinition } from "@octokit/webhooks-examples";
import { sign } from "@octokit/webhooks-methods";
import { beforeAll, describe, expect, it } from "vitest";
import { adminRequest, findRun, requireBinding, stack, waitForFinishedRun } from "./app.js";

/** A snapshot repository whose one open issue the GitHub stand-in serves. */
const REPOSITORY = "rawveg/ollama-mcp";
const ISSUE_NUMBER = 26;

/** The `issues.opened` example, pointed at a repository and issue that the GitHub stand-in serves. */
function issueOpenedPayload(): string {
  const definition = webhookDefinitions.find(
    (candidate): candidate is WebhookDefinition<"issues"> => candidate.name === "issues",
  );
  const example = definition?.examples.find((candidate) => candidate.action === "opened");
  if (example === undefined) throw new Error("@octokit/webhooks-examples has no issues.opened example");
  const payload = structuredClone(example);
  const [owner = "", name = ""] = REPOSITORY.split("/");
  payload.repository.full_name = REPOSITORY;
  payload.repository.name = name;
  payload.repository.owner.login = owner;
  payload.issue.number = ISSUE_NUMBER;
  return JSON.stringify(payload);
}

/**
 * Run id of the scan a delivery starts: the launcher passes `webhook-{deliveryId}`, and the workflow
 * SDK prefixes every run id it is given with `wfr_`.
 */
function webhookRunId(deliveryId: string): string {
  return `wfr_webhook-${deliveryId}`;
}

async function deliver(body: string, deliveryId: string, signature: string): Promise<Response> {
  return exports.default.fetch(
    new Request("https://app.test/webhooks/github", {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-github-event": "issues",
        "x-github-delivery": deliveryId,
        "x-hub-signature-256": signature,
      },
      body,
    }),
  );
}

beforeAll(async () => {
  const response = await adminRequest("/repositories", {
    method: "POST",
    body: JSON.stringify({ repositories: [REPOSITORY] }),
  });
  expect(response.status).toBe(201);
});

describe("github webhook in workerd", () => {
  it("signed delivery starts scan run", async () => {
    const body = issueOpenedPayload();
    const deliveryId = crypto.randomUUID();
    const response = await deliver(
      body,
      deliveryId,
      await sign(requireBinding("GITHUB_WEBHOOK_SECRET"), body),
    );

    expect(response.status).toBe(202);
    expect(await response.json()).toEqual({
      queued: [{ type: "issue", repository: REPOSITORY, number: ISSUE_NUMBER }],
    });

    const run = await waitForFinishedRun(webhookRunId(deliveryId));
    expect(run.workflowUrl).toBe(`${stack.appUrl}/workflows/scan-repository`);
    expect(run.workflowState).toBe("RUN_SUCCESS");
  });

  it("tampered body gets 401", async () => {
    const body = issueOpenedPayload();
    const deliveryId = crypto.randomUUID();
    const signature = await sign(requireBinding("GITHUB_WEBHOOK_SECRET"), body);
    const tampered = body.replace(`"number":${ISSUE_NUMBER}`, `"number":${ISSUE_NUMBER + 1}`);
    expect(tampered).not.toBe(body);

    const response = await deliver(tampered, deliveryId, signature);

    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({
      error: "X-Hub-Signature-256 does not match the request body; check that the webhook secret matches",
    });
    expect(await findRun(webhookRunId(deliveryId))).toBeUndefined();
  });

  it("wrong secret gets 401", async () => {
    const body = issueOpenedPayload();
    const response = await deliver(body, crypto.randomUUID(), await sign("some-other-secret", body));
    expect(response.status).toBe(401);
  });

  it("repeated delivery id is duplicate", async () => {
    const body = issueOpenedPayload();
    const deliveryId = crypto.randomUUID();
    const signature = await sign(requireBinding("GITHUB_WEBHOOK_SECRET"), body);

    const first = await deliver(body, deliveryId, signature);
    expect(first.status).toBe(202);
    const second = await deliver(body, deliveryId, signature);

    expect(second.status).toBe(200);
    expect(await second.json()).toEqual({ duplicate: true, deliveryId });
    const run = await waitForFinishedRun(webhookRunId(deliveryId));
    expect(run.workflowState).toBe("RUN_SUCCESS");
  });
});
