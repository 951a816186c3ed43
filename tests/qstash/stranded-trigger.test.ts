import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type HttpTarget, startHttpTarget } from "../helpers/http-target.js";
import { startTestQStash, type TestQStash } from "../helpers/qstash.js";

let qstash: TestQStash;
let target: HttpTarget;

beforeAll(async () => {
  qstash = await startTestQStash({}, "qstash-stranded");
  target = await startHttpTarget();
});

afterAll(async () => {
  await qstash?.cleanup();
  await target?.close();
});

async function trigger(runId: string, headers: Record<string, string> = {}): Promise<Response> {
  return await fetch(`${qstash.url}/v2/publish/${target.url}/workflow`, {
    method: "POST",
    headers: {
      authorization: `Bearer ${qstash.token}`,
      "content-type": "application/json",
      "Upstash-Workflow-Init": "true",
      "Upstash-Workflow-RunId": runId,
      "Upstash-Workflow-Url": `${target.url}/workflow`,
      ...headers,
    },
    body: JSON.stringify({ hello: "world" }),
  });
}

describe("stranded trigger", () => {
  it("retried trigger requeues init message", async () => {
    const runId = "wfr_stranded-trigger";
    // Delayed, so the test can take the message out of the due set before anything delivers it.
    const first = await trigger(runId, { "Upstash-Delay": "1h" });
    expect(first.status).toBe(200);
    const { messageId } = (await first.json()) as { messageId: string };

    // The state a server leaves when it stops after creating the run but before the message is due.
    await qstash.redis.zrem(`${qstash.keyPrefix}due`, messageId);
    await qstash.redis.srem(`${qstash.keyPrefix}run:${runId}:msgs`, messageId);

    const retried = await trigger(runId);
    expect(retried.status).toBe(200);
    const [delivery] = await target.waitForRequests(1);
    expect(delivery?.headers.get("upstash-message-id")).toBe(messageId);
    expect(delivery?.headers.get("upstash-workflow-runid")).toBe(runId);
  });

  it("duplicate trigger sends nothing twice", async () => {
    const runId = "wfr_duplicate-trigger";
    const before = target.requests.length;
    const first = await trigger(runId, { "Upstash-Delay": "1h" });
    const { messageId } = (await first.json()) as { messageId: string };

    const duplicate = await trigger(runId);
    expect(duplicate.status).toBe(200);
    const { messageId: duplicateId } = (await duplicate.json()) as { messageId: string };
    expect(await qstash.redis.exists(`${qstash.keyPrefix}msg:${duplicateId}`)).toBe(0);
    expect(await qstash.redis.zscore(`${qstash.keyPrefix}due`, messageId)).not.toBeNull();
    expect(await qstash.redis.zcard(`${qstash.keyPrefix}due`)).toBe(1);
    expect(target.requests.length).toBe(before);
  });
});
