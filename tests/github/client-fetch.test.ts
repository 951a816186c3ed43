import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type GitHubStandIn, startGitHubStandIn } from "../../local/github/index.js";
import { IssueSchema } from "../../shared/domain/index.js";
import {
  createGitHubClient,
  estimateIssuePagesCost,
  estimateProbeCost,
  fetchIssue,
  fetchIssuePages,
  fetchRepositories,
  GitHubError,
  RateBudget,
  RepositoryNotFoundError,
} from "../../steps/github/index.js";
import {
  countingFetch,
  issueRecords,
  repositoryRecord,
  type TempSnapshot,
  writeTempSnapshot,
} from "./helpers.js";

// 45 repositories: acme/r1 has 250 open issues, acme/r2 has 3, the rest have none.
const NAMES = Array.from({ length: 45 }, (_, index) => `acme/r${index + 1}`);
let temp: TempSnapshot;
const started: GitHubStandIn[] = [];

beforeAll(async () => {
  temp = await writeTempSnapshot(NAMES.map(repositoryRecord), [
    ...issueRecords("acme/r1", 250),
    ...issueRecords("acme/r2", 3),
  ]);
});

afterAll(async () => {
  await temp?.remove();
});

afterEach(async () => {
  await Promise.all(started.splice(0).map((standIn) => standIn.close()));
});

async function start(options: Parameters<typeof startGitHubStandIn>[0] = {}): Promise<GitHubStandIn> {
  const standIn = await startGitHubStandIn({ snapshotDir: temp.dir, ...options });
  started.push(standIn);
  return standIn;
}

function clientFor(standIn: GitHubStandIn, fetchImplementation?: typeof fetch) {
  return createGitHubClient({
    baseUrl: standIn.url,
    token: standIn.token,
    timeoutMs: 5000,
    fetch: fetchImplementation,
  });
}

