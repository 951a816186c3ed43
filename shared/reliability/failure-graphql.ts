/**
 * Classification of GitHub GraphQL errors, which arrive with HTTP 200 inside `errors[]` and are thrown
 * by `@octokit/graphql` as `GraphqlResponseError`. GitHub adds a `type` to each error. The types mapped
 * below are the ones that decide a retry; any other type (a query or limit error) counts as permanent.
 */
import type { FailureClassification, FailureKind } from "./failure.js";
import { type HeaderReader, parseRetryAfterSeconds, secondsUntilRateLimitReset } from "./headers.js";
import { SECONDARY_RATE_LIMIT_SECONDS } from "./status.js";

/** One entry of a GraphQL `errors` array. GitHub adds `type`, which the spec leaves optional. */
export interface GraphqlErrorLike {
  type?: string;
  message?: string;
  path?: ReadonlyArray<string | number>;
}

const TYPE_KINDS: Record<string, FailureKind> = {
  RATE_LIMITED: "rate-limited",
  FORBIDDEN: "authentication",
  // The repository or issue was deleted, made private or renamed: retrying the same input cannot help.
  NOT_FOUND: "poison",
  INTERNAL: "transient",
  SERVICE_UNAVAILABLE: "transient",
  TIMEOUT: "transient",
};

// When errors disagree, the one that keeps the most work alive decides: a rate limit defers the whole
// request, and a transient error gets retried, which also retries the others.
const PRIORITY: FailureKind[] = ["rate-limited", "transient", "authentication", "permanent", "poison"];

function kindOf(error: GraphqlErrorLike): FailureKind {
  if (error.type !== undefined) return TYPE_KINDS[error.type] ?? "permanent";
  // GitHub reports query timeouts without a type: "Something went wrong ... may be the result of a timeout".
  if (/timeout|timed out/i.test(error.message ?? "")) return "transient";
  return "permanent";
}

/** Classifies the `errors` of a GraphQL response, with its response headers for rate-limit delays. */
export function classifyGraphqlErrors(
  errors: readonly GraphqlErrorLike[],
  headers: HeaderReader,
  now: Date,
): FailureClassification {
  let chosen: GraphqlErrorLike | undefined;
  let chosenKind: FailureKind = "permanent";
  for (const error of errors) {
    const kind = kindOf(error);
    if (chosen === undefined || PRIORITY.indexOf(kind) < PRIORITY.indexOf(chosenKind)) {
      chosen = error;
      chosenKind = kind;
    }
  }

  const label = chosen?.type ?? "untyped error";
  const reason = `GitHub GraphQL ${label}: ${chosen?.message ?? "no message"}`;
  if (chosenKind !== "rate-limited") return { kind: chosenKind, reason };

  const retryAfterSeconds =
    parseRetryAfterSeconds(headers("retry-after"), now) ??
    secondsUntilRateLimitReset(headers, now) ??
    SECONDARY_RATE_LIMIT_SECONDS;
  return { kind: "rate-limited", retryAfterSeconds, reason };
}
