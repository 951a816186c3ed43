import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { computeContentHash, RateBudget } from "../../steps/github/index.js";

const RESET = "2030-01-01T01:00:00Z";

describe("RateBudget", () => {
  it("allows requests while remaining unknown", () => {
    const budget = new RateBudget({ reserve: 200 });
    expect(budget.remaining).toBeNull();
    expect(budget.fits(10_000)).toBe(true);
  });

  it("keeps the reserve", () => {
    const budget = new RateBudget({ reserve: 200, now: () => Date.parse("2030-01-01T00:00:00Z") });
    budget.record("IssuePages", { cost: 3, remaining: 210, resetAt: RESET });
    expect(budget.fits(10)).toBe(true);
    expect(budget.fits(11)).toBe(false);
  });

  it("forgets remaining after reset", () => {
    let now = Date.parse("2030-01-01T00:00:00Z");
    const budget = new RateBudget({ reserve: 0, now: () => now });
    budget.record("IssuePages", { cost: 3, remaining: 0, resetAt: RESET });
    expect(budget.fits(1)).toBe(false);
    now = Date.parse(RESET);
    expect(budget.remaining).toBeNull();
    expect(budget.fits(1)).toBe(true);
  });

  it("estimates from last observed cost", () => {
    const budget = new RateBudget();
    expect(budget.estimateCost("IssuePages")).toBe(1);
    budget.record("IssuePages", { cost: 7, remaining: 4000, resetAt: RESET });
    expect(budget.estimateCost("IssuePages")).toBe(7);
    expect(budget.estimateCost("IssuePages", 3)).toBe(3);
  });

  it("reads rate-limit headers", () => {
    const budget = new RateBudget({ now: () => Date.parse("2030-01-01T00:00:00Z") });
    budget.recordHeaders({
      "x-ratelimit-remaining": "0",
      "x-ratelimit-reset": "1893459600",
      "x-ratelimit-limit": "5000",
    });
    expect(budget.remaining).toBe(0);
    expect(budget.resetAt).toBe("2030-01-01T01:00:00.000Z");
  });

  it("survives a JSON round trip", () => {
    const budget = new RateBudget({ now: () => Date.parse("2030-01-01T00:00:00Z") });
    budget.record("RepositoryProbe", { cost: 1, remaining: 4999, resetAt: RESET, limit: 5000 });
    const restored = RateBudget.from(JSON.parse(JSON.stringify(budget)), {
      now: () => Date.parse("2030-01-01T00:00:00Z"),
    });
    expect(restored.remaining).toBe(4999);
    expect(restored.toJSON()).toEqual(budget.toJSON());
  });

  it("rejects a malformed saved state", () => {
    expect(() => RateBudget.from({ remaining: -1 })).toThrow();
  });
});

describe("computeContentHash", () => {
  it("hashes JSON of title, body, sorted labels", async () => {
    const expected = createHash("sha256")
      .update(JSON.stringify(["Title", "Body", ["a", "b"]]))
      .digest("hex");
    expect(await computeContentHash("Title", "Body", ["b", "a"])).toBe(expected);
  });

  it("ignores label order only", async () => {
    const base = await computeContentHash("T", "B", ["x", "y"]);
    expect(await computeContentHash("T", "B", ["y", "x"])).toBe(base);
    expect(await computeContentHash("T", "B", ["x"])).not.toBe(base);
    expect(await computeContentHash("T", "B2", ["x", "y"])).not.toBe(base);
    // Moving text between fields changes the hash, because JSON keeps the parts apart.
    expect(await computeContentHash("TB", "", ["x", "y"])).not.toBe(
      await computeContentHash("T", "B", ["x", "y"]),
    );
  });
});