describe("fetchRepositories", () => {
  it("batches repositories per request", async () => {
    const standIn = await start();
    const counter = countingFetch();
    const result = await fetchRepositories(clientFor(standIn, counter.fetch), NAMES, {
      repositoriesPerRequest: 20,
    });
    // Three probes (20 + 20 + 5) and one request for the pages of the two changed repositories.
    expect(counter.count()).toBe(4);
    expect(result.requests).toBe(4);
    expect(standIn.stats().requests).toBe(4);
    expect(result.scanned).toHaveLength(45);
    expect(result.skipped).toEqual([]);
  });

  it("estimates match charged points", async () => {
    const standIn = await start();
    const budget = new RateBudget();
    await fetchRepositories(clientFor(standIn), NAMES, { repositoriesPerRequest: 20, budget });
    const estimated = 2 * estimateProbeCost(20) + estimateProbeCost(5) + estimateIssuePagesCost([100, 3]);
    expect(standIn.stats().pointsSpent).toBe(estimated);
    expect(budget.toJSON().spent).toBe(estimated);
    expect(budget.remaining).toBe(5000 - estimated);
  });

  it("maps issues to domain types", async () => {
    const standIn = await start();
    const result = await fetchRepositories(clientFor(standIn), ["acme/r1", "acme/r2", "acme/r3"]);
    const byName = new Map(result.scanned.map((scan) => [scan.repository.nameWithOwner, scan]));

    const first = byName.get("acme/r1");
    expect(first?.changedIssueCount).toBe(250);
    expect(first?.issues).toHaveLength(100);
    expect(first?.nextCursor).not.toBeNull();
    expect(first?.states).toEqual(["OPEN"]);
    for (const issue of first?.issues ?? []) expect(IssueSchema.parse(issue)).toEqual(issue);
    expect(first?.issues.map((issue) => issue.number)).toEqual(
      Array.from({ length: 100 }, (_, index) => index + 1),
    );
    expect(first?.issues[0]).toMatchObject({
      repository: "acme/r1",
      labels: ["bug"],
      author: "user-1",
      commentCount: 0,
    });

    expect(byName.get("acme/r2")?.issues).toHaveLength(3);
    expect(byName.get("acme/r2")?.nextCursor).toBeNull();
    expect(byName.get("acme/r3")).toMatchObject({ changedIssueCount: 0, issues: [], nextCursor: null });
    expect(byName.get("acme/r3")?.repository).toEqual({
      id: expect.stringMatching(/^R_/),
      owner: "acme",
      name: "r3",
      nameWithOwner: "acme/r3",
      url: "https://github.com/acme/r3",
      primaryLanguage: "TypeScript",
      description: null,
      topics: [],
      stargazerCount: 0,
      isArchived: false,
    });
  });

  it("reports unknown repository", async () => {
    const standIn = await start();
    const result = await fetchRepositories(clientFor(standIn), ["acme/r2", "acme/missing"]);
    expect(result.scanned.map((scan) => scan.repository.nameWithOwner)).toEqual(["acme/r2"]);
    expect(result.notFound).toHaveLength(1);
    expect(result.notFound[0]).toBeInstanceOf(RepositoryNotFoundError);
    expect(result.notFound[0]?.repository).toBe("acme/missing");
    expect(result.notFound[0]?.graphqlErrors[0]?.type).toBe("NOT_FOUND");
  });

  it("incremental scan reads only changes", async () => {
    const standIn = await start();
    const client = clientFor(standIn);
    const firstScan = await fetchRepositories(client, ["acme/r2"]);
    const newest = firstScan.scanned[0]?.issues.at(-1)?.updatedAt ?? null;
    expect(newest).toBe("2024-01-03T00:00:00Z");

    const unchanged = await fetchRepositories(client, ["acme/r2"], { since: { "acme/r2": newest } });
    // `since` is inclusive, so the newest issue of the last scan comes back once more.
    expect(unchanged.scanned[0]?.issues.map((issue) => issue.number)).toEqual([3]);
    expect(unchanged.scanned[0]?.states).toEqual(["OPEN", "CLOSED"]);

    standIn.upsertIssue({ repository: "acme/r2", number: 1, state: "CLOSED" });
    standIn.upsertIssue({ repository: "acme/r2", title: "Brand new issue" });
    const changed = await fetchRepositories(client, ["acme/r2"], { since: { "acme/r2": newest } });
    const issues = changed.scanned[0]?.issues ?? [];
    expect(issues.map((issue) => [issue.number, issue.state])).toEqual([
      [3, "OPEN"],
      [1, "CLOSED"],
      [4, "OPEN"],
    ]);
  });

  it("budget stops the scan", async () => {
    const standIn = await start({ pointsPerHour: 10 });
    const budget = new RateBudget({ reserve: 5 });
    const result = await fetchRepositories(clientFor(standIn), NAMES, { repositoriesPerRequest: 20, budget });
    // Three probes leave 7 points; the 3-point page request would leave 4, below the reserve of 5.
    expect(result.requests).toBe(3);
    expect(result.skipped).toEqual([
      { repository: "acme/r1", stage: "issues", estimatedCost: 3 },
      { repository: "acme/r2", stage: "issues", estimatedCost: 3 },
    ]);
    expect(result.scanned.map((scan) => scan.repository.nameWithOwner)).not.toContain("acme/r1");
    expect(budget.remaining).toBe(7);
  });

  it("budget skips probes when empty", async () => {
    const standIn = await start();
    const budget = new RateBudget({ reserve: 100 });
    budget.record("RepositoryProbe", { cost: 1, remaining: 100, resetAt: "2999-01-01T00:00:00Z" });
    const result = await fetchRepositories(clientFor(standIn), ["acme/r1", "acme/r2"], { budget });
    expect(result.requests).toBe(0);
    expect(result.skipped.map((entry) => [entry.repository, entry.stage])).toEqual([
      ["acme/r1", "probe"],
      ["acme/r2", "probe"],
    ]);
  });
});

