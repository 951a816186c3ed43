/**
 * Relay cursor pagination over an already sorted list, with keyset cursors: a cursor contains the sort
 * key of its item, so inserting or re-sorting other items between two page requests neither repeats
 * nor skips items that did not move.
 */
import { GraphQLError } from "graphql";

export type CursorKey = (string | number)[];

export interface ConnectionArgs {
  first?: number | null;
  last?: number | null;
  after?: string | null;
  before?: string | null;
}

export interface Connection<T> {
  totalCount: number;
  nodes: T[];
  edges: { cursor: string; node: T }[];
  pageInfo: {
    hasNextPage: boolean;
    hasPreviousPage: boolean;
    startCursor: string | null;
    endCursor: string | null;
  };
}

const CURSOR_PREFIX = "cursor:v2:";

export function encodeCursor(key: CursorKey): string {
  return Buffer.from(CURSOR_PREFIX + JSON.stringify(key), "utf8").toString("base64");
}

/** A GraphQL error carrying the GitHub error `type` that the server copies into the response. */
export class GitHubTypedError extends GraphQLError {
  constructor(
    message: string,
    readonly githubType: string,
  ) {
    super(message);
  }
}

function decodeCursor(cursor: string): CursorKey {
  const text = Buffer.from(cursor, "base64").toString("utf8");
  if (text.startsWith(CURSOR_PREFIX)) {
    try {
      const key: unknown = JSON.parse(text.slice(CURSOR_PREFIX.length));
      if (Array.isArray(key) && key.every((part) => typeof part === "string" || typeof part === "number")) {
        return key;
      }
    } catch {
      // falls through to the error below
    }
  }
  throw new GitHubTypedError(
    `\`${cursor}\` does not appear to be a valid cursor.`,
    "INVALID_CURSOR_ARGUMENTS",
  );
}

/**
 * Slices `sorted` by `after`/`before`, then `first`/`last`, as the Relay connection specification
 * describes. `compare` must order keys the same way `sorted` is ordered.
 */
export function paginate<T>(
  sorted: T[],
  args: ConnectionArgs,
  keyOf: (item: T) => CursorKey,
  compare: (a: CursorKey, b: CursorKey) => number,
): Connection<T> {
  let slice = sorted;
  if (args.after) {
    const after = decodeCursor(args.after);
    slice = slice.filter((item) => compare(keyOf(item), after) > 0);
  }
  if (args.before) {
    const before = decodeCursor(args.before);
    slice = slice.filter((item) => compare(keyOf(item), before) < 0);
  }
  const windowStart = slice;
  if (typeof args.first === "number") slice = slice.slice(0, args.first);
  if (typeof args.last === "number") slice = slice.slice(Math.max(0, slice.length - args.last));

  const edges = slice.map((node) => ({ cursor: encodeCursor(keyOf(node)), node }));
  const firstItem = slice[0];
  const lastItem = slice[slice.length - 1];
  return {
    totalCount: sorted.length,
    nodes: slice,
    edges,
    pageInfo: {
      hasNextPage: lastItem !== undefined && windowStart.indexOf(lastItem) < windowStart.length - 1,
      hasPreviousPage: firstItem !== undefined && windowStart.indexOf(firstItem) > 0,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges[edges.length - 1]?.cursor ?? null,
    },
  };
}

/** Compares keys part by part; numbers numerically, strings by code unit. */
export function compareKeys(a: CursorKey, b: CursorKey): number {
  for (let index = 0; index < Math.max(a.length, b.length); index += 1) {
    const left = a[index];
    const right = b[index];
    if (left === right) continue;
    if (left === undefined) return -1;
    if (right === undefined) return 1;
    if (typeof left === "number" && typeof right === "number") return left - right;
    return String(left) < String(right) ? -1 : 1;
  }
  return 0;
}
