/** Shared setup for the GitHub tests: temporary snapshot directories and raw GraphQL calls. */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { GitHubStandIn, SnapshotIssue, SnapshotRepository } from "../../local/github/index.js";

export interface TempSnapshot {
  dir: string;
  remove(): Promise<void>;
}

/** Writes `repositories.json` and `issues.json` (any values, valid or not) into a new temporary directory. */
export async function writeTempSnapshot(repositories: unknown[], issues: unknown[]): Promise<TempSnapshot> {
  const dir = await mkdtemp(join(tmpdir(), "github-snapshot-"));
  await writeFile(join(dir, "repositories.json"), JSON.stringify(repositories));
  await writeFile(join(dir, "issues.json"), JSON.stringify(issues));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

export function repositoryRecord(nameWithOwner: string): SnapshotRepository {
  const [owner = "", name = ""] = nameWithOwner.split("/");
  return {
    owner,
    name,
    nameWithOwner,
    url: `https://github.com/${nameWithOwner}`,
    primaryLanguage: "TypeScript",
  };
}

/**
 * Builds `count` open issues numbered 1..count with the label `bug`. Issue n is created on
 * 2024-01-01 plus n - 1 days and has no comments, so its `updatedAt` is the same day.
 */
export function issueRecords(repository: string, count: number): SnapshotIssue[] {
  return Array.from({ length: count }, (_, index) => {
    const number = index + 1;
    const day = new Date(Date.UTC(2024, 0, 1 + index)).toISOString().replace(".000Z", "Z");
    return {
      repository,
      number,
      url: `https://github.com/${repository}/issues/${number}`,
      title: `Issue ${number}`,
      body: `Body of issue ${number}`,
      state: "OPEN",
      labels: ["bug"],
      createdAt: day,
      author: `user-${number}`,
      comments: [],
      totalCommentCount: 0,
    };
  });
}

export interface RawResponse {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
}

/** Posts one GraphQL request to the stand-in with its token, or with `authorization` when given. */
export async function postGraphQL(
  standIn: GitHubStandIn,
  query: string,
  variables: Record<string, unknown> = {},
  options: { authorization?: string | null; path?: string } = {},
): Promise<RawResponse> {
  const headers: Record<string, string> = { "content-type": "application/json" };
  const authorization =
    options.authorization === undefined ? `bearer ${standIn.token}` : options.authorization;
  if (authorization !== null) headers.authorization = authorization;
  const response = await fetch(`${standIn.url}${options.path ?? "/graphql"}`, {
    method: "POST",
    headers,
    body: JSON.stringify({ query, variables }),
  });
  return {
    status: response.status,
    headers: response.headers,
    body: (await response.json()) as Record<string, unknown>,
  };
}

/** A fetch wrapper that counts the requests it sends. */
export function countingFetch(): { fetch: typeof fetch; count: () => number } {
  let requests = 0;
  return {
    fetch: (input, init) => {
      requests += 1;
      return fetch(input, init);
    },
    count: () => requests,
  };
}
