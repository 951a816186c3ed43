import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestRedisRest, type TestRedisRest } from "../helpers/redis-rest.js";

let rest: TestRedisRest;

beforeAll(async () => {
  rest = await startTestRedisRest({ area: "redis-rest-types" });
});

afterAll(async () => {
  await rest.close();
});

describe("redis rest bridge data types", () => {
  it("strings set, get and increment", async () => {
    const key = `${rest.prefix}string`;
    expect(await rest.redis.set(key, "hello")).toBe("OK");
    expect(await rest.redis.get(key)).toBe("hello");
    expect(await rest.redis.append(key, " world")).toBe(11);
    expect(await rest.redis.getrange(key, 0, 4)).toBe("hello");
    expect(await rest.redis.get(`${rest.prefix}missing`)).toBeNull();

    const counter = `${rest.prefix}counter`;
    expect(await rest.redis.incr(counter)).toBe(1);
    expect(await rest.redis.incrby(counter, 41)).toBe(42);
    expect(await rest.redis.incrbyfloat(counter, 0.5)).toBe(42.5);
  });

  it("strings keep numeric text", async () => {
    const key = `${rest.prefix}numeric-text`;
    await rest.redis.set(key, "007");
    // The client only turns text into a number when the number prints back identically.
    expect(await rest.redis.get(key)).toBe("007");
    await rest.redis.set(key, 12);
    expect(await rest.redis.get(key)).toBe(12);
  });

  it("set with NX and GET options", async () => {
    const key = `${rest.prefix}set-options`;
    expect(await rest.redis.set(key, "first", { nx: true })).toBe("OK");
    expect(await rest.redis.set(key, "second", { nx: true })).toBeNull();
    expect(await rest.redis.set(key, "third", { get: true })).toBe("first");
    expect(await rest.redis.get(key)).toBe("third");
  });

  it("mset and mget several keys", async () => {
    const a = `${rest.prefix}mget-a`;
    const b = `${rest.prefix}mget-b`;
    expect(await rest.redis.mset({ [a]: "1x", [b]: "2y" })).toBe("OK");
    expect(await rest.redis.mget(a, b, `${rest.prefix}mget-missing`)).toEqual(["1x", "2y", null]);
  });

  it("hashes round-trip fields", async () => {
    const key = `${rest.prefix}hash`;
    expect(await rest.redis.hset(key, { name: "radar", stars: 12, owner: "octo" })).toBe(3);
    expect(await rest.redis.hget(key, "name")).toBe("radar");
    expect(await rest.redis.hgetall(key)).toEqual({ name: "radar", stars: 12, owner: "octo" });
    expect(await rest.redis.hincrby(key, "stars", 3)).toBe(15);
    expect(await rest.redis.hdel(key, "owner")).toBe(1);
    expect((await rest.redis.hkeys(key)).sort()).toEqual(["name", "stars"]);
    expect(await rest.redis.hlen(key)).toBe(2);
    expect(await rest.redis.hgetall(`${rest.prefix}missing-hash`)).toBeNull();
  });

  it("sorted sets rank by score", async () => {
    const key = `${rest.prefix}zset`;
    expect(
      await rest.redis.zadd(
        key,
        { score: 2.5, member: "b" },
        { score: 1, member: "a" },
        { score: 10, member: "c" },
      ),
    ).toBe(3);
    expect(await rest.redis.zrange(key, 0, -1)).toEqual(["a", "b", "c"]);
    expect(await rest.redis.zrange(key, 0, 1, { rev: true, withScores: true })).toEqual(["c", 10, "b", 2.5]);
    expect(await rest.redis.zscore(key, "b")).toBe(2.5);
    expect(await rest.redis.zrank(key, "c")).toBe(2);
    expect(await rest.redis.zincrby(key, 0.25, "a")).toBe(1.25);
    expect(await rest.redis.zrange(key, 2, 5, { byScore: true })).toEqual(["b"]);
    expect(await rest.redis.zcard(key)).toBe(3);
    expect(await rest.redis.zscore(key, "missing")).toBeNull();
  });

  it("lists and sets keep members", async () => {
    const list = `${rest.prefix}list`;
    expect(await rest.redis.rpush(list, "x", "y", "z")).toBe(3);
    expect(await rest.redis.lrange(list, 0, -1)).toEqual(["x", "y", "z"]);
    expect(await rest.redis.lpop(list)).toBe("x");

    const set = `${rest.prefix}set`;
    expect(await rest.redis.sadd(set, "m1", "m2")).toBe(2);
    expect(await rest.redis.sismember(set, "m1")).toBe(1);
    expect((await rest.redis.smembers(set)).sort()).toEqual(["m1", "m2"]);
  });

  it("expiry sets and clears ttl", async () => {
    const key = `${rest.prefix}expiring`;
    await rest.redis.set(key, "v", { ex: 100 });
    const ttl = await rest.redis.ttl(key);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(100);
    expect(await rest.redis.persist(key)).toBe(1);
    expect(await rest.redis.ttl(key)).toBe(-1);
    expect(await rest.redis.pexpire(key, 50_000)).toBe(1);
    expect(await rest.redis.pttl(key)).toBeGreaterThan(0);
    expect(await rest.redis.ttl(`${rest.prefix}missing`)).toBe(-2);
  });

  it("expiry removes key after deadline", async () => {
    const key = `${rest.prefix}expired`;
    await rest.redis.set(key, "v");
    // A deadline in the past deletes the key at once, so the test needs no waiting.
    expect(await rest.redis.expireat(key, Math.floor(Date.now() / 1000) - 10)).toBe(1);
    expect(await rest.redis.exists(key)).toBe(0);
    expect(await rest.redis.get(key)).toBeNull();
  });

  it("json values serialize and parse", async () => {
    const key = `${rest.prefix}json`;
    const value = {
      id: 7,
      title: "Fix flaky test",
      labels: ["good first issue"],
      nested: { ok: true, none: null },
    };
    await rest.redis.set(key, value);
    expect(await rest.redis.get(key)).toEqual(value);

    const listKey = `${rest.prefix}json-list`;
    await rest.redis.rpush(listKey, { a: 1 }, [1, 2]);
    expect(await rest.redis.lrange(listKey, 0, -1)).toEqual([{ a: 1 }, [1, 2]]);
  });

  it("unicode values survive base64", async () => {
    const key = `${rest.prefix}unicode`;
    const value = "naïve café ✓ 日本語 🚀 \u0000 end";
    await rest.redis.set(key, value);
    expect(await rest.redis.get(key)).toBe(value);
    expect(await rest.redis.strlen(key)).toBe(Buffer.byteLength(value, "utf8"));

    const hashKey = `${rest.prefix}unicode-hash`;
    await rest.redis.hset(hashKey, { "clé 🔑": "valeur ✓" });
    expect(await rest.redis.hgetall(hashKey)).toEqual({ "clé 🔑": "valeur ✓" });
  });

  it("status replies decode correctly", async () => {
    const key = `${rest.prefix}typed`;
    await rest.redis.set(key, "v");
    // TYPE and PING return status replies other than OK, so the bridge base64-encodes them.
    expect(await rest.redis.type(key)).toBe("string");
    expect(await rest.redis.ping()).toBe("PONG");
    expect(await rest.redis.echo("OK")).toBe("OK");
  });

  it("scan finds prefixed keys", async () => {
    const keys = [`${rest.prefix}scan:1`, `${rest.prefix}scan:2`, `${rest.prefix}scan:3`];
    for (const key of keys) await rest.redis.set(key, "v");
    const found: string[] = [];
    let cursor = "0";
    do {
      const [next, page] = await rest.redis.scan(cursor, { match: `${rest.prefix}scan:*`, count: 100 });
      found.push(...page);
      cursor = String(next);
    } while (cursor !== "0");
    expect(found.sort()).toEqual(keys);
  });
});
