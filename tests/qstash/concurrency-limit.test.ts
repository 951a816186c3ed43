import { Client } from "@upstash/qstash";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type HttpTarget, startHttpTarget } from "../helpers/http-target.js";
import { startTestQStash, type TestQStash } from "../helpers/qstash.js";

let qstash: TestQStash;
let target: HttpTarget;
let inFlight = 0;
let maxInFlight = 0;

beforeAll(async () => {
  qstash = await startTestQStash({ maxConcurrency: 2 });
  target = await startHttpTarget(async () => {
    inFlight += 1;
    maxInFlight = Math.max(maxInFlight, inFlight);
    await new Promise((resolve) => setTimeout(resolve, 30));
    inFlight -= 1;
    return new Response("ok");
  });
});

afterAll(async () => {
  await qstash?.cleanup();
  await target?.close();
});

describe("server concurrency limit", () => {
  it("caps deliveries in flight", async () => {
    const client = new Client({ baseUrl: qstash.url, token: qstash.token });
    await client.batch(
      Array.from({ length: 10 }, (_, index) => ({ url: `${target.url}/slot/${index}`, body: "x" })),
    );
    const requests = await target.waitForRequests(10);
    expect(requests).toHaveLength(10);
    expect(maxInFlight).toBeLessThanOrEqual(2);
    expect(maxInFlight).toBeGreaterThan(0);
  });
});
