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
  // Slow responses keep deliveries in flight while both servers claim.
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
  it("expired lease is claimed again", async () => {
    const client = new Client({ baseUrl: first.url, token: first.token });
    const { messageId } = await client.publish({ url: `${target.url}/crashed`, body: "x", delay: 3600 });
    // Make the message look claimed by a server that died: due when its 300 ms lease runs out.
    await first.redis.set(`${first.keyPrefix}lease:${messageId}`, "dead-server", "PX", 300);
    await first.redis.zadd(`${first.keyPrefix}due`, Date.now() + 300, messageId);
    const [request] = await waitFor(() => {
      const found = target.requests.filter((item) => item.path === "/crashed");
      return found.length > 0 && found;
    });
    expect(request?.headers.get("upstash-message-id")).toBe(messageId);
  });

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
    const shared = () => target.requests.filter((request) => request.path.startsWith("/shared/"));
    await waitFor(() => shared().length >= 40, { description: "40 deliveries" });
    // Let any duplicate delivery arrive before counting.
    await waitFor(async () => (await first.redis.zcard(`${first.keyPrefix}due`)) === 0, {
      description: "empty due set",
    });
    const delivered = shared().map((request) => request.headers.get("upstash-message-id"));
    expect(delivered).toHaveLength(40);
    expect(new Set(delivered).size).toBe(40);
    expect(new Set(delivered)).toEqual(new Set(messageIds));
  });
});
