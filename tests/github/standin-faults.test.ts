import { afterEach, describe, expect, it } from "vitest";
import { type GitHubStandIn, startGitHubStandIn } from "../../local/github/index.js";
import { createGitHubClient, GitHubError } from "../../steps/github/index.js";
import { postGraphQL } from "./helpers.js";

const started: GitHubStandIn[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((standIn) => standIn.close()));
});

async function start(options: Parameters<typeof startGitHubStandIn>[0]): Promise<GitHubStandIn> {
  const standIn = await startGitHubStandIn(options);
  started.push(standIn);
  return standIn;
}

/** Sends `count` cheap queries and returns the HTTP status of each. */
async function statuses(standIn: GitHubStandIn, count: number): Promise<string[]> {
  const result: string[] = [];
  for (let index = 0; index < count; index += 1) {
    const response = await postGraphQL(standIn, "{ viewer { login } }");
    const errors = response.body.errors as { message: string }[] | undefined;
    result.push(errors ? `${response.status}:error` : String(response.status));
  }
  return result;
}

const MIXED_FAULTS = { errorRate: 0.2, badGatewayRate: 0.2, secondaryRateLimitRate: 0.2 };

describe("GitHub stand-in faults", () => {
  it("same seed repeats fault sequence", async () => {
    const first = await start({ faults: MIXED_FAULTS, seed: 42 });
    const second = await start({ faults: MIXED_FAULTS, seed: 42 });
    const sequence = await statuses(first, 40);
    expect(await statuses(second, 40)).toEqual(sequence);
    // Every injected fault and plain success appear in 40 draws with these rates.
    for (const outcome of ["200", "200:error", "502:error", "403"]) expect(sequence).toContain(outcome);
  });

  it("other seed changes fault sequence", async () => {
    const first = await start({ faults: MIXED_FAULTS, seed: 42 });
    const second = await start({ faults: MIXED_FAULTS, seed: 7 });
    expect(await statuses(second, 40)).not.toEqual(await statuses(first, 40));
  });

  it("control endpoint restarts the seed", async () => {
    const standIn = await start({});
    const setFaults = async () => {
      const response = await fetch(`${standIn.url}/_github/faults`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ ...MIXED_FAULTS, seed: 9 }),
      });
      expect(response.status).toBe(200);
    };
    await setFaults();
    const sequence = await statuses(standIn, 20);
    await setFaults();
    expect(await statuses(standIn, 20)).toEqual(sequence);
    const stats = (await (await fetch(`${standIn.url}/_github/stats`)).json()) as { requests: number };
    expect(stats.requests).toBe(40);
  });

  it("control endpoint rejects invalid rates", async () => {
    const standIn = await start({});
    const response = await fetch(`${standIn.url}/_github/faults`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ errorRate: 2 }),
    });
    expect(response.status).toBe(400);
  });

  it("secondary limit sends retry-after", async () => {
    const standIn = await start({ faults: { secondaryRateLimitRate: 1, retryAfterSeconds: 17 } });
    const response = await postGraphQL(standIn, "{ viewer { login } }");
    expect(response.status).toBe(403);
    expect(response.headers.get("retry-after")).toBe("17");
    expect(String(response.body.message)).toContain("secondary rate limit");
  });

  it("bad gateway uses GitHub's body", async () => {
    const standIn = await start({ faults: { badGatewayRate: 1 } });
    const response = await postGraphQL(standIn, "{ viewer { login } }");
    expect(response.status).toBe(502);
    expect(response.body.data).toBeNull();
    expect((response.body.errors as { message: string }[])[0]?.message).toMatch(/^Something went wrong/);
  });

  it("bad credentials fault returns 401", async () => {
    const standIn = await start({ faults: { badCredentials: true } });
    const response = await postGraphQL(standIn, "{ viewer { login } }");
    expect(response.status).toBe(401);
    expect(response.body).toEqual({
      message: "Bad credentials",
      documentation_url: "https://docs.github.com/graphql",
      status: "401",
    });
  });

  it("exhausted limit answers 403 when set", async () => {
    const standIn = await start({ faults: { rateLimitExhausted: true, rateLimitedStatus: 403 } });
    const response = await postGraphQL(standIn, "{ viewer { login } }");
    expect(response.status).toBe(403);
    expect((response.body.errors as { type: string }[])[0]?.type).toBe("RATE_LIMITED");
    expect(response.headers.get("x-ratelimit-remaining")).toBe("0");
    expect(Number(response.headers.get("x-ratelimit-reset"))).toBeGreaterThan(Date.now() / 1000);

    standIn.setFaults({});
    const stillExhausted = await postGraphQL(standIn, "{ viewer { login } }");
    expect(stillExhausted.status).toBe(200);
    expect((stillExhausted.body.errors as { type: string }[])[0]?.type).toBe("RATE_LIMITED");

    standIn.resetRateLimits();
    const recovered = await postGraphQL(standIn, "{ viewer { login } }");
    expect(recovered.body.data).toEqual({ viewer: { login: "radar-local" } });
  });

  it("hang trips the client timeout", async () => {
    const standIn = await start({ faults: { timeoutRate: 1, hangMs: 30_000 } });
    const client = createGitHubClient({ baseUrl: standIn.url, token: standIn.token, timeoutMs: 300 });
    const error = await client.send("Viewer", "{ viewer { login } }", {}).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(GitHubError);
    expect((error as GitHubError).kind).toBe("timeout");
    expect(standIn.stats().outcomes.timeout).toBe(1);
  });

  it("latency still answers correctly", async () => {
    const standIn = await start({ latencyMs: 50, faults: { latencyJitterMs: 20 } });
    const response = await postGraphQL(standIn, "{ viewer { login } }");
    expect(response.status).toBe(200);
    expect(response.body.data).toEqual({ viewer: { login: "radar-local" } });
  });
});
