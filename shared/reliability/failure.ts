/**
 * Failure classification: every error from an external call becomes one `FailureKind`, and each kind
 * maps to one workflow behaviour (see `toWorkflowError` in `workflow-errors.ts`).
 *
 * | kind             | typical cause                                          | workflow behaviour                         |
 * | ---------------- | ------------------------------------------------------ | ------------------------------------------ |
 * | `transient`      | 5xx, timeout, network error, malformed model output    | rethrow, QStash retries with backoff       |
 * | `rate-limited`   | 429, GitHub primary or secondary limit, 5xx + Retry-After | `WorkflowRetryAfterError` with the delay |
 * | `authentication` | 401, 403 without a rate limit, GraphQL `FORBIDDEN`     | `WorkflowNonRetryableError` (failure fn, DLQ) |
 * | `permanent`      | other 4xx, 3xx, GraphQL query errors                   | `WorkflowNonRetryableError` (failure fn, DLQ) |
 * | `poison`         | input fails validation, GraphQL `NOT_FOUND`            | `PoisonInputError`: skip and record        |
 *
 * Errors are recognised by their stable `name` and fields, never by `instanceof`, because the classes
 * may come from another bundle or package copy.
 */
import { classifyGraphqlErrors, type GraphqlErrorLike } from "./failure-graphql.js";
import { createHeaderReader, type HeadersLike } from "./headers.js";
import { classifyStatus } from "./status.js";

export type FailureKind = "transient" | "rate-limited" | "authentication" | "permanent" | "poison";

/**
 * Dependency names, one circuit breaker each: `github`, `model`, `email`, `slack`, and
 * `webhook:<host>` per webhook target host.
 */
export type DependencyName = "github" | "model" | "email" | "slack" | `webhook:${string}`;

export interface FailureClassification {
  kind: FailureKind;
  /** Seconds the service asked us to wait. Set only for `rate-limited`, and only when known. */
  retryAfterSeconds?: number;
  /** One sentence for logs and failure records, for example `HTTP 503 from github`. */
  reason: string;
  /** HTTP status of the failed response, when there was one. */
  status?: number;
}

export interface ClassifyContext {
  /** The dependency that was called. With `model`, malformed output counts as transient. */
  dependency?: DependencyName;
  /** Clock for `retry-after` dates and `x-ratelimit-reset`. Defaults to the current time. */
  now?: Date;
}

/** Facts of one failed external call, for modules that have no error class of their own. */
export interface ExternalCallFacts {
  dependency: DependencyName;
  /** HTTP status of the response, when the service sent one. */
  status?: number;
  /** Response headers: `retry-after`, `x-ratelimit-remaining` and `x-ratelimit-reset` are read. */
  headers?: HeadersLike;
  /** Human-readable summary. Never include tokens or URLs that carry secrets. */
  message: string;
  cause?: unknown;
}

/** A failed call to an external service with the response facts that classification reads. */
export class ExternalCallError extends Error {
  override readonly name = "ExternalCallError";
  readonly dependency: DependencyName;
  readonly status: number | null;
  readonly headers: HeadersLike;

  constructor(facts: ExternalCallFacts) {
    super(facts.message, { cause: facts.cause });
    this.dependency = facts.dependency;
    this.status = facts.status ?? null;
    this.headers = facts.headers ?? {};
  }
}

/** Checks for an `ExternalCallError` by its stable `name`, so it works across bundles. */
export function isExternalCallError(value: unknown): value is ExternalCallError {
  return value instanceof Error && value.name === "ExternalCallError";
}

// Maximum depth of `cause` and `lastError` chains followed before an error counts as unclassified.
const MAX_WRAPPED_DEPTH = 5;

// Errors that mean "the content did not match the schema": ZodError, JSON syntax errors, and the AI
// SDK's errors for unparsable or invalid structured output (ai 6.x names).
const MALFORMED_ERROR_NAMES = new Set([
  "ZodError",
  "SyntaxError",
  "AI_JSONParseError",
  "AI_TypeValidationError",
  "AI_NoObjectGeneratedError",
]);

/**
 * Classifies any thrown value from an external call. Unknown errors count as `transient`, because a
 * bounded number of retries followed by the failure function loses no work, while a wrong
 * `permanent` would.
 *
 * @example
 * classifyFailure(error, { dependency: "github" }) // { kind: "rate-limited", retryAfterSeconds: 60, ... }
 */
export function classifyFailure(error: unknown, context: ClassifyContext = {}): FailureClassification {
  return classifyAtDepth(error, context, 0);
}