describe("fetchIssuePages", () => {
  it("continues from the scan cursor", async () => {
    const standIn = await start();
    const client = clientFor(standIn);
    const scan = await fetchRepositories(client, ["acme/r1"]);
    const cursor = scan.scanned[0]?.nextCursor ?? null;
    const rest = await fetchIssuePages(client, "acme/r1", null, cursor, { maxPages: 5 });
    expect(rest.pages).toBe(2);
    expect(rest.nextCursor).toBeNull();
    const numbers = [...(scan.scanned[0]?.issues ?? []), ...rest.issues].map((issue) => issue.number);
    expect(numbers).toEqual(Array.from({ length: 250 }, (_, index) => index + 1));
  });

  it("throws for unknown repository", async () => {
    const standIn = await start();
    const error = await fetchIssuePages(clientFor(standIn), "acme/missing", null, null).catch(
      (caught) => caught,
    );
    expect(error).toBeInstanceOf(RepositoryNotFoundError);
    expect((error as RepositoryNotFoundError).name).toBe("RepositoryNotFoundError");
  });
});

describe("fetchIssue", () => {
  it("reads one issue or null", async () => {
    const standIn = await start();
    const client = clientFor(standIn);
    const issue = await fetchIssue(client, "acme/r2", 2);
    expect(issue).toMatchObject({ number: 2, title: "Issue 2", state: "OPEN", repository: "acme/r2" });
    expect(await fetchIssue(client, "acme/r2", 99)).toBeNull();
    await expect(fetchIssue(client, "acme/missing", 1)).rejects.toBeInstanceOf(RepositoryNotFoundError);
  });
});

describe("GitHub client errors", () => {
  async function failure(faults: Parameters<GitHubStandIn["setFaults"]>[0]): Promise<GitHubError> {
    const standIn = await start({ faults });
    const error = await fetchIssue(clientFor(standIn), "acme/r2", 1).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(GitHubError);
    return error as GitHubError;
  }

  it("secondary limit carries retry-after", async () => {
    const error = await failure({ secondaryRateLimitRate: 1, retryAfterSeconds: 17 });
    expect(error.kind).toBe("secondary-rate-limited");
    expect(error.status).toBe(403);
    expect(error.retryAfterSeconds).toBe(17);
  });

  it("primary limit carries reset time", async () => {
    const error = await failure({ rateLimitExhausted: true });
    expect(error.kind).toBe("rate-limited");
    expect(error.type).toBe("RATE_LIMITED");
    expect(error.rateLimitRemaining).toBe(0);
    expect(error.rateLimitReset).toBeGreaterThan(Date.now() / 1000);
  });

  it("primary limit with 403 status", async () => {
    const error = await failure({ rateLimitExhausted: true, rateLimitedStatus: 403 });
    expect(error.kind).toBe("rate-limited");
    expect(error.status).toBe(403);
    expect(error.graphqlErrors[0]?.type).toBe("RATE_LIMITED");
  });

  it("bad credentials are unauthorized", async () => {
    const error = await failure({ badCredentials: true });
    expect(error.kind).toBe("unauthorized");
    expect(error.status).toBe(401);
    expect(error.message).toContain("Bad credentials");
  });

  it("502 and execution errors are server", async () => {
    const gateway = await failure({ badGatewayRate: 1 });
    expect(gateway.kind).toBe("server");
    expect(gateway.status).toBe(502);
    const execution = await failure({ errorRate: 1 });
    expect(execution.kind).toBe("server");
    expect(execution.status).toBeNull();
  });

  it("invalid options fail at creation", () => {
    expect(() => createGitHubClient({ baseUrl: "not a url", token: "t" })).toThrow();
    expect(() => createGitHubClient({ baseUrl: "http://127.0.0.1:1", token: "" })).toThrow(/token/);
  });
});
