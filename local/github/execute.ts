/**
 * Runs one GraphQL request body against GitHub's schema the way GitHub's endpoint does: parse, validate,
 * compute the cost, charge the rate limit, execute. Returns the status and JSON body to send.
 * Authentication and fault injection happen before this, in `server.ts`.
 */
import {
  type DocumentNode,
  execute,
  type GraphQLError,
  type GraphQLSchema,
  getOperationAST,
  getVariableValues,
  parse,
  validate,
} from "graphql";
import { z } from "zod";
import { computeQueryCost } from "./cost.js";
import { type GitHubGraphQLError, toGitHubSyntaxError, toGitHubValidationErrors } from "./errors.js";
import { GitHubTypedError } from "./pagination.js";
import type { RateLimitLedger, RateLimitState } from "./rate-limit.js";
import { createRootValue, type ResolverContext } from "./resolvers.js";
import type { SnapshotStore } from "./store.js";

const GraphQLRequestSchema = z.object({
  query: z.string(),
  variables: z.record(z.string(), z.unknown()).nullable().optional(),
  operationName: z.string().nullable().optional(),
});

export interface ExecutionDependencies {
  schema: GraphQLSchema;
  store: SnapshotStore;
  ledger: RateLimitLedger;
  viewerLogin: string;
}

export type ExecutionOutcome = "ok" | "invalid" | "rateLimited";

export interface ExecutionResult {
  status: number;
  body: unknown;
  /** Rate limit state after this request, for the `x-ratelimit-*` headers. */
  rateLimit: RateLimitState;
  /** Points charged; 0 when the request was rejected before execution. */
  cost: number;
  outcome: ExecutionOutcome;
}

function formatExecutionError(error: GraphQLError): GitHubGraphQLError {
  const original = error.originalError;
  const type = original instanceof GitHubTypedError ? original.githubType : undefined;
  return {
    ...(type ? { type } : {}),
    path: error.path ? [...error.path] : undefined,
    locations: error.locations?.map(({ line, column }) => ({ line, column })),
    message: error.message,
  };
}

/** Executes `rawBody` (the request body text) for `token`, charging its rate limit on success. */
export async function executeGraphQLRequest(
  dependencies: ExecutionDependencies,
  token: string,
  rawBody: string,
  rateLimitedStatus: 200 | 403,
): Promise<ExecutionResult> {
  const { schema, store, ledger } = dependencies;
  const rejected = (status: number, body: unknown): ExecutionResult => ({
    status,
    body,
    rateLimit: ledger.peek(token),
    cost: 0,
    outcome: "invalid",
  });

  let json: unknown;
  try {
    json = JSON.parse(rawBody);
  } catch {
    return rejected(400, {
      message: "Problems parsing JSON",
      documentation_url: "https://docs.github.com/graphql",
    });
  }
  const request = GraphQLRequestSchema.safeParse(json);
  if (!request.success) {
    return rejected(200, {
      errors: [{ message: "A query attribute must be specified and must be a string." }],
    });
  }

  let document: DocumentNode;
  try {
    document = parse(request.data.query);
  } catch (error) {
    return rejected(200, { errors: [toGitHubSyntaxError(error as GraphQLError)] });
  }
  const validationErrors = validate(schema, document);
  if (validationErrors.length > 0) {
    return rejected(200, { errors: toGitHubValidationErrors(document, validationErrors) });
  }

  const operation = getOperationAST(document, request.data.operationName ?? undefined);
  if (!operation) {
    const message = request.data.operationName
      ? `No operation named "${request.data.operationName}"`
      : "An operation name is required when the document contains several operations";
    return rejected(200, { errors: [{ message }] });
  }
  const coerced = getVariableValues(
    schema,
    operation.variableDefinitions ?? [],
    request.data.variables ?? {},
  );
  if (coerced.errors) {
    return rejected(200, {
      errors: coerced.errors.map((error) => ({
        extensions: { code: "variableMismatch" },
        locations: error.locations?.map(({ line, column }) => ({ line, column })),
        message: error.message,
      })),
    });
  }

  const cost = computeQueryCost(schema, document, operation, coerced.coerced);
  if (cost.errors.length > 0) return rejected(200, { data: null, errors: cost.errors });

  const charge = ledger.charge(token, cost.cost);
  if (!charge.allowed) {
    return {
      status: rateLimitedStatus,
      body: {
        errors: [
          {
            type: "RATE_LIMITED",
            code: "graphql_rate_limit",
            // The stand-in has one viewer, whose database id is 1.
            message: "API rate limit exceeded for user ID 1.",
          },
        ],
      },
      rateLimit: charge.state,
      cost: 0,
      outcome: "rateLimited",
    };
  }

  const context: ResolverContext = {
    store,
    viewerLogin: dependencies.viewerLogin,
    rateLimit: {
      limit: charge.state.limit,
      cost: cost.cost,
      remaining: charge.state.remaining,
      used: charge.state.used,
      resetAt: new Date(charge.state.resetAtMs).toISOString().replace(/\.\d{3}Z$/, "Z"),
      nodeCount: cost.nodeCount,
    },
  };
  const result = await execute({
    schema,
    document,
    operationName: request.data.operationName ?? undefined,
    variableValues: request.data.variables ?? {},
    rootValue: createRootValue(context),
    contextValue: context,
  });
  const body = result.errors
    ? { data: result.data ?? null, errors: result.errors.map(formatExecutionError) }
    : { data: result.data };
  return { status: 200, body, rateLimit: charge.state, cost: cost.cost, outcome: "ok" };
}
