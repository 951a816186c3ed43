import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger, type LogAttributes } from "../../shared/logger.js";
import {
  beginIdempotentAction,
  claimIdempotencyKey,
  completeIdempotentAction,
  countDuplicates,
  formatIdempotencyKey,
  idempotencyKeys,
  releaseIdempotencyKey,
  releaseIdempotentAction,
  runIdempotentAction,
} from "../../shared/reliability/index.js";
import { startTestRedisRest, type TestRedisRest } from "../helpers/redis-rest.js";

let rest: TestRedisRest;
let counter = 0;

beforeAll(async () => {
  rest = await startTestRedisRest({ area: "reliability" });
});
afterAll(async () => {
  await rest?.close();
});

// A fresh key prefix per test, so duplicate counters start at zero.
function nextPrefix(): string {
  counter += 1;
  return `${rest.prefix}${counter}:`;
}

function collectLogs() {
  const records: LogAttributes[] = [];
  const logger = createLogger({ level: "debug", write: (_level, record) => records.push(record) });
  return { logger, records };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("idempotency keys", () => {
  it("builders follow the scheme", () => {
    expect(formatIdempotencyKey(idempotencyKeys.webhookDelivery("d-1"))).toBe("webhook-delivery:d-1");
    expect(formatIdempotencyKey(idempotencyKeys.scan("octo/repo", "2026-01-01"))).toBe(
      "scan:octo/repo:2026-01-01",
    );
    expect(formatIdempotencyKey(idempotencyKeys.analysis("abc"))).toBe("analysis:abc");
    expect(formatIdempotencyKey(idempotencyKeys.notification("s1", "I_1", "email"))).toBe(
      "notification:s1:I_1:email",
    );
  });

  it("colons in parts are escaped", () => {
    const key = idempotencyKeys.scan("a:b", "v%1");
    expect(key.value).toBe("scan:a%3Ab:v%251");
  });

  it("empty part is rejected", () => {
    expect(() => idempotencyKeys.analysis("")).toThrow(/contentHash/);
  });
});

describe("claimIdempotencyKey", () => {
  it("concurrent claims yield one winner", async () => {
    const keyPrefix = nextPrefix();
    const { logger, records } = collectLogs();
    const key = idempotencyKeys.webhookDelivery("delivery-1");
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, index) =>
        claimIdempotencyKey(rest.redis, key, { ttlSeconds: 60, owner: `worker-${index}`, keyPrefix, logger }),
      ),
    );

    const winners = results.filter((result) => result.claimed);
    expect(winners).toHaveLength(1);
    expect(await countDuplicates(rest.redis, "webhook-delivery", { keyPrefix })).toBe(19);
    expect(records.filter((record) => record.message === "idempotency duplicate attempt")).toHaveLength(19);
  });

  it("duplicate reports owner and state", async () => {
    const keyPrefix = nextPrefix();
    const key = idempotencyKeys.analysis("hash-1");
    await claimIdempotencyKey(rest.redis, key, { ttlSeconds: 60, owner: "run-1", keyPrefix });
    const second = await claimIdempotencyKey(rest.redis, key, { ttlSeconds: 60, owner: "run-2", keyPrefix });
    expect(second).toMatchObject({ claimed: false, owner: "run-1", state: "done" });
    if (!second.claimed) expect(second.retryAfterSeconds).toBeGreaterThan(0);
  });

  it("numeric owner survives deserialization", async () => {
    const keyPrefix = nextPrefix();
    const key = idempotencyKeys.analysis("hash-2");
    await claimIdempotencyKey(rest.redis, key, { ttlSeconds: 60, owner: "42", keyPrefix });
    const second = await claimIdempotencyKey(rest.redis, key, { ttlSeconds: 60, owner: "43", keyPrefix });
    expect(second).toMatchObject({ claimed: false, owner: "42" });
  });

  it("claim expires after TTL", async () => {
    const keyPrefix = nextPrefix();
    const key = idempotencyKeys.scan("octo/repo", "v1");
    expect(
      (await claimIdempotencyKey(rest.redis, key, { ttlSeconds: 1, owner: "a", keyPrefix })).claimed,
    ).toBe(true);
    expect(
      (await claimIdempotencyKey(rest.redis, key, { ttlSeconds: 1, owner: "b", keyPrefix })).claimed,
    ).toBe(false);
    await sleep(1_500);
    expect(
      (await claimIdempotencyKey(rest.redis, key, { ttlSeconds: 1, owner: "c", keyPrefix })).claimed,
    ).toBe(true);
  });

  it("release lets the owner retry", async () => {
    const keyPrefix = nextPrefix();
    const key = idempotencyKeys.webhookDelivery("delivery-2");
    await claimIdempotencyKey(rest.redis, key, { ttlSeconds: 60, owner: "a", keyPrefix });
    expect(await releaseIdempotencyKey(rest.redis, key, { owner: "b", keyPrefix })).toMatchObject({
      released: false,
      owner: "a",
    });
    expect(await releaseIdempotencyKey(rest.redis, key, { owner: "a", keyPrefix })).toEqual({
      released: true,
    });
    expect(
      (await claimIdempotencyKey(rest.redis, key, { ttlSeconds: 60, owner: "b", keyPrefix })).claimed,
    ).toBe(true);
  });

  it("invalid options name the field", async () => {
    const key = idempotencyKeys.analysis("hash-3");
    await expect(claimIdempotencyKey(rest.redis, key, { ttlSeconds: 0, owner: "a" })).rejects.toThrow(
      /ttlSeconds/,
    );
    await expect(claimIdempotencyKey(rest.redis, key, { ttlSeconds: 5, owner: "" })).rejects.toThrow(/owner/);
  });
});

