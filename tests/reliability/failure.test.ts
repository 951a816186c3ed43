/**
 * Failure classification against real `@octokit/graphql` errors: a local Hono server returns
 * GitHub-shaped responses (status, headers, GraphQL `errors[].type`), chosen per request by the
 * `x-test-scenario` header. Other error sources are real errors from zod, JSON.parse and the AI SDK.
 */
import { graphql } from "@octokit/graphql";
import { WorkflowNonRetryableError, WorkflowRetryAfterError } from "@upstash/workflow";
import { APICallError } from "ai";
import { Hono } from "hono";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { type ListeningServer, listen } from "../../local/http/index.js";
import {
  classifyFailure,
  ExternalCallError,
  type FailureClassification,
  isPoisonInputError,
  type PoisonInputError,
  toWorkflowError,
} from "../../shared/reliability/index.js";
import { DeliveryError } from "../../steps/delivery/errors.js";

// Fixed clock, so delays derived from x-ratelimit-reset and HTTP dates are exact.
const NOW = new Date("2026-03-01T12:00:00Z");
const NOW_EPOCH = NOW.getTime() / 1000;

interface Scenario {
  status: number;
  headers?: Record<string, string>;
  body: unknown;
}

const SCENARIOS: Record<string, Scenario> = {
  "bad-gateway": { status: 502, body: { message: "Server Error" } },
  "bad-credentials": { status: 401, body: { message: "Bad credentials" } },
  "secondary-retry-after": {
    status: 403,
    headers: { "retry-after": "30" },
    body: { message: "You have exceeded a secondary rate limit." },
  },
  "secondary-no-headers": { status: 403, body: { message: "You have exceeded a secondary rate limit." } },
  "primary-limit": {
    status: 403,
    headers: { "x-ratelimit-remaining": "0", "x-ratelimit-reset": String(NOW_EPOCH + 120) },
    body: { message: "API rate limit exceeded for user ID 1." },
  },
  forbidden: { status: 403, body: { message: "Resource not accessible by integration" } },
  "too-many-date": {
    status: 429,
    headers: { "retry-after": new Date(NOW.getTime() + 45_000).toUTCString() },
    body: { message: "Too many requests" },
  },
  "unavailable-retry-after": {
    status: 503,
    headers: { "retry-after": "10" },
    body: { message: "Unavailable" },
  },
  "not-found-http": { status: 404, body: { message: "Not Found" } },
  unprocessable: { status: 422, body: { message: "Validation Failed" } },
  "graphql-rate-limited": {
    status: 200,
    headers: { "x-ratelimit-remaining": "0", "x-ratelimit-reset": String(NOW_EPOCH + 300) },
    body: { data: null, errors: [{ type: "RATE_LIMITED", message: "API rate limit exceeded" }] },
  },
  "graphql-not-found": {
    status: 200,
    body: {
      data: { repository: null },
      errors: [{ type: "NOT_FOUND", path: ["repository"], message: "Could not resolve to a Repository" }],
    },
  },
  "graphql-forbidden": {
    status: 200,
    body: { data: null, errors: [{ type: "FORBIDDEN", message: "Resource not accessible by integration" }] },
  },
  "graphql-internal": {
    status: 200,
    body: { data: null, errors: [{ type: "INTERNAL", message: "Internal" }] },
  },
  "graphql-timeout": {
    status: 200,
    body: {
      data: null,
      errors: [
        { message: "Something went wrong while executing your query. This may be the result of a timeout." },
      ],
    },
  },
  "graphql-query-error": {
    status: 200,
    body: { data: null, errors: [{ type: "MAX_NODE_LIMIT_EXCEEDED", message: "too many nodes" }] },
  },
  "graphql-mixed": {
    status: 200,
    body: {
      data: null,
      errors: [
        { type: "NOT_FOUND", message: "Could not resolve to a Repository" },
        { type: "INTERNAL", message: "hiccup" },
      ],
    },
  },
};

