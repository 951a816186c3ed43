/**
 * The GitHub GraphQL client: `@octokit/graphql` with a configurable base URL, token and timeout, which
 * turns every failure into a `GitHubError` and keeps the response headers of successful calls (the
 * octokit API returns only `data` on success). Uses only fetch and AbortController, so it runs in
 * Cloudflare Workers and in Node.
 */
import { GraphqlResponseError, graphql } from "@octokit/graphql";
import { z } from "zod";
import { type Logger, silentLogger } from "../../shared/logger.js";
import { GitHubError, type GitHubErrorKind, type GitHubGraphQLErrorEntry } from "./errors.js";

export const GitHubClientOptionsSchema = z.object({
  /** API root, e.g. `https://api.github.com`; queries go to `${baseUrl}/graphql`. */
  baseUrl: z.url().transform((url) => url.replace(/\/$/, "")),
  token: z.string().min(1, "a GitHub token is required"),
  /** Abort a request that has not finished after this many milliseconds; defaults to 10 000. */
  timeoutMs: z.number().int().positive().default(10_000),
});

export interface GitHubClientOptions extends z.input<typeof GitHubClientOptionsSchema> {
  logger?: Logger;
  /** fetch implementation; defaults to `globalThis.fetch`. Tests pass a counting wrapper. */
  fetch?: typeof fetch;
}

export interface GitHubQueryResponse {
  /** `data` of the response; partial when `errors` is not empty. */
  data: Record<string, unknown>;
  /** Errors GitHub returned next to data, such as `NOT_FOUND` for one aliased repository. */
  errors: GitHubGraphQLErrorEntry[];
  /** Response headers with lower-case names. */
  headers: Record<string, string>;
}

export interface GitHubClient {
  readonly baseUrl: string;
  readonly logger: Logger;
  /**
   * Sends one query. Resolves when the response has `data`, even with errors next to it. Rejects with a
   * `GitHubError` on an HTTP error, a timeout, a network failure, or errors without data.
   */
  send(queryName: string, query: string, variables: Record<string, unknown>): Promise<GitHubQueryResponse>;
}

const GraphQLErrorEntrySchema = z.looseObject({
  type: z.string().optional(),
  message: z.string().default(""),
  path: z.array(z.union([z.string(), z.number()])).optional(),
  extensions: z.record(z.string(), z.unknown()).optional(),
});
const ErrorBodySchema = z.looseObject({
  message: z.string().optional(),
  errors: z.array(GraphQLErrorEntrySchema).optional(),
});
const RequestErrorSchema = z.looseObject({
  status: z.number(),
  response: z.looseObject({ headers: z.record(z.string(), z.unknown()), data: z.unknown() }).optional(),
});

function lowerCaseHeaders(headers: Record<string, unknown>): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && value !== null) result[name.toLowerCase()] = String(value);
  }
  return result;
}

function parseErrorEntries(errors: unknown): GitHubGraphQLErrorEntry[] {
  const parsed = z.array(GraphQLErrorEntrySchema).safeParse(errors);
  return parsed.success ? parsed.data : [];
}

/** Picks the kind of an HTTP error response from its status, headers and body. */
function classifyHttpError(
  status: number,
  headers: Record<string, string>,
  entries: GitHubGraphQLErrorEntry[],
  message: string,
): GitHubErrorKind {
  const primaryLimit =
    entries.some((entry) => entry.type === "RATE_LIMITED") || headers["x-ratelimit-remaining"] === "0";
  if (status === 401) return "unauthorized";
  if (status === 403 || status === 429) {
    if (primaryLimit) return "rate-limited";
    if (headers["retry-after"] !== undefined || /secondary rate limit/i.test(message) || status === 429) {
      return "secondary-rate-limited";
    }
    return "unauthorized";
  }
  if (status >= 500) return "server";
  return "http";
}

/** Creates a client; throws at once when `baseUrl`, `token` or `timeoutMs` is invalid. */
export function createGitHubClient(options: GitHubClientOptions): GitHubClient {
  const { baseUrl, token, timeoutMs } = GitHubClientOptionsSchema.parse(options);
  const logger = options.logger ?? silentLogger;
  const baseFetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const request = graphql.defaults({ baseUrl, headers: { authorization: `bearer ${token}` } });

  const send = async (
    queryName: string,
    query: string,
    variables: Record<string, unknown>,
  ): Promise<GitHubQueryResponse> => {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    let headers: Record<string, string> = {};
    const capturingFetch: typeof fetch = async (input, init) => {
      const response = await baseFetch(input, init);
      headers = lowerCaseHeaders(Object.fromEntries(response.headers.entries()));
      return response;
    };

    try {
      const data = await request<Record<string, unknown>>(query, {
        ...variables,
        request: { fetch: capturingFetch, signal: controller.signal },
      });
      logger.debug("github query succeeded", {
        query: queryName,
        remaining: headers["x-ratelimit-remaining"],
      });
      return { data, errors: [], headers };
    } catch (error) {
      if (error instanceof GraphqlResponseError) {
        const entries = parseErrorEntries(error.errors);
        const responseHeaders = lowerCaseHeaders(error.headers as Record<string, unknown>);
        const data = error.data as Record<string, unknown> | null | undefined;
        const rateLimited = entries.some((entry) => entry.type === "RATE_LIMITED");
        if (data && !rateLimited) return { data, errors: entries, headers: responseHeaders };

        const somethingWentWrong = entries.every((entry) => /something went wrong/i.test(entry.message));
        const kind: GitHubErrorKind = rateLimited ? "rate-limited" : somethingWentWrong ? "server" : "query";
        throw new GitHubError(
          `GitHub ${queryName} query failed: ${entries.map((entry) => entry.message).join("; ")}`,
          { kind, queryName, status: null, headers: responseHeaders, graphqlErrors: entries, cause: error },
        );
      }
      if (controller.signal.aborted) {
        throw new GitHubError(`GitHub ${queryName} query timed out after ${timeoutMs} ms`, {
          kind: "timeout",
          queryName,
          status: null,
          headers: {},
          cause: error,
        });
      }
      const requestError = RequestErrorSchema.safeParse(error);
      if (requestError.success && requestError.data.response) {
        const { status, response } = requestError.data;
        const responseHeaders = lowerCaseHeaders(response.headers);
        const body = ErrorBodySchema.safeParse(response.data);
        const entries = body.success ? (body.data.errors ?? []) : [];
        const bodyMessage =
          (body.success ? body.data.message : undefined) ?? entries.map((entry) => entry.message).join("; ");
        const kind = classifyHttpError(status, responseHeaders, entries, bodyMessage);
        throw new GitHubError(`GitHub ${queryName} query failed with HTTP ${status}: ${bodyMessage}`, {
          kind,
          queryName,
          status,
          headers: responseHeaders,
          graphqlErrors: entries,
          cause: error,
        });
      }
      const reason = error instanceof Error ? error.message : String(error);
      throw new GitHubError(`GitHub ${queryName} query failed before a response arrived: ${reason}`, {
        kind: "network",
        queryName,
        status: null,
        headers: {},
        cause: error,
      });
    } finally {
      clearTimeout(timer);
    }
  };

  return { baseUrl, logger, send };
}
