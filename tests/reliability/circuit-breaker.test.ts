/**
 * Circuit breakers shared through real Redis: each test builds two breakers with the same name on two
 * separate `@upstash/redis` clients (one with auto-pipelining), which stand for two app instances.
 */
import { Redis } from "@upstash/redis";
import { WorkflowNonRetryableError, WorkflowRetryAfterError } from "@upstash/workflow";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger, type LogAttributes } from "../../shared/logger.js";
import {
  type BreakerTransitionEvent,
  type CircuitBreakerOptions,
  createCircuitBreaker,
  ExternalCallError,
  listBreakers,
  runExternal,
} from "../../shared/reliability/index.js";
import { startTestRedisRest, type TestRedisRest } from "../helpers/redis-rest.js";

let rest: TestRedisRest;
let otherClient: Redis;
let counter = 0;

beforeAll(async () => {
  rest = await startTestRedisRest({ area: "reliability" });
  otherClient = new Redis({
    url: rest.bridge.url,
    token: rest.bridge.token,
    retry: false,
    enableTelemetry: false,
    enableAutoPipelining: true,
  });
});
afterAll(async () => {
  await rest?.close();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const FAST: Omit<CircuitBreakerOptions, "name" | "keyPrefix"> = {
  windowSeconds: 60,
  minimumRequests: 4,
  failureRateThreshold: 0.5,
  openSeconds: 0.3,
  halfOpenProbes: 1,
  probeLeaseSeconds: 30,
};

function twoInstances(overrides: Partial<CircuitBreakerOptions> = {}) {
  counter += 1;
  const keyPrefix = `${rest.prefix}${counter}:`;
  const events: BreakerTransitionEvent[] = [];
  const records: LogAttributes[] = [];
  const logger = createLogger({ level: "debug", write: (_level, record) => records.push(record) });
  const options = { ...FAST, name: "github" as const, keyPrefix, logger, ...overrides };
  const first = createCircuitBreaker(rest.redis, {
    ...options,
    onTransition: (event) => void events.push(event),
  });
  const second = createCircuitBreaker(otherClient, {
    ...options,
    onTransition: (event) => void events.push(event),
  });
  return { first, second, keyPrefix, events, records };
}

describe("circuit breaker", () => {
  it("stays closed below minimum requests", async () => {
    const { first } = twoInstances();
    await first.recordFailure();
    await first.recordFailure();
    await first.recordFailure();
    expect((await first.state()).state).toBe("closed");
    expect((await first.check()).allowed).toBe(true);
  });

  it("stays closed below failure rate", async () => {
    const { first, second } = twoInstances();
    for (let index = 0; index < 3; index += 1) await first.recordSuccess();
    await second.recordFailure();
    await second.recordSuccess();
    expect((await second.state()).state).toBe("closed");
  });

  it("full cycle across two instances", async () => {
    const { first, second, events, records } = twoInstances();

    await first.recordSuccess();
    await first.recordSuccess();
    await second.recordFailure();
    await first.recordFailure();
    const open = await second.check();
    expect(open.allowed).toBe(false);
    if (!open.allowed) {
      expect(open.state).toBe("open");
      expect(open.retryAfterSeconds).toBe(1);
    }

    await sleep(400);
    const probe = await second.check();
    expect(probe.allowed).toBe(true);
    const blocked = await first.check();
    expect(blocked).toMatchObject({ allowed: false, state: "half-open" });
    expect((await first.state()).state).toBe("half-open");

    if (!probe.allowed) throw new Error("expected a probe permit");
    expect(probe.permit.probeId).not.toBeNull();
    await second.recordSuccess(probe.permit);
    expect((await first.check()).allowed).toBe(true);
    expect((await first.state()).state).toBe("closed");

    expect(events.map((event) => `${event.from}->${event.to}`)).toEqual([
      "closed->open",
      "open->half-open",
      "half-open->closed",
    ]);
    expect((await first.state()).transitions).toEqual({
      "closed->open": 1,
      "open->half-open": 1,
      "half-open->closed": 1,
    });
    expect(records.filter((record) => record.message === "circuit breaker transition")).toHaveLength(3);
  });

  it("failed probe opens again", async () => {
    const { first, second } = twoInstances({ minimumRequests: 1 });
    await first.recordFailure();
    await sleep(400);
    const probe = await second.check();
    if (!probe.allowed) throw new Error("expected a probe permit");
    await second.recordFailure(probe.permit);

    expect((await first.check()).allowed).toBe(false);
    const snapshot = await first.state();
    expect(snapshot.state).toBe("open");
    expect(snapshot.transitions["half-open->open"]).toBe(1);
  });

  it("non-probe outcomes keep half-open", async () => {
    const { first, second } = twoInstances({ minimumRequests: 1 });
    await first.recordFailure();
    await sleep(400);
    const probe = await second.check();
    expect(probe.allowed).toBe(true);
    await first.recordSuccess();
    await first.recordFailure();
    expect((await first.state()).state).toBe("half-open");
  });

  it("expired probe lease frees its slot", async () => {
    const { first, second } = twoInstances({ minimumRequests: 1, probeLeaseSeconds: 0.3 });
    await first.recordFailure();
    await sleep(400);
    expect((await second.check()).allowed).toBe(true);
    expect((await first.check()).allowed).toBe(false);
    await sleep(400);
    expect((await first.check()).allowed).toBe(true);
  });

  it("lists breakers with state", async () => {
    // A long open time, so a slow machine cannot see the breaker turn half-open before the listing.
    const { first, keyPrefix } = twoInstances({ minimumRequests: 1, openSeconds: 60 });
    const model = createCircuitBreaker(rest.redis, { ...FAST, name: "model", keyPrefix });
    await first.recordFailure();
    await model.recordSuccess();

    const listed = await listBreakers(otherClient, keyPrefix);
    expect(listed.map((breaker) => breaker.name)).toEqual(["github", "model"]);
    expect(listed[0]?.state).toBe("open");
    expect(listed[1]?.state).toBe("closed");
    expect(listed[1]?.successes).toBe(1);
  });

  it("invalid options name the field", () => {
    expect(() =>
      createCircuitBreaker(rest.redis, { name: "email", keyPrefix: rest.prefix, failureRateThreshold: 1.5 }),
    ).toThrow(/failureRateThreshold/);
  });
});

describe("runExternal", () => {
  it("open breaker defers without calling", async () => {
    const { first } = twoInstances({ minimumRequests: 1, openSeconds: 30 });
    await first.recordFailure();
    let calls = 0;
    const attempt = runExternal("github", async () => (calls += 1), { breaker: first });
    await expect(attempt).rejects.toBeInstanceOf(WorkflowRetryAfterError);
    expect(calls).toBe(0);
  });

  it("transient failures open the breaker", async () => {
    const { first, second } = twoInstances({ minimumRequests: 2 });
    const failing = async () => {
      throw new ExternalCallError({ dependency: "github", status: 502, message: "bad gateway" });
    };
    await expect(runExternal("github", failing, { breaker: first })).rejects.toThrow("bad gateway");
    await expect(runExternal("github", failing, { breaker: second })).rejects.toThrow("bad gateway");
    expect((await first.state()).state).toBe("open");
  });

  it("rate limits do not count", async () => {
    const { first } = twoInstances({ minimumRequests: 1 });
    const limited = async () => {
      throw new ExternalCallError({
        dependency: "github",
        status: 429,
        headers: { "retry-after": "5" },
        message: "slow down",
      });
    };
    const attempt = runExternal("github", limited, { breaker: first });
    await expect(attempt).rejects.toBeInstanceOf(WorkflowRetryAfterError);
    const snapshot = await first.state();
    expect(snapshot.state).toBe("closed");
    expect(snapshot.failures).toBe(0);
  });

  it("permanent answers count as success", async () => {
    const { first } = twoInstances({ minimumRequests: 1 });
    const rejected = async () => {
      throw new ExternalCallError({ dependency: "github", status: 404, message: "not found" });
    };
    await expect(runExternal("github", rejected, { breaker: first })).rejects.toBeInstanceOf(
      WorkflowNonRetryableError,
    );
    const snapshot = await first.state();
    expect(snapshot.state).toBe("closed");
    expect(snapshot.successes).toBe(1);
  });

  it("success returns the value", async () => {
    const { first } = twoInstances();
    expect(await runExternal("github", async () => "ok", { breaker: first })).toBe("ok");
    expect((await first.state()).successes).toBe(1);
  });
});
