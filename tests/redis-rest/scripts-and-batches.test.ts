import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestRedisRest, type TestRedisRest } from "../helpers/redis-rest.js";

let rest: TestRedisRest;
let autoPipelined: TestRedisRest;

beforeAll(async () => {
  rest = await startTestRedisRest({ area: "redis-rest-batches" });
  autoPipelined = await startTestRedisRest({ area: "redis-rest-batches", enableAutoPipelining: true });
});

afterAll(async () => {
  await rest.close();
  await autoPipelined.close();
});

/** Number of pipelines the auto-pipelining proxy has sent; @upstash/redis 1.39.0 exposes it untyped. */
function pipelinesSent(redis: TestRedisRest["redis"]): number {
  return (redis as unknown as { pipelineCounter: number }).pipelineCounter;
}

const INCREMENT_SCRIPT = "return redis.call('INCRBY', KEYS[1], ARGV[1])";

describe("redis rest bridge scripts", () => {
  it("eval returns nested values", async () => {
    const key = `${rest.prefix}eval`;
    const result = await rest.redis.eval<[], unknown>(
      "return {KEYS[1], 42, {'inner', 1.5}, false}",
      [key],
      [],
    );
    // Lua false becomes nil and 1.5 is truncated to the integer 1, as Redis converts them.
    expect(result).toEqual([key, 42, ["inner", 1], null]);
  });

  it("eval writes through redis.call", async () => {
    const key = `${rest.prefix}eval-write`;
    expect(await rest.redis.eval(INCREMENT_SCRIPT, [key], ["5"])).toBe(5);
    expect(await rest.redis.get(key)).toBe(5);
  });

  it("evalsha runs a loaded script", async () => {
    const key = `${rest.prefix}evalsha`;
    const sha = await rest.redis.scriptLoad(INCREMENT_SCRIPT);
    expect(sha).toMatch(/^[0-9a-f]{40}$/);
    expect(await rest.redis.scriptExists(sha)).toEqual([1]);
    expect(await rest.redis.evalsha(sha, [key], ["3"])).toBe(3);
    expect(await rest.redis.evalsha(sha, [key], ["4"])).toBe(7);
  });

  it("evalsha unknown sha raises NOSCRIPT", async () => {
    const unknownSha = "0".repeat(40);
    await expect(rest.redis.evalsha(unknownSha, [], [])).rejects.toThrow(/NOSCRIPT/);
  });

  it("createScript falls back to eval", async () => {
    const key = `${rest.prefix}create-script`;
    // A script text unique to this run is never cached, so exec must take the NOSCRIPT → EVAL path.
    const script = rest.redis.createScript<number>(`-- ${rest.prefix}\n${INCREMENT_SCRIPT}`);
    expect(await script.exec([key], ["2"])).toBe(2);
    expect(await script.evalsha([key], ["2"])).toBe(4);
    expect(await script.eval([key], ["2"])).toBe(6);
  });

  it("script error surfaces message", async () => {
    await expect(
      rest.redis.eval("return redis.error_reply('BADINPUT score missing')", [], []),
    ).rejects.toThrow(/BADINPUT score missing/);
  });
});

describe("redis rest bridge batches", () => {
  it("pipeline returns results in order", async () => {
    const key = `${rest.prefix}pipeline`;
    const results = await rest.redis
      .pipeline()
      .set(key, 1)
      .incr(key)
      .get(key)
      .hset(`${rest.prefix}pipeline-hash`, { a: { nested: true } })
      .hgetall(`${rest.prefix}pipeline-hash`)
      .exec();
    expect(results).toEqual(["OK", 2, 2, 1, { a: { nested: true } }]);
  });

  it("pipeline reports failed command", async () => {
    const key = `${rest.prefix}pipeline-error`;
    const pipeline = rest.redis.pipeline().set(key, "text").incr(key).get(key);
    await expect(pipeline.exec()).rejects.toThrow(/Command 2 \[ incr \] failed: ERR value is not an integer/);

    const withErrors = await rest.redis.pipeline().get(key).incr(key).get(key).exec({ keepErrors: true });
    expect(withErrors[0]).toEqual({ result: "text", error: undefined });
    expect(withErrors[1]?.error).toMatch(/^ERR value is not an integer or out of range/);
    expect(withErrors[2]).toEqual({ result: "text", error: undefined });
  });

  it("multi exec runs atomically", async () => {
    const key = `${rest.prefix}multi`;
    const results = await rest.redis.multi().set(key, 10).incrby(key, 5).get(key).exec();
    expect(results).toEqual(["OK", 15, 15]);
  });

  it("multi exec keeps runtime errors", async () => {
    const key = `${rest.prefix}multi-error`;
    const results = await rest.redis
      .multi()
      .set(key, "text")
      .hget(key, "field")
      .get(key)
      .exec({ keepErrors: true });
    expect(results[0]).toEqual({ result: "OK", error: undefined });
    expect(results[1]?.error).toMatch(/^WRONGTYPE/);
    // Commands after a runtime error still ran, as in Redis.
    expect(results[2]).toEqual({ result: "text", error: undefined });
  });

  it("multi exec aborts on queue error", async () => {
    const key = `${rest.prefix}multi-abort`;
    // The client's typed methods cannot build a command with missing arguments, so send the body directly.
    const response = await fetch(`${rest.bridge.url}/multi-exec`, {
      method: "POST",
      headers: { authorization: `Bearer ${rest.bridge.token}` },
      body: JSON.stringify([
        ["SET", key, "must not be written"],
        ["SET", key],
      ]),
    });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: string };
    expect(body.error).toMatch(/^EXECABORT/);
    expect(body.error).toContain("wrong number of arguments for 'set' command");
    expect(await rest.redis.exists(key)).toBe(0);
  });

  it("auto pipelining batches commands", async () => {
    const redis = autoPipelined.redis;
    const key = `${autoPipelined.prefix}auto`;
    const before = pipelinesSent(redis);
    const [setResult, incrResult, hashResult] = await Promise.all([
      redis.set(key, 1),
      redis.incr(key),
      redis.hset(`${autoPipelined.prefix}auto-hash`, { f: "v" }),
    ]);
    expect(setResult).toBe("OK");
    expect(incrResult).toBe(2);
    expect(hashResult).toBe(1);
    expect(pipelinesSent(redis) - before).toBe(1);
    expect(await redis.get(key)).toBe(2);
  });

  it("auto pipelining surfaces one error", async () => {
    const redis = autoPipelined.redis;
    const key = `${autoPipelined.prefix}auto-error`;
    const outcomes = await Promise.allSettled([redis.set(key, "text"), redis.incr(key), redis.get(key)]);
    expect(outcomes[0]).toEqual({ status: "fulfilled", value: "OK" });
    expect(outcomes[1]?.status).toBe("rejected");
    expect(String((outcomes[1] as PromiseRejectedResult).reason)).toMatch(/ERR value is not an integer/);
    expect(outcomes[2]).toEqual({ status: "fulfilled", value: "text" });
  });

  it("auto pipelining runs transactions", async () => {
    const key = `${autoPipelined.prefix}auto-multi`;
    const results = await autoPipelined.redis.multi().set(key, 1).incr(key).exec();
    expect(results).toEqual(["OK", 2]);
  });
});
