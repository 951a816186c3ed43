/**
 * Issues and repositories for the analysis and scoring tests: hand-made ones, and the recorded GitHub
 * snapshot (366 real issues, paraphrased) converted to the domain types.
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { type Issue, IssueSchema, type Repository, RepositorySchema } from "../../shared/domain/index.js";

/** Where the recorded snapshot lives; the first existing directory wins. */
const SNAPSHOT_DIRECTORIES = [fileURLToPath(new URL("../../local/github/snapshot", import.meta.url))];

const SnapshotIssueSchema = z.object({
  repository: z.string(),
  number: z.number().int(),
  url: z.string(),
  title: z.string(),
  body: z.string(),
  state: z.enum(["OPEN", "CLOSED"]),
  labels: z.array(z.string()),
  createdAt: z.string(),
  author: z.string().nullable(),
  comments: z.array(z.object({ author: z.string().nullable(), createdAt: z.string(), body: z.string() })),
  totalCommentCount: z.number().int(),
});

const SnapshotRepositorySchema = z.object({
  owner: z.string(),
  name: z.string(),
  nameWithOwner: z.string(),
  url: z.string(),
  primaryLanguage: z.string().optional(),
  description: z.string().optional(),
});

/** SHA-256 (hex) of title, body and sorted labels, one per line. */
export function contentHashOf(title: string, body: string, labels: readonly string[]): string {
  return createHash("sha256")
    .update([title, body, ...[...labels].sort()].join("\n"))
    .digest("hex");
}

export function makeRepository(overrides: Partial<Repository> = {}): Repository {
  return RepositorySchema.parse({
    id: "R_test",
    owner: "acme",
    name: "widgets",
    nameWithOwner: "acme/widgets",
    url: "https://github.com/acme/widgets",
    primaryLanguage: "TypeScript",
    description: null,
    topics: ["web"],
    stargazerCount: 1_200,
    ...overrides,
  });
}

/** Builds an open, unassigned, fresh issue whose `contentHash` follows title, body and labels unless overridden. */
export function makeIssue(overrides: Partial<Issue> = {}): Issue {
  const title = overrides.title ?? "Add a --version flag to the CLI";
  const body =
    overrides.body ??
    "Running `widgets --version` prints an error. Expected behaviour: print the version from package.json and exit 0.";
  const labels = overrides.labels ?? ["good first issue", "enhancement"];
  const number = overrides.number ?? 17;
  return IssueSchema.parse({
    id: `I_test_${number}`,
    repository: "acme/widgets",
    number,
    url: `https://github.com/acme/widgets/issues/${number}`,
    state: "OPEN",
    locked: false,
    assignees: [],
    author: "user-1",
    createdAt: "2026-11-01T00:00:00Z",
    updatedAt: "2026-11-20T00:00:00Z",
    commentCount: 1,
    contentHash: contentHashOf(title, body, labels),
    ...overrides,
    title,
    body,
    labels,
  });
}

export interface Snapshot {
  issues: Issue[];
  repositories: Map<string, Repository>;
}

let cached: Snapshot | null = null;

/** Loads the snapshot once per test file; `updatedAt` is the last comment's date, else `createdAt`. */
export function loadSnapshot(): Snapshot {
  if (cached !== null) return cached;
  const directory = SNAPSHOT_DIRECTORIES.find((candidate) => existsSync(`${candidate}/issues.json`));
  if (directory === undefined) {
    throw new Error(`GitHub snapshot not found in any of ${SNAPSHOT_DIRECTORIES.join(", ")}`);
  }
  const rawIssues = z
    .array(SnapshotIssueSchema)
    .parse(JSON.parse(readFileSync(`${directory}/issues.json`, "utf8")));
  const rawRepositories = z
    .array(SnapshotRepositorySchema)
    .parse(JSON.parse(readFileSync(`${directory}/repositories.json`, "utf8")));

  const repositories = new Map<string, Repository>();
  for (const raw of rawRepositories) {
    repositories.set(
      raw.nameWithOwner,
      RepositorySchema.parse({
        id: `R_${raw.nameWithOwner}`,
        owner: raw.owner,
        name: raw.name,
        nameWithOwner: raw.nameWithOwner,
        url: raw.url,
        primaryLanguage: raw.primaryLanguage ?? null,
        description: raw.description ?? null,
      }),
    );
  }

  const issues = rawIssues.map((raw) => {
    const lastComment = raw.comments.at(-1);
    return IssueSchema.parse({
      id: `I_${raw.repository}#${raw.number}`,
      repository: raw.repository,
      number: raw.number,
      url: raw.url,
      title: raw.title,
      body: raw.body,
      state: raw.state,
      labels: raw.labels,
      author: raw.author,
      createdAt: raw.createdAt,
      updatedAt: lastComment?.createdAt ?? raw.createdAt,
      commentCount: raw.totalCommentCount,
      contentHash: contentHashOf(raw.title, raw.body, raw.labels),
    });
  });
  cached = { issues, repositories };
  return cached;
}

/** Finds the snapshot issue `owner/name#number`, throwing with the key when it is missing. */
export function snapshotIssue(key: string): { issue: Issue; repository: Repository } {
  const snapshot = loadSnapshot();
  const issue = snapshot.issues.find((candidate) => `${candidate.repository}#${candidate.number}` === key);
  if (issue === undefined) throw new Error(`snapshot issue ${key} not found`);
  const repository = snapshot.repositories.get(issue.repository);
  if (repository === undefined) throw new Error(`snapshot repository ${issue.repository} not found`);
  return { issue, repository };
}

/** Issues grouped by repository name, in first-seen order. */
export function groupByRepository(issues: readonly Issue[]): Map<string, Issue[]> {
  const groups = new Map<string, Issue[]>();
  for (const issue of issues) {
    const group = groups.get(issue.repository);
    if (group === undefined) groups.set(issue.repository, [issue]);
    else group.push(issue);
  }
  return groups;
}
