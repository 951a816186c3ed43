import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  readRecordedAttempts,
  readRecordedCounts,
  readRecordedDeliveries,
  startSinkServer,
} from "../../local/sinks/index.js";

const redisUrl = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const keyPrefix = `test:sinks:${randomBytes(4).toString("hex")}:`;
let redis: Redis;

beforeAll(async () => {
  redis = new Redis(redisUrl);
});

afterAll(async () => {
  // The sink writes exactly these three keys under its prefix.
  await redis.del(`${keyPrefix}attempts`, `${keyPrefix}deliveries`, `${keyPrefix}counts`);
  redis.disconnect();
});

describe("sink redis records", () => {
  it("records survive server close", async () => {
    const sink = await startSinkServer({ redisUrl, keyPrefix });
    await fetch(`${sink.url}/webhooks/persisted`, { method: "POST", body: '{"n":1}' });
    await fetch(`${sink.url}/slack/T1/C1`, { method: "POST", body: "{}" });
    await fetch(`${sink.url}/slack/T1/C1`, { method: "POST", body: '{"text":"hi"}' });
    await sink.close();

    const deliveries = await readRecordedDeliveries(redis, keyPrefix);
    expect(deliveries.map((delivery) => [delivery.channel, delivery.target])).toEqual([
      ["webhook", "persisted"],
      ["slack", "T1/C1"],
    ]);
    expect(deliveries[0]?.body).toBe('{"n":1}');

    const slackAttempts = await readRecordedAttempts(redis, keyPrefix, { channel: "slack" });
    expect(slackAttempts.map((attempt) => attempt.outcome)).toEqual(["rejected", "delivered"]);

    expect(await readRecordedCounts(redis, keyPrefix)).toEqual({
      "webhook:delivered": 1,
      "slack:rejected": 1,
      "slack:delivered": 1,
    });
  });

  it("clear removes redis records", async () => {
    const sink = await startSinkServer({ redisUrl, keyPrefix });
    try {
      await fetch(`${sink.url}/webhooks/to-clear`, { method: "POST", body: "x" });
      expect((await readRecordedDeliveries(redis, keyPrefix)).length).toBeGreaterThan(0);

      const response = await fetch(`${sink.url}/_sink/deliveries`, { method: "DELETE" });
      expect(response.status).toBe(200);
      expect(await readRecordedDeliveries(redis, keyPrefix)).toEqual([]);
      expect(await readRecordedAttempts(redis, keyPrefix)).toEqual([]);
      expect(await readRecordedCounts(redis, keyPrefix)).toEqual({});
    } finally {
      await sink.close();
    }
  });

  it("unreachable redis rejects start", async () => {
    await expect(
      startSinkServer({ redisUrl: "redis://127.0.0.1:1", keyPrefix, logger: pino({ level: "silent" }) }),
    ).rejects.toThrow(/^Failed to connect to Redis for the sink records: connect ECONNREFUSED/);
  });
});
