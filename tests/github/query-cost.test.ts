import { getOperationAST, parse } from "graphql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  computeQueryCost,
  type GitHubStandIn,
  loadGitHubSchema,
  startGitHubStandIn,
} from "../../local/github/index.js";
import { postGraphQL } from "./helpers.js";

async function costOf(query: string, variables: Record<string, unknown> = {}) {
  const schema = await loadGitHubSchema();
  const document = parse(query);
  const operation = getOperationAST(document);
  if (!operation) throw new Error("test query has no operation");
  return computeQueryCost(schema, document, operation, variables);
}

// The three queries below are the worked examples of GitHub's "Rate limits and query limits for the
// GraphQL API" page (docs.github.com), with the node counts and point values it states.
const SIMPLE_EXAMPLE = `query {
  viewer {
    repositories(first: 50) {
      edges { repository: node { name issues(first: 10) { totalCount edges { node { title bodyHTML } } } } }
    }
  }
}`;

const COMPLEX_EXAMPLE = `query {
  viewer {
    repositories(first: 50) {
      edges {
        repository: node {
          name
          pullRequests(first: 20) {
            edges { pullRequest: node { title comments(first: 10) { edges { comment: node { bodyHTML } } } } }
          }
          issues(first: 20) {
            totalCount
            edges { issue: node { title bodyHTML comments(first: 10) { edges { comment: node { bodyHTML } } } } }
          }
        }
      }
    }
    followers(first: 10) { edges { follower: node { login } } }
  }
}`;

const POINTS_EXAMPLE = `query {
  viewer {
    login
    repositories(first: 100) {
      edges { node { id issues(first: 50) { edges { node { id labels(first: 60) { edges { node { id name } } } } } } } }
    }
  }
}`;

describe("computeQueryCost", () => {
  it("counts nodes of simple example", async () => {
    const cost = await costOf(SIMPLE_EXAMPLE);
    expect(cost.nodeCount).toBe(550);
    expect(cost.requests).toBe(51);
    expect(cost.cost).toBe(1);
  });

  it("counts nodes of complex example", async () => {
    const cost = await costOf(COMPLEX_EXAMPLE);
    expect(cost.nodeCount).toBe(22_060);
    // 1 repositories + 50 pull requests + 1000 PR comments + 50 issues + 1000 issue comments + 1 followers
    expect(cost.requests).toBe(2102);
    expect(cost.cost).toBe(21);
  });

  it("scores the documented points example", async () => {
    const cost = await costOf(POINTS_EXAMPLE);
    expect(cost.requests).toBe(5101);
    expect(cost.cost).toBe(51);
  });

  it("charges one point minimum", async () => {
    const cost = await costOf("{ viewer { login } }");
    expect(cost.requests).toBe(0);
    expect(cost.cost).toBe(1);
  });

  it("reads page sizes from variables", async () => {
    const query = `query($n: Int!) { viewer { repositories(first: $n) { nodes { issues(first: $n) { nodes { id } } } } } }`;
    const cost = await costOf(query, { n: 100 });
    expect(cost.requests).toBe(101);
    expect(cost.nodeCount).toBe(10_100);
  });

  it("follows fragments and aliases", async () => {
    const query = `{
      a: repository(owner: "x", name: "y") { ...Issues }
      b: repository(owner: "x", name: "z") { ...Issues }
    }
    fragment Issues on Repository { issues(first: 100) { nodes { labels(first: 5) { nodes { name } } } } }`;
    const cost = await costOf(query);
    expect(cost.requests).toBe(2 * (1 + 100));
    expect(cost.cost).toBe(2);
  });

  it("rejects calls over 500,000 nodes", async () => {
    const query = `{ viewer { repositories(first: 100) { nodes { issues(first: 100) { nodes { labels(first: 100) { nodes { name } } } } } } } }`;
    const cost = await costOf(query);
    expect(cost.nodeCount).toBe(1_010_100);
    expect(cost.errors[0]?.type).toBe("MAX_NODE_LIMIT_EXCEEDED");
  });
});

describe("GitHub stand-in rate limit", () => {
  let standIn: GitHubStandIn;
  beforeAll(async () => {
    standIn = await startGitHubStandIn({ pointsPerHour: 60 });
  });
  afterAll(async () => {
    await standIn?.close();
  });

  it("charges cost and sends headers", async () => {
    const query = `{ repository(owner: "cli", name: "cli") { issues(first: 100) { nodes { labels(first: 10) { nodes { name } } } } }
      rateLimit { limit cost remaining used resetAt nodeCount } }`;
    const response = await postGraphQL(standIn, query);
    const rateLimit = (response.body.data as { rateLimit: Record<string, number | string> }).rateLimit;
    expect(rateLimit).toMatchObject({ limit: 60, cost: 1, remaining: 59, used: 1, nodeCount: 1100 });
    expect(response.headers.get("x-ratelimit-limit")).toBe("60");
    expect(response.headers.get("x-ratelimit-remaining")).toBe("59");
    expect(response.headers.get("x-ratelimit-used")).toBe("1");
    expect(response.headers.get("x-ratelimit-resource")).toBe("graphql");
    const reset = Number(response.headers.get("x-ratelimit-reset"));
    expect(reset).toBe(Math.ceil(Date.parse(String(rateLimit.resetAt)) / 1000));
    expect(standIn.stats().pointsSpent).toBe(1);
  });

  it("returns RATE_LIMITED when points run out", async () => {
    // 1 + 100 + 10,000 requests cost 101 points, more than the 59 left, so it is refused uncharged.
    const big = `{ viewer { repositories(first: 100) { nodes { issues(first: 100) { nodes { labels(first: 40) { nodes { name } } } } } } } }`;
    // 101 requests cost 1 point, so this query runs 59 times and then fails.
    const expensive = `{ viewer { repositories(first: 100) { nodes { issues(first: 50) { nodes { id } } } } } }`;
    const refused = await postGraphQL(standIn, big);
    expect(refused.status).toBe(200);
    expect(refused.body).toEqual({
      errors: [
        {
          type: "RATE_LIMITED",
          code: "graphql_rate_limit",
          message: "API rate limit exceeded for user ID 1.",
        },
      ],
    });
    expect(refused.headers.get("x-ratelimit-remaining")).toBe("59");
    for (let index = 0; index < 59; index += 1) {
      const response = await postGraphQL(standIn, expensive);
      expect(response.status).toBe(200);
    }
    const exhausted = await postGraphQL(standIn, expensive);
    expect((exhausted.body.errors as { type: string }[])[0]?.type).toBe("RATE_LIMITED");
    expect(exhausted.headers.get("x-ratelimit-remaining")).toBe("0");
  });
});
