/**
 * Snapshot directory format for the local GitHub GraphQL stand-in, and its loader.
 *
 * A snapshot directory contains `repositories.json` and `issues.json`, each a JSON array of records.
 * `snapshot/README.md` next to this file describes the format for people who write their own.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";

const IsoTimeSchema = z.iso.datetime({ offset: true });
const LoginSchema = z.string().min(1);

export const SnapshotRepositorySchema = z.object({
  owner: z.string().min(1),
  name: z.string().min(1),
  nameWithOwner: z.string().regex(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/, "expected owner/name"),
  url: z.url(),
  primaryLanguage: z.string().min(1).nullable().optional(),
  description: z.string().nullable().optional(),
  stargazerCount: z.number().int().nonnegative().optional(),
  topics: z.array(z.string().min(1)).optional(),
  isArchived: z.boolean().optional(),
  createdAt: IsoTimeSchema.optional(),
  pushedAt: IsoTimeSchema.optional(),
});
export type SnapshotRepository = z.infer<typeof SnapshotRepositorySchema>;

export const SnapshotCommentSchema = z.object({
  author: LoginSchema.nullable(),
  createdAt: IsoTimeSchema,
  body: z.string(),
});
export type SnapshotComment = z.infer<typeof SnapshotCommentSchema>;

export const SnapshotIssueSchema = z.object({
  repository: z.string().regex(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/, "expected owner/name"),
  number: z.number().int().positive(),
  url: z.url(),
  title: z.string(),
  body: z.string(),
  state: z.enum(["OPEN", "CLOSED"]),
  labels: z.array(z.string().min(1)),
  createdAt: IsoTimeSchema,
  author: LoginSchema.nullable(),
  comments: z.array(SnapshotCommentSchema),
  /** Comments in the whole thread; at least `comments.length`. */
  totalCommentCount: z.number().int().nonnegative(),
  /** When absent, the stand-in uses the latest of `createdAt` and the comment dates. */
  updatedAt: IsoTimeSchema.optional(),
  locked: z.boolean().optional(),
  assignees: z.array(LoginSchema).optional(),
});
export type SnapshotIssue = z.infer<typeof SnapshotIssueSchema>;

export interface Snapshot {
  repositories: SnapshotRepository[];
  issues: SnapshotIssue[];
}

/** A snapshot file that is missing, not JSON, or contains a record that fails validation. */
export class SnapshotError extends Error {
  override readonly name = "SnapshotError";

  constructor(
    message: string,
    /** Path of the file that failed. */
    readonly file: string,
    /** Index of the failing record in the file's array, when one record is to blame. */
    readonly index?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

async function readJsonArray(file: string): Promise<unknown[]> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    throw new SnapshotError(`Cannot read snapshot file ${file}: ${String(error)}`, file, undefined, {
      cause: error,
    });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new SnapshotError(`Snapshot file ${file} is not valid JSON: ${String(error)}`, file, undefined, {
      cause: error,
    });
  }
  if (!Array.isArray(parsed)) {
    throw new SnapshotError(`Snapshot file ${file} must contain a JSON array of records`, file);
  }
  return parsed;
}

function parseRecords<T>(file: string, records: unknown[], schema: z.ZodType<T>): T[] {
  return records.map((record, index) => {
    const result = schema.safeParse(record);
    if (result.success) return result.data;
    const problems = result.error.issues
      .map((issue) => `${issue.path.join(".") || "(record)"}: ${issue.message}`)
      .join("; ");
    throw new SnapshotError(`Invalid record at ${file}[${index}]: ${problems}`, file, index);
  });
}

/**
 * Reads and validates `repositories.json` and `issues.json` from `dir`.
 * Throws a `SnapshotError` naming the file and the record index for the first invalid record, for an
 * issue whose repository has no record, and for a repeated repository or issue number.
 */
export async function loadSnapshot(dir: string): Promise<Snapshot> {
  const repositoriesFile = join(dir, "repositories.json");
  const issuesFile = join(dir, "issues.json");
  const repositories = parseRecords(
    repositoriesFile,
    await readJsonArray(repositoriesFile),
    SnapshotRepositorySchema,
  );
  const issues = parseRecords(issuesFile, await readJsonArray(issuesFile), SnapshotIssueSchema);

  const known = new Set<string>();
  repositories.forEach((repository, index) => {
    if (repository.nameWithOwner !== `${repository.owner}/${repository.name}`) {
      throw new SnapshotError(
        `Invalid record at ${repositoriesFile}[${index}]: nameWithOwner ${repository.nameWithOwner} does not match owner/name ${repository.owner}/${repository.name}`,
        repositoriesFile,
        index,
      );
    }
    if (known.has(repository.nameWithOwner)) {
      throw new SnapshotError(
        `Invalid record at ${repositoriesFile}[${index}]: repository ${repository.nameWithOwner} appears twice`,
        repositoriesFile,
        index,
      );
    }
    known.add(repository.nameWithOwner);
  });

  const issueKeys = new Set<string>();
  issues.forEach((issue, index) => {
    if (!known.has(issue.repository)) {
      throw new SnapshotError(
        `Invalid record at ${issuesFile}[${index}]: repository ${issue.repository} has no record in repositories.json`,
        issuesFile,
        index,
      );
    }
    const key = `${issue.repository}#${issue.number}`;
    if (issueKeys.has(key)) {
      throw new SnapshotError(
        `Invalid record at ${issuesFile}[${index}]: issue ${key} appears twice`,
        issuesFile,
        index,
      );
    }
    issueKeys.add(key);
  });

  return { repositories, issues };
}
