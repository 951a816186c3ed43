import { Client } from "@upstash/qstash";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type HttpTarget, startHttpTarget } from "../helpers/http-target.js";
import { startTestQStash, type TestQStash } from "../helpers/qstash.js";
import { waitFor } from "../helpers/wait-for.js";

let target: HttpTarget;
let releaseFirst: () => void = () => {};

beforeAll(async () => {
  // The first request hangs until the test releases it, so the server closes mid-delivery.
  const firstHeld = new Promise<void>((resolve) => {
    releaseFirst = resolve;
  });
  target = await startHttpTarget(async (_request, index) => {
    if (index === 0) await firstHeld;
    return new Response("ok");
  });
});

afterAll(async () => {
  releaseFirst();
  await target?.close();
});

describe("server close", () => {
  it("hands back in-flight deliveries", async () => {
    const first: TestQStash = await startTestQStash();
    const client = new Client({ baseUrl: first.url, token: first.token });
    const { messageId } = await client.publish({ url: `${target.url}/held`, body: "x", retries: 0 });
    await target.waitForRequests(1);

    await first.close();
    const second = await startTestQStash({ ...first.options, port: 0 });
    try {
      const requests = await target.waitForRequests(2);
      expect(requests.map((request) => request.headers.get("upstash-message-id"))).toEqual([
        messageId,
        messageId,
      ]);
      // The aborted attempt did not count as a retry, so the message was not sent to the DLQ.
      expect(requests[1]?.headers.get("upstash-retried")).toBe("0");
      await waitFor(async () => (await second.redis.zcard(`${second.keyPrefix}due`)) === 0, {
        description: "delivered",
      });
      expect(await second.redis.zcard(`${second.keyPrefix}dlq`)).toBe(0);
    } finally {
      await second.close();
      await second.redis.quit();
      await first.cleanup();
    }
  });
});
