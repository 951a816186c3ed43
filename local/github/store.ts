/**
 * In-memory repositories and issues served by the stand-in, built from a snapshot and changed by tests
 * through `POST /_github/issues`.
 */
import { z } from "zod";
import type { Snapshot, SnapshotComment, SnapshotRepository } from "./snapshot.js";

export interface StoredIssue {
  id: string;
  repository: string;
  number: number;
  url: string;
  title: string;
  body: string;
  state: "OPEN" | "CLOSED";
  labels: string[];
  assignees: string[];
  locked: boolean;
  author: string | null;
  createdAt: string;
  updatedAt: string;
  comments: SnapshotComment[];
  totalCommentCount: number;
}

export interface StoredRepository extends SnapshotRepository {
  id: string;
  createdAt: string;
  /** Issues keyed by number. */
  issues: Map<number, StoredIssue>;
}

/** Body of `POST /_github/issues`: creates an issue when `number` is absent or unknown, else patches it. */
export const IssueUpsertSchema = z.object({
  repository: z.string().min(1),
  number: z.number().int().positive().optional(),
  title: z.string().optional(),
  body: z.string().optional(),
  state: z.enum(["OPEN", "CLOSED"]).optional(),
  labels: z.array(z.string().min(1)).optional(),
  assignees: z.array(z.string().min(1)).optional(),
  locked: z.boolean().optional(),
  author: z.string().min(1).nullable().optional(),
  /** Appends one comment, dated at the update time. */
  comment: z.object({ author: z.string().min(1).nullable(), body: z.string() }).optional(),
  /** The new `updatedAt`; defaults to the current time. */
  updatedAt: z.iso.datetime({ offset: true }).optional(),
});
export type IssueUpsert = z.infer<typeof IssueUpsertSchema>;

function encodeNodeId(prefix: "R" | "I", key: string): string {
  return `${prefix}_${Buffer.from(key, "utf8").toString("base64url")}`;
}

/** Node id of a repository, shaped like GitHub's (`R_` plus base64); stable for the same name. */
export function repositoryNodeId(nameWithOwner: string): string {
  return encodeNodeId("R", nameWithOwner);
}

/** Node id of an issue (`I_` plus base64 of `owner/name#number`); stable across restarts. */
export function issueNodeId(nameWithOwner: string, number: number): string {
  return encodeNodeId("I", `${nameWithOwner}#${number}`);
}

function latest(times: string[]): string {
  let best = times[0] ?? new Date(0).toISOString();
  for (const time of times) if (Date.parse(time) > Date.parse(best)) best = time;
  return best;
}

export class SnapshotStore {
  private readonly repositories = new Map<string, StoredRepository>();
  private readonly nodes = new Map<string, StoredRepository | StoredIssue>();

  constructor(
    snapshot: Snapshot,
    private readonly now: () => number = Date.now,
  ) {
    for (const record of snapshot.repositories) {
      const repository: StoredRepository = {
        ...record,
        id: repositoryNodeId(record.nameWithOwner),
        createdAt: record.createdAt ?? new Date(0).toISOString(),
        issues: new Map(),
      };
      // GitHub resolves owner and name case-insensitively.
      this.repositories.set(record.nameWithOwner.toLowerCase(), repository);
      this.nodes.set(repository.id, repository);
    }
    for (const record of snapshot.issues) {
      const repository = this.repository(record.repository);
      if (!repository) continue; // loadSnapshot already rejects issues of unknown repositories
      const issue: StoredIssue = {
        id: issueNodeId(repository.nameWithOwner, record.number),
        repository: repository.nameWithOwner,
        number: record.number,
        url: record.url,
        title: record.title,
        body: record.body,
        state: record.state,
        labels: [...record.labels],
        assignees: [...(record.assignees ?? [])],
        locked: record.locked ?? false,
        author: record.author,
        createdAt: record.createdAt,
        // The snapshot has no update time, so the newest known activity replaces it.
        updatedAt: record.updatedAt ?? latest([record.createdAt, ...record.comments.map((c) => c.createdAt)]),
        comments: [...record.comments],
        totalCommentCount: Math.max(record.totalCommentCount, record.comments.length),
      };
      repository.issues.set(issue.number, issue);
      this.nodes.set(issue.id, issue);
    }
  }

  repository(nameWithOwner: string): StoredRepository | undefined {
    return this.repositories.get(nameWithOwner.toLowerCase());
  }

  node(id: string): StoredRepository | StoredIssue | undefined {
    return this.nodes.get(id);
  }

  /** Returns the newest `updatedAt` among the repository's issues, or its creation time when it has none. */
  repositoryUpdatedAt(repository: StoredRepository): string {
    return latest([repository.createdAt, ...[...repository.issues.values()].map((issue) => issue.updatedAt)]);
  }

  /**
   * Creates or patches an issue and sets its `updatedAt` (to `change.updatedAt` or now).
   * Throws when the repository is unknown or a new issue has no title.
   */
  upsertIssue(change: IssueUpsert): StoredIssue {
    const repository = this.repository(change.repository);
    if (!repository) throw new Error(`Repository ${change.repository} not found in the snapshot`);
    // GitHub writes times to the second, without milliseconds.
    const updatedAt = change.updatedAt ?? new Date(this.now()).toISOString().replace(/\.\d{3}Z$/, "Z");
    const existing = change.number === undefined ? undefined : repository.issues.get(change.number);

    let issue: StoredIssue;
    if (existing) {
      issue = existing;
    } else {
      if (change.title === undefined) {
        throw new Error(`A new issue in ${repository.nameWithOwner} needs a title`);
      }
      const number = change.number ?? Math.max(0, ...repository.issues.keys()) + 1;
      issue = {
        id: issueNodeId(repository.nameWithOwner, number),
        repository: repository.nameWithOwner,
        number,
        url: `${repository.url}/issues/${number}`,
        title: change.title,
        body: "",
        state: "OPEN",
        labels: [],
        assignees: [],
        locked: false,
        author: null,
        createdAt: updatedAt,
        updatedAt,
        comments: [],
        totalCommentCount: 0,
      };
      repository.issues.set(number, issue);
      this.nodes.set(issue.id, issue);
    }

    if (change.title !== undefined) issue.title = change.title;
    if (change.body !== undefined) issue.body = change.body;
    if (change.state !== undefined) issue.state = change.state;
    if (change.labels !== undefined) issue.labels = [...change.labels];
    if (change.assignees !== undefined) issue.assignees = [...change.assignees];
    if (change.locked !== undefined) issue.locked = change.locked;
    if (change.author !== undefined) issue.author = change.author;
    if (change.comment) {
      issue.comments.push({ ...change.comment, createdAt: updatedAt });
      issue.totalCommentCount += 1;
    }
    issue.updatedAt = updatedAt;
    return issue;
  }
}