describe("two-phase actions", () => {
  it("begin complete then duplicate", async () => {
    const keyPrefix = nextPrefix();
    const key = idempotencyKeys.notification("s1", "I_1", "email");
    expect(
      (await beginIdempotentAction(rest.redis, key, { leaseSeconds: 30, owner: "a", keyPrefix })).claimed,
    ).toBe(true);
    const during = await beginIdempotentAction(rest.redis, key, { leaseSeconds: 30, owner: "b", keyPrefix });
    expect(during).toMatchObject({ claimed: false, state: "in-progress", owner: "a" });

    expect(
      await completeIdempotentAction(rest.redis, key, { ttlSeconds: 600, owner: "a", keyPrefix }),
    ).toEqual({
      completed: true,
      leaseExpired: false,
    });
    const after = await beginIdempotentAction(rest.redis, key, { leaseSeconds: 30, owner: "c", keyPrefix });
    expect(after).toMatchObject({ claimed: false, state: "done", owner: "a" });
    expect(await countDuplicates(rest.redis, "notification", { keyPrefix })).toBe(2);
  });

  it("release frees an in-progress key", async () => {
    const keyPrefix = nextPrefix();
    const key = idempotencyKeys.notification("s1", "I_2", "slack");
    await beginIdempotentAction(rest.redis, key, { leaseSeconds: 30, owner: "a", keyPrefix });
    expect(await releaseIdempotentAction(rest.redis, key, { owner: "a", keyPrefix })).toEqual({
      released: true,
    });
    expect(
      (await beginIdempotentAction(rest.redis, key, { leaseSeconds: 30, owner: "b", keyPrefix })).claimed,
    ).toBe(true);
  });

  it("release never deletes done records", async () => {
    const keyPrefix = nextPrefix();
    const key = idempotencyKeys.notification("s1", "I_3", "webhook");
    await beginIdempotentAction(rest.redis, key, { leaseSeconds: 30, owner: "a", keyPrefix });
    await completeIdempotentAction(rest.redis, key, { ttlSeconds: 600, owner: "a", keyPrefix });
    expect(await releaseIdempotentAction(rest.redis, key, { owner: "a", keyPrefix })).toMatchObject({
      released: false,
      state: "done",
    });
  });

  it("lost lease is reported on complete", async () => {
    const keyPrefix = nextPrefix();
    const { logger, records } = collectLogs();
    const key = idempotencyKeys.analysis("hash-4");
    await beginIdempotentAction(rest.redis, key, { leaseSeconds: 1, owner: "a", keyPrefix });
    await sleep(1_500);
    await beginIdempotentAction(rest.redis, key, { leaseSeconds: 30, owner: "b", keyPrefix });

    const result = await completeIdempotentAction(rest.redis, key, {
      ttlSeconds: 600,
      owner: "a",
      keyPrefix,
      logger,
    });
    expect(result).toEqual({ completed: false, owner: "b", state: "in-progress" });
    expect(records.map((record) => record.message)).toContain("idempotency lease lost before completion");
  });

  it("expired lease still completes", async () => {
    const keyPrefix = nextPrefix();
    const key = idempotencyKeys.analysis("hash-5");
    await beginIdempotentAction(rest.redis, key, { leaseSeconds: 1, owner: "a", keyPrefix });
    await sleep(1_500);
    expect(
      await completeIdempotentAction(rest.redis, key, { ttlSeconds: 600, owner: "a", keyPrefix }),
    ).toEqual({
      completed: true,
      leaseExpired: true,
    });
    const later = await beginIdempotentAction(rest.redis, key, { leaseSeconds: 30, owner: "b", keyPrefix });
    expect(later).toMatchObject({ claimed: false, state: "done" });
  });
});

describe("runIdempotentAction", () => {
  it("concurrent runs cause one side effect", async () => {
    const keyPrefix = nextPrefix();
    const key = idempotencyKeys.notification("s2", "I_9", "email");
    let sideEffects = 0;
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, index) =>
        runIdempotentAction(
          rest.redis,
          key,
          { owner: `attempt-${index}`, leaseSeconds: 30, ttlSeconds: 600, keyPrefix },
          async () => {
            sideEffects += 1;
            await sleep(50);
            return "sent";
          },
        ),
      ),
    );

    expect(sideEffects).toBe(1);
    expect(results.filter((result) => result.status === "performed")).toHaveLength(1);
    expect(results.filter((result) => result.status === "duplicate")).toHaveLength(19);
    expect(await countDuplicates(rest.redis, "notification", { keyPrefix })).toBe(19);
  });

  it("failed action can be retried", async () => {
    const keyPrefix = nextPrefix();
    const key = idempotencyKeys.scan("octo/repo", "v2");
    const options = { leaseSeconds: 30, ttlSeconds: 600, keyPrefix };
    await expect(
      runIdempotentAction(rest.redis, key, { ...options, owner: "first" }, async () => {
        throw new Error("target down");
      }),
    ).rejects.toThrow("target down");

    const retried = await runIdempotentAction(
      rest.redis,
      key,
      { ...options, owner: "second" },
      async () => 7,
    );
    expect(retried).toEqual({ status: "performed", value: 7 });
  });
});