const EXPECTED: Record<string, Pick<FailureClassification, "kind" | "retryAfterSeconds" | "status">> = {
  "bad-gateway": { kind: "transient", status: 502 },
  "bad-credentials": { kind: "authentication", status: 401 },
  "secondary-retry-after": { kind: "rate-limited", retryAfterSeconds: 30, status: 403 },
  "secondary-no-headers": { kind: "rate-limited", retryAfterSeconds: 60, status: 403 },
  "primary-limit": { kind: "rate-limited", retryAfterSeconds: 120, status: 403 },
  forbidden: { kind: "authentication", status: 403 },
  "too-many-date": { kind: "rate-limited", retryAfterSeconds: 45, status: 429 },
  "unavailable-retry-after": { kind: "rate-limited", retryAfterSeconds: 10, status: 503 },
  "not-found-http": { kind: "permanent", status: 404 },
  unprocessable: { kind: "permanent", status: 422 },
  "graphql-rate-limited": { kind: "rate-limited", retryAfterSeconds: 300 },
  "graphql-not-found": { kind: "poison" },
  "graphql-forbidden": { kind: "authentication" },
  "graphql-internal": { kind: "transient" },
  "graphql-timeout": { kind: "transient" },
  "graphql-query-error": { kind: "permanent" },
  "graphql-mixed": { kind: "transient" },
};

let server: ListeningServer;
let slowServer: ListeningServer;

beforeAll(async () => {
  const app = new Hono();
  app.post("/graphql", (c) => {
    const scenario = SCENARIOS[c.req.header("x-test-scenario") ?? ""];
    if (scenario === undefined) return c.json({ message: "unknown scenario" }, 400);
    return new Response(JSON.stringify(scenario.body), {
      status: scenario.status,
      headers: { "content-type": "application/json; charset=utf-8", ...scenario.headers },
    });
  });
  server = await listen(app);

  const slowApp = new Hono();
  slowApp.post("/graphql", async (c) => {
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    return c.json({ data: {} });
  });
  slowServer = await listen(slowApp);
});

afterAll(async () => {
  await server?.close();
  await slowServer?.close();
});

async function octokitError(baseUrl: string, scenario: string, signal?: AbortSignal): Promise<unknown> {
  const client = graphql.defaults({ baseUrl, headers: { authorization: "token test-token" } });
  try {
    await client("query { viewer { login } }", {
      headers: { "x-test-scenario": scenario },
      request: { signal },
    });
  } catch (error) {
    return error;
  }
  throw new Error(`scenario ${scenario} did not fail`);
}

describe("classifyFailure with octokit errors", () => {
  for (const [scenario, expected] of Object.entries(EXPECTED)) {
    it(`classifies ${scenario}`, async () => {
      const error = await octokitError(server.url, scenario);
      const classification = classifyFailure(error, { dependency: "github", now: NOW });
      expect(classification.kind).toBe(expected.kind);
      expect(classification.retryAfterSeconds).toBe(expected.retryAfterSeconds);
      expect(classification.status).toBe(expected.status);
      expect(classification.reason).not.toBe("");
    });
  }

  it("classifies client timeout as transient", async () => {
    const error = await octokitError(slowServer.url, "slow", AbortSignal.timeout(100));
    expect(classifyFailure(error, { dependency: "github" }).kind).toBe("transient");
  });

  it("classifies refused connection as transient", async () => {
    const closed = await listen(new Hono());
    await closed.close();
    const error = await octokitError(closed.url, "refused");
    expect(classifyFailure(error, { dependency: "github" }).kind).toBe("transient");
  });
});

