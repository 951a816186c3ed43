/**
 * A tag in the message of an error thrown by `runExternal`, naming the dependency that failed and
 * the failure kind, for example `[dependency=github kind=transient] HTTP 502 from github`.
 *
 * A workflow's failure function receives only the failed step's error message (`failResponse`), its
 * stack and the response headers (@upstash/workflow 1.3.3), so the message is the one field that
 * carries the dependency from the failing step to the dead-letter records.
 */
import type { DependencyName, FailureKind } from "./failure.js";

/** Failure kind in a tag: a `FailureKind` other than `poison`, or `circuit-open` when the breaker deferred the call until the retries ran out. */
export type TaggedFailureKind = Exclude<FailureKind, "poison"> | "circuit-open";

export interface FailureTag {
  dependency: DependencyName;
  kind: TaggedFailureKind;
}

// The dependency runs to the first whitespace, so it may contain brackets: an IPv6 webhook host
// reads `webhook:[::1]:8080`. Dependency names never contain whitespace.
const TAG_PATTERN =
  /\[dependency=(\S+) kind=(transient|rate-limited|authentication|permanent|circuit-open)\]/;

function formatTag(tag: FailureTag): string {
  return `[dependency=${tag.dependency} kind=${tag.kind}]`;
}

/**
 * Prefixes `error.message` with the tag and returns the same error, so its name, class and fields
 * stay as they were. An error that already carries a tag keeps its first one: the innermost
 * dependency is the one that failed.
 */
export function tagFailure<E extends Error>(error: E, tag: FailureTag): E {
  if (TAG_PATTERN.test(error.message)) return error;
  error.message = `${formatTag(tag)} ${error.message}`;
  return error;
}

/** Reads the first tag in `text` (an error message or stack), or returns null when there is none. */
export function readFailureTag(text: string | null | undefined): FailureTag | null {
  if (!text) return null;
  const match = TAG_PATTERN.exec(text);
  if (!match?.[1] || !match[2]) return null;
  return { dependency: match[1] as DependencyName, kind: match[2] as TaggedFailureKind };
}
