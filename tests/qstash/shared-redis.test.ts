import { Client } from "@upstash/qstash";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type HttpTarget, startHttpTarget } from "../helpers/http-target.js";
import { startTestQStash, type TestQStash } from "../helpers/qstash.js";
import { waitFor } from "../helpers/wait-for.js";

let first: TestQStash;
let second: TestQStash;
let target: HttpTarget;

beforeAll(async () => {
  first = await startTestQStash();
  second = await startTestQStash({ ...first.options, port: 0 });
  // Slow answers keep deliveries in flight while both servers claim.
  target = await startHttpTarget(async () => {
    await new Promise((resolve) => setTimeout(resolve, 20));
    return new Response("ok");
  });
});

afterAll(async () => {
  await second?.close();
  await second?.redis.quit();
  await first?.cleanup();
  await target?.close();
});

describe("servers sharing one prefix", () => {
  it("deliver each message once", async () => {
    const clients = [first, second].map((server) => new Client({ baseUrl: server.url, token: server.token }));
    const messageIds: string[] = [];
    for (let index = 0; index < 40; index += 1) {
      const client = clients[index % 2]!;
      const { messageId } = await client.publish({
        url: `${target.url}/shared/${index}`,
        body: String(index),
      });
      messageIds.push(messageId);
    }
    await target.waitForRequests(40);
    // Let any duplicate delivery arrive before counting.
    await waitFor(async () => (await first.redis.zcard(`${first.keyPrefix}due`)) === 0, {
      description: "empty due set",
    });
    const delivered = target.requests.map((request) => request.headers.get("upstash-message-id"));
    expect(delivered).toHaveLength(40);
    expect(new Set(delivered).size).toBe(40);
    expect(new Set(delivered)).toEqual(new Set(messageIds));
  });
});