describe("classifyFailure with other errors", () => {
  const schema = z.object({ difficulty: z.enum(["easy", "hard"]) });
  const zodError = schema.safeParse({ difficulty: "medium" }).error;
  const syntaxError = (() => {
    try {
      JSON.parse("{ not json");
    } catch (error) {
      return error;
    }
  })();

  it("zod error is poison for input", () => {
    const classification = classifyFailure(zodError);
    expect(classification.kind).toBe("poison");
    expect(classification.reason).toContain("difficulty");
  });

  it("zod error is transient for model", () => {
    expect(classifyFailure(zodError, { dependency: "model" }).kind).toBe("transient");
  });

  it("syntax error depends on source", () => {
    expect(classifyFailure(syntaxError, { dependency: "model" }).kind).toBe("transient");
    expect(classifyFailure(syntaxError, { dependency: "github" }).kind).toBe("transient");
    expect(classifyFailure(syntaxError).kind).toBe("poison");
  });

  it("abort and timeout errors are transient", () => {
    expect(classifyFailure(new DOMException("aborted", "AbortError")).kind).toBe("transient");
    expect(classifyFailure(new DOMException("timed out", "TimeoutError")).kind).toBe("transient");
  });

  it("fetch failed is transient", () => {
    const error = new TypeError("fetch failed", { cause: new Error("connect ECONNREFUSED 127.0.0.1:1") });
    expect(classifyFailure(error).kind).toBe("transient");
  });

  it("external call error reads headers", () => {
    const error = new ExternalCallError({
      dependency: "email",
      status: 429,
      headers: new Headers({ "Retry-After": "7" }),
      message: "Resend rate limited the request",
    });
    expect(classifyFailure(error, { now: NOW })).toMatchObject({
      kind: "rate-limited",
      retryAfterSeconds: 7,
    });
  });

  it("delivery errors map by reason", () => {
    const facts = { channel: "webhook", targetHost: "hooks.example.test" } as const;
    const timeout = new DeliveryError({ ...facts, reason: "timeout" });
    const gone = new DeliveryError({ ...facts, reason: "http-status", status: 410 });
    const limited = new DeliveryError({
      ...facts,
      reason: "http-status",
      status: 429,
      retryAfterSeconds: 12,
    });
    const invalid = new DeliveryError({ ...facts, reason: "invalid-response", status: 200 });
    expect(classifyFailure(timeout).kind).toBe("transient");
    expect(classifyFailure(gone).kind).toBe("permanent");
    expect(classifyFailure(limited)).toMatchObject({ kind: "rate-limited", retryAfterSeconds: 12 });
    expect(classifyFailure(invalid).kind).toBe("transient");
  });

  it("AI SDK call errors map by status", () => {
    const base = { message: "provider error", url: "http://127.0.0.1/v1/chat", requestBodyValues: {} };
    const overloaded = new APICallError({ ...base, statusCode: 529 });
    const limited = new APICallError({ ...base, statusCode: 429, responseHeaders: { "retry-after": "3" } });
    const badKey = new APICallError({ ...base, statusCode: 401 });
    expect(classifyFailure(overloaded, { dependency: "model" }).kind).toBe("transient");
    expect(classifyFailure(limited, { dependency: "model" })).toMatchObject({
      kind: "rate-limited",
      retryAfterSeconds: 3,
    });
    expect(classifyFailure(badKey, { dependency: "model" }).kind).toBe("authentication");
  });

  it("unknown values are transient", () => {
    expect(classifyFailure("boom").kind).toBe("transient");
    expect(classifyFailure(new Error("something odd")).kind).toBe("transient");
  });
});

describe("toWorkflowError", () => {
  it("transient returns the original", () => {
    const original = new Error("503");
    expect(toWorkflowError({ kind: "transient", reason: "HTTP 503" }, original)).toBe(original);
  });

  it("rate limited becomes retry after", () => {
    const error = toWorkflowError({ kind: "rate-limited", reason: "limited", retryAfterSeconds: 42.2 });
    expect(error).toBeInstanceOf(WorkflowRetryAfterError);
    expect((error as WorkflowRetryAfterError).retryAfter).toBe(43);
  });

  it("rate limited without delay defaults", () => {
    const error = toWorkflowError({ kind: "rate-limited", reason: "limited" });
    expect((error as WorkflowRetryAfterError).retryAfter).toBe(60);
  });

  it("rate limit delay capped at one day", () => {
    const error = toWorkflowError({ kind: "rate-limited", reason: "limited", retryAfterSeconds: 200_000 });
    expect((error as WorkflowRetryAfterError).retryAfter).toBe(86_400);
  });

  it("authentication and permanent are non-retryable", () => {
    for (const kind of ["authentication", "permanent"] as const) {
      const error = toWorkflowError({ kind, reason: "rejected" });
      expect(error).toBeInstanceOf(WorkflowNonRetryableError);
      expect(error.name).toBe("WorkflowNonRetryableError");
    }
  });

  it("poison becomes PoisonInputError", () => {
    const error = toWorkflowError({ kind: "poison", reason: "input failed validation" });
    expect(isPoisonInputError(error)).toBe(true);
    expect(error).toBeInstanceOf(WorkflowNonRetryableError);
    expect((error as PoisonInputError).classification.reason).toBe("input failed validation");
    expect(classifyFailure(error).kind).toBe("poison");
  });
});
