/**
 * HTTP routes of the OpenAI-compatible model stand-in.
 *
 * - `POST /v1/chat/completions` (bearer key): a chat completion, or the fault the plan picks
 * - `GET /v1/models` (bearer key): the one served model
 * - `GET /_model/mode`, `POST /_model/mode`: read or change the behaviour (see `faults.ts`)
 * - `GET /_model/stats`, `POST /_model/stats/reset`: request and token counters
 * The `/_model/*` control routes take no key: the server binds to 127.0.0.1 by default.
 */
import { Hono } from "hono";
import type { Logger } from "pino";
import { z } from "zod";
import { ChatCompletionRequestSchema, chatCompletion, promptText, replyText } from "./completion.js";
import { type FaultPlan, ModelBehaviourChangeSchema, type ModelMode } from "./faults.js";

export type RequestOutcome = ModelMode | "unauthorized" | "invalid-request" | "unknown-model";

export interface ModelStats {
  /** Chat-completion requests received, whatever their outcome. */
  requests: number;
  byOutcome: Partial<Record<RequestOutcome, number>>;
  /** Estimated tokens of the 200 responses (`ok`, `malformed-json`, `schema-violation`). */
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
}

export interface ModelServerState {
  apiKey: string;
  model: string;
  plan: FaultPlan;
  stats: ModelStats;
  logger: Logger;
  /** Resolves when the server is closing, so held `timeout` requests end at once. */
  closing: Promise<void>;
  /** Clock for the response's `created` field, in epoch milliseconds. */
  now(): number;
}

export function emptyStats(): ModelStats {
  return { requests: 0, byOutcome: {}, promptTokens: 0, completionTokens: 0, totalTokens: 0 };
}

/** Builds an error body in OpenAI's format. */
function openAIError(message: string, type: string, code: string | null) {
  return { error: { message, type, param: null, code } };
}

/** Waits `ms`, or less when the client goes away or the server closes. */
function hold(ms: number, clientGone: AbortSignal, closing: Promise<void>): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let onAbort: (() => void) | undefined;
  const slept = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
    onAbort = resolve;
    clientGone.addEventListener("abort", onAbort, { once: true });
  });
  return Promise.race([slept, closing]).finally(() => {
    clearTimeout(timer);
    if (onAbort !== undefined) clientGone.removeEventListener("abort", onAbort);
  });
}

/** Builds the stand-in's Hono app over `state`. */
export function createModelApp(state: ModelServerState): Hono {
  const app = new Hono();
  let sequence = 0;

  const count = (outcome: RequestOutcome): void => {
    state.stats.byOutcome[outcome] = (state.stats.byOutcome[outcome] ?? 0) + 1;
  };
  const authorised = (header: string | undefined): boolean => header === `Bearer ${state.apiKey}`;

  app.post("/v1/chat/completions", async (c) => {
    state.stats.requests += 1;
    sequence += 1;
    const requestId = `chatcmpl-local-${sequence}`;
    const log = state.logger.child({ requestId });

    if (!authorised(c.req.header("authorization"))) {
      count("unauthorized");
      log.warn("chat completion rejected: missing or wrong API key");
      return c.json(
        openAIError("Incorrect API key provided.", "invalid_request_error", "invalid_api_key"),
        401,
      );
    }

    const parsed = ChatCompletionRequestSchema.safeParse(await c.req.json().catch(() => undefined));
    if (!parsed.success) {
      count("invalid-request");
      const problem = z.prettifyError(parsed.error);
      log.warn({ problem }, "chat completion rejected: invalid request body");
      return c.json(openAIError(`Invalid request body: ${problem}`, "invalid_request_error", null), 400);
    }
    const request = parsed.data;
    if (request.model !== state.model) {
      count("unknown-model");
      log.warn({ model: request.model }, "chat completion rejected: unknown model");
      return c.json(
        openAIError(
          `The model \`${request.model}\` does not exist.`,
          "invalid_request_error",
          "model_not_found",
        ),
        404,
      );
    }

    const outcome = state.plan.next();
    count(outcome);
    log.info({ outcome }, "chat completion");
    switch (outcome) {
      case "http-429": {
        const retryAfter = state.plan.current().retryAfterSeconds;
        c.header("retry-after", String(retryAfter));
        return c.json(
          openAIError("Rate limit reached for requests.", "requests", "rate_limit_exceeded"),
          429,
        );
      }
      case "http-500":
        return c.json(
          openAIError("The server had an error while processing your request.", "server_error", null),
          500,
        );
      case "timeout": {
        await hold(state.plan.current().hangMs, c.req.raw.signal, state.closing);
        return c.json(openAIError("The model did not respond in time.", "timeout", null), 504);
      }
      case "ok":
      case "malformed-json":
      case "schema-violation": {
        const prompt = promptText(request);
        const reply = replyText(outcome, request);
        const body = chatCompletion({
          id: requestId,
          model: state.model,
          created: Math.floor(state.now() / 1000),
          prompt,
          reply,
        });
        state.stats.promptTokens += body.usage.prompt_tokens;
        state.stats.completionTokens += body.usage.completion_tokens;
        state.stats.totalTokens += body.usage.total_tokens;
        return c.json(body);
      }
    }
  });

  app.get("/v1/models", (c) => {
    if (!authorised(c.req.header("authorization"))) {
      return c.json(
        openAIError("Incorrect API key provided.", "invalid_request_error", "invalid_api_key"),
        401,
      );
    }
    return c.json({
      object: "list",
      data: [{ id: state.model, object: "model", created: 0, owned_by: "local" }],
    });
  });

  app.get("/_model/mode", (c) => c.json(state.plan.current()));

  app.post("/_model/mode", async (c) => {
    const parsed = ModelBehaviourChangeSchema.safeParse(await c.req.json().catch(() => undefined));
    if (!parsed.success) {
      return c.json({ error: `Invalid mode change: ${z.prettifyError(parsed.error)}` }, 400);
    }
    const behaviour = state.plan.update(parsed.data);
    state.logger.info({ behaviour }, "model behaviour changed");
    return c.json(behaviour);
  });

  app.get("/_model/stats", (c) => c.json(state.stats));

  app.post("/_model/stats/reset", (c) => {
    Object.assign(state.stats, emptyStats());
    return c.json(state.stats);
  });

  app.notFound((c) =>
    c.json(openAIError(`No route ${c.req.method} ${c.req.path}`, "invalid_request_error", null), 404),
  );
  return app;
}
