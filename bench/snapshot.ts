/**
 * Builds a synthetic GitHub snapshot (the format in `local/github/snapshot/README.md`) of open, recent
 * issues spread over a number of repositories, derived from the bundled snapshot.
 *
 * Each issue copies the title, body, labels and comments of a bundled open issue that passes the
 * product's noise checks. It gets a unique number, dates within the last 30 days of `now`, and a
 * variant line in its body, so its content hash differs from every other issue. With the default
 * filter settings every generated issue is therefore a fresh candidate.
 */
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { z } from "zod";
import { BUNDLED_SNAPSHOT_DIR } from "../local/github/index.js";
import {
  DEFAULT_EXCLUDED_LABELS,
  isClaimOnly,
  isEmptyBody,
  isTemplateOnly,
  isTestIssue,
  normaliseName,
} from "../steps/scoring/index.js";

const CommentSchema = z.object({ author: z.string().nullable(), createdAt: z.string(), body: z.string() });

const SnapshotIssueSchema = z.looseObject({
  repository: z.string(),
  number: z.number().int(),
  url: z.string(),
  title: z.string(),
  body: z.string(),
  state: z.enum(["OPEN", "CLOSED"]),
  labels: z.array(z.string()),
  createdAt: z.string(),
  author: z.string().nullable(),
  comments: z.array(CommentSchema),
  totalCommentCount: z.number().int(),
  updatedAt: z.string().optional(),
  locked: z.boolean().optional(),
  assignees: z.array(z.string()).optional(),
});
type SnapshotIssue = z.infer<typeof SnapshotIssueSchema>;

const SnapshotRepositorySchema = z.looseObject({
  owner: z.string(),
  name: z.string(),
  nameWithOwner: z.string(),
  url: z.string(),
  isArchived: z.boolean().optional(),
});
type SnapshotRepository = z.infer<typeof SnapshotRepositorySchema>;

export interface SyntheticSnapshotOptions {
  issues: number;
  repositories: number;
  /** Reference time of the issue dates. The filter measures staleness against the same clock. */
  now: Date;
}

export interface SyntheticSnapshot {
  dir: string;
  repositories: string[];
  issues: number;
}

const MS_PER_DAY = 86_400_000;
const MAX_AGE_DAYS = 30;
/** Issue numbers start here so they never look like the bundled ones. */
const FIRST_NUMBER = 10_000;

function isSeedIssue(issue: SnapshotIssue): boolean {
  const excluded = new Set(DEFAULT_EXCLUDED_LABELS.map(normaliseName));
  return (
    issue.state === "OPEN" &&
    issue.locked !== true &&
    (issue.assignees ?? []).length === 0 &&
    !issue.labels.some((label) => excluded.has(normaliseName(label)) || normaliseName(label).includes(":")) &&
    !isEmptyBody(issue.body) &&
    !isTemplateOnly(issue.body) &&
    !isClaimOnly(issue.title, issue.body) &&
    !isTestIssue(issue.title, issue.body)
  );
}

async function readJson<T extends z.ZodType>(file: string, schema: T): Promise<z.output<T>> {
  const parsed = schema.safeParse(JSON.parse(await readFile(file, "utf8")));
  if (!parsed.success) throw new Error(`invalid snapshot file ${file}: ${parsed.error.message}`);
  return parsed.data;
}

/** Writes the snapshot to a new temporary directory and returns it. The caller deletes the directory. */
export async function writeSyntheticSnapshot(options: SyntheticSnapshotOptions): Promise<SyntheticSnapshot> {
  const bundledRepositories = await readJson(
    join(BUNDLED_SNAPSHOT_DIR, "repositories.json"),
    z.array(SnapshotRepositorySchema),
  );
  const bundledIssues = await readJson(
    join(BUNDLED_SNAPSHOT_DIR, "issues.json"),
    z.array(SnapshotIssueSchema),
  );

  const repositories: SnapshotRepository[] = bundledRepositories
    .filter((repository) => repository.isArchived !== true)
    .slice(0, options.repositories);
  if (repositories.length < options.repositories) {
    throw new Error(
      `the bundled snapshot has ${repositories.length} active repositories, fewer than the ${options.repositories} requested`,
    );
  }
  const seeds = bundledIssues.filter(isSeedIssue);
  if (seeds.length === 0)
    throw new Error("the bundled snapshot has no open issue that passes the noise checks");

  const issues: SnapshotIssue[] = [];
  for (let index = 0; index < options.issues; index += 1) {
    const seed = seeds[index % seeds.length]!;
    const repository = repositories[index % repositories.length]!;
    const number = FIRST_NUMBER + index;
    const createdMs = options.now.getTime() - ((index % MAX_AGE_DAYS) + 1) * MS_PER_DAY;
    const createdAt = new Date(createdMs).toISOString();
    const comments = seed.comments.map((comment, position) => ({
      ...comment,
      createdAt: new Date(createdMs + (position + 1) * 3_600_000).toISOString(),
    }));
    issues.push({
      ...seed,
      repository: repository.nameWithOwner,
      number,
      url: `${repository.url}/issues/${number}`,
      body: `${seed.body}\n\nSeen again in build ${index}.`,
      createdAt,
      updatedAt: comments.at(-1)?.createdAt ?? createdAt,
      comments,
      locked: false,
      assignees: [],
    });
  }

  const dir = await mkdtemp(join(tmpdir(), "radar-bench-snapshot-"));
  await writeFile(join(dir, "repositories.json"), JSON.stringify(repositories));
  await writeFile(join(dir, "issues.json"), JSON.stringify(issues));
  return {
    dir,
    repositories: repositories.map((repository) => repository.nameWithOwner),
    issues: issues.length,
  };
}