function classifyAtDepth(error: unknown, context: ClassifyContext, depth: number): FailureClassification {
  if (typeof error !== "object" || error === null) {
    return { kind: "transient", reason: `unclassified thrown value: ${String(error)}` };
  }
  const record = error as Record<string, unknown>;
  const name = typeof record.name === "string" ? record.name : "Error";
  const message = typeof record.message === "string" ? record.message : "";
  const dependency = context.dependency ?? dependencyOf(record);
  const now = context.now ?? new Date();

  if (name === "PoisonInputError") return { kind: "poison", reason: message };
  if (name === "AbortError" || name === "TimeoutError") {
    return { kind: "transient", reason: `request${describe(dependency)} timed out` };
  }
  if (MALFORMED_ERROR_NAMES.has(name)) return classifyMalformed(name, summarize(record, message), dependency);

  // The AI SDK wraps the attempts it retried itself; the last attempt decides.
  if (name === "AI_RetryError" && record.lastError !== undefined && depth < MAX_WRAPPED_DEPTH) {
    return classifyAtDepth(record.lastError, { ...context, dependency }, depth + 1);
  }

  const headers = createHeaderReader(headersOf(record));
  if (name === "GraphqlResponseError" && Array.isArray(record.errors)) {
    return classifyGraphqlErrors(record.errors as GraphqlErrorLike[], headers, now);
  }
  // A client error that carries GraphQL errors from a 200 response (the GitHub client's `GitHubError`
  // keeps them as `graphqlErrors`, with no HTTP status) is classified by those errors, like octokit's.
  if (Array.isArray(record.graphqlErrors) && record.graphqlErrors.length > 0 && !statusOf(record)) {
    return classifyGraphqlErrors(record.graphqlErrors as GraphqlErrorLike[], headers, now);
  }
  if (name === "DeliveryError" && (record.reason === "timeout" || record.reason === "network")) {
    return { kind: "transient", reason: message };
  }
  if (name === "DeliveryError" && record.reason === "invalid-response") {
    // The target accepted the request but replied outside its contract. A retry is safe because
    // deliveries carry the target's own idempotency key.
    return { kind: "transient", reason: message, ...statusField(record) };
  }

  const status = statusOf(record);
  if (status !== undefined && status !== 0) {
    const explicitRetryAfter =
      typeof record.retryAfterSeconds === "number" ? record.retryAfterSeconds : undefined;
    return classifyStatus({ status, headers, message, dependency, now, explicitRetryAfter });
  }

  if (name === "TypeError" && /fetch failed|network|connection/i.test(message)) {
    return { kind: "transient", reason: `network error${describe(dependency)}: ${message}` };
  }
  if (record.cause !== undefined && depth < MAX_WRAPPED_DEPTH) {
    const inner = classifyAtDepth(record.cause, { ...context, dependency }, depth + 1);
    if (!inner.reason.startsWith("unclassified")) return inner;
  }
  return { kind: "transient", reason: `unclassified error ${name}: ${message}` };
}

// A model can reply differently on the next attempt, so its malformed output is retried. The same
// failure on our own input (a queue payload, a stored record) would repeat forever, so it is poison.
function classifyMalformed(
  name: string,
  message: string,
  dependency: DependencyName | undefined,
): FailureClassification {
  if (dependency === "model") {
    return { kind: "transient", reason: `model output was malformed (${name}): ${message}` };
  }
  if ((name === "SyntaxError" || name === "AI_JSONParseError") && dependency !== undefined) {
    // A body from another service that is not JSON is most often cut off or an HTML error page.
    return { kind: "transient", reason: `response from ${dependency} was not valid JSON` };
  }
  return { kind: "poison", reason: `input failed validation (${name}): ${message}` };
}

function statusOf(record: Record<string, unknown>): number | undefined {
  if (typeof record.status === "number") return record.status;
  if (typeof record.statusCode === "number") return record.statusCode;
  return undefined;
}

function statusField(record: Record<string, unknown>): { status?: number } {
  const status = statusOf(record);
  return status === undefined ? {} : { status };
}

function headersOf(record: Record<string, unknown>): unknown {
  if (record.headers !== undefined) return record.headers;
  if (record.responseHeaders !== undefined) return record.responseHeaders;
  const response = record.response;
  if (typeof response === "object" && response !== null && "headers" in response) return response.headers;
  return undefined;
}

function dependencyOf(record: Record<string, unknown>): DependencyName | undefined {
  return typeof record.dependency === "string" ? (record.dependency as DependencyName) : undefined;
}

function describe(dependency: DependencyName | undefined): string {
  return dependency === undefined ? "" : ` to ${dependency}`;
}

// A ZodError's message is its issues as pretty-printed JSON, so the first issue reads better.
function summarize(record: Record<string, unknown>, message: string): string {
  const issues = record.issues;
  if (Array.isArray(issues) && typeof issues[0] === "object" && issues[0] !== null) {
    const issue = issues[0] as { path?: unknown; message?: unknown };
    const path = Array.isArray(issue.path) && issue.path.length > 0 ? issue.path.join(".") : "(root)";
    const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : "";
    return `${path}: ${String(issue.message)}${more}`;
  }
  return firstLine(message);
}

function firstLine(message: string): string {
  const line = message.split("\n", 1)[0] ?? "";
  return line.length > 200 ? `${line.slice(0, 200)}...` : line;
}
