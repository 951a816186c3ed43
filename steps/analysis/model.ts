/**
 * The model analyser: requests an `AnalysisResult` from an OpenAI-compatible chat model through the `ai`
 * SDK (6.0.333) and `@ai-sdk/openai-compatible` (2.0.92).
 *
 * Per issue it makes one request, validated with `AnalysisResultSchema`. When the reply is not JSON
 * or breaks the schema, it sends one more request that includes the rejected reply and the reason.
 * When that reply fails too, it returns the heuristic result with `fallbackReason` set. Token usage is
 * recorded for every request, including rejected ones.
 *
 * Inside a workflow, pass `fetchFor: (stepName) => createContextCallFetch(context, stepName)` so each
 * request becomes a `context.call` step named `<stepPrefix>:<issueId>` (and `...:retry`). Outside a
 * workflow the analyser uses the global `fetch`.
 */
import { createOpenAICompatible } from "@ai-sdk/openai-compatible";
import type { ModelMessage } from "ai";
import { APICallError, generateText, type LanguageModelUsage, NoObjectGeneratedError, Output } from "ai";
import {
  type AnalysisResult,
  AnalysisResultSchema,
  type Issue,
  type Repository,
  type TokenUsage,
} from "../../shared/domain/index.js";
import { type Logger, silentLogger } from "../../shared/logger.js";
import {
  type Analyser,
  type AnalyserOutput,
  addUsage,
  type FallbackCode,
  type ModelCallRecord,
} from "./analyser.js";
import { isRetryableStatus, ModelProviderError, parseRetryAfter } from "./errors.js";
import { analyseHeuristically } from "./heuristic.js";
import { buildRetryPrompt, buildUserPrompt, SYSTEM_PROMPT } from "./prompt.js";

type FetchFunction = typeof globalThis.fetch;

export interface ModelAnalyserOptions {
  /** Provider endpoint, key and model id; the same shape as `AppConfig.analysis.model`. */
  provider: { baseUrl: string; apiKey: string; name: string };
  /**
   * Returns the `fetch` for the request with the given step name. Default: the global `fetch` for
   * every request. Inside a workflow, return `createContextCallFetch(context, stepName)`.
   */
  fetchFor?: (stepName: string) => FetchFunction;
  /** First part of each request's step name. Default `analyse`. */
  stepPrefix?: string;
  /**
   * Send the JSON schema as `response_format: json_schema` (OpenAI structured outputs). When false,
   * only `json_object` is requested and the schema lives in the prompt alone. Default true.
   * NOTE: only the local stand-in has received this schema so far. A provider whose strict mode rejects
   * some keywords (such as `maxLength`) returns 400, and then this must be set to false.
   */
  structuredOutputs?: boolean;
  /** Maximum tokens per reply. Default 800, enough for the result with eight first steps. */
  maxOutputTokens?: number;
  /**
   * Milliseconds before a request made with the global `fetch` is aborted. Default 60,000. Not applied
   * when `fetchFor` is set, because a `context.call` waits in QStash and has its own timeout.
   */
  timeoutMs?: number;
  logger?: Logger;
}

const DEFAULT_MAX_OUTPUT_TOKENS = 800;
const DEFAULT_TIMEOUT_MS = 60_000;
/** Validation problems quoted in `fallbackReason` and in the retry prompt. */
const MAX_REPORTED_PROBLEMS = 3;

type AttemptResult =
  | { outcome: "ok"; result: AnalysisResult; usage: TokenUsage | null }
  | { outcome: FallbackCode; problem: string; text: string; usage: TokenUsage | null };

function toTokenUsage(usage: LanguageModelUsage | undefined): TokenUsage | null {
  if (usage === undefined) return null;
  if (usage.inputTokens === undefined && usage.outputTokens === undefined) return null;
  return { inputTokens: usage.inputTokens ?? 0, outputTokens: usage.outputTokens ?? 0 };
}

/** Removes one surrounding Markdown code fence, which some models add despite the instructions. */
function stripCodeFence(text: string): string {
  const match = /^\s*```(?:json)?\s*\n([\s\S]*?)\n\s*```\s*$/i.exec(text);
  return match?.[1] ?? text;
}

/**
 * Validates a reply that the SDK rejected. Accepts a reply whose only fault is a surrounding code fence,
 * and otherwise reports whether the text was not JSON or broke the schema, naming the first problems.
 */
function validateReply(
  text: string,
): { ok: true; result: AnalysisResult } | { ok: false; code: FallbackCode; problem: string } {
  let value: unknown;
  try {
    value = JSON.parse(stripCodeFence(text));
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return { ok: false, code: "malformed-json", problem: `reply is not JSON (${reason})` };
  }
  const parsed = AnalysisResultSchema.safeParse(value);
  if (parsed.success) return { ok: true, result: parsed.data };
  const problems = parsed.error.issues
    .slice(0, MAX_REPORTED_PROBLEMS)
    .map((issue) => `${issue.path.join(".") || "(root)"}: ${issue.message}`);
  return { ok: false, code: "schema-violation", problem: problems.join("; ") };
}

/** Creates the model analyser. Throws a `TypeError` at once when the provider settings are incomplete. */
export function createModelAnalyser(options: ModelAnalyserOptions): Analyser {
  const { baseUrl, apiKey, name: modelId } = options.provider;
  if (baseUrl.length === 0 || apiKey.length === 0 || modelId.length === 0) {
    throw new TypeError("model analyser needs provider.baseUrl, provider.apiKey and provider.name");
  }
  const stepPrefix = options.stepPrefix ?? "analyse";
  const structuredOutputs = options.structuredOutputs ?? true;
  const maxOutputTokens = options.maxOutputTokens ?? DEFAULT_MAX_OUTPUT_TOKENS;
  const timeoutMs = options.fetchFor === undefined ? (options.timeoutMs ?? DEFAULT_TIMEOUT_MS) : undefined;
  const fetchFor = options.fetchFor ?? (() => globalThis.fetch);
  const logger = options.logger ?? silentLogger;

  async function attempt(stepName: string, messages: ModelMessage[]): Promise<AttemptResult> {
    // A provider per request, because each request may need its own fetch (one context.call step each).
    const provider = createOpenAICompatible({
      name: "model",
      baseURL: baseUrl,
      apiKey,
      fetch: fetchFor(stepName),
      supportsStructuredOutputs: structuredOutputs,
    });
    try {
      const reply = await generateText({
        model: provider.chatModel(modelId),
        system: SYSTEM_PROMPT,
        messages,
        output: Output.object({ schema: AnalysisResultSchema, name: "issue_analysis" }),
        temperature: 0,
        maxOutputTokens,
        // Retries belong to the caller: a second fetch inside one context.call step cannot be replayed.
        maxRetries: 0,
        ...(timeoutMs === undefined ? {} : { abortSignal: AbortSignal.timeout(timeoutMs) }),
      });
      return { outcome: "ok", result: reply.output, usage: toTokenUsage(reply.usage) };
    } catch (error) {
      if (NoObjectGeneratedError.isInstance(error)) {
        const text = error.text ?? "";
        const usage = toTokenUsage(error.usage);
        const checked = validateReply(text);
        if (checked.ok) return { outcome: "ok", result: checked.result, usage };
        return { outcome: checked.code, problem: checked.problem, text, usage };
      }
      throw toProviderError(error, stepName);
    }
  }

  function toProviderError(error: unknown, stepName: string): unknown {
    if (APICallError.isInstance(error)) {
      const status = error.statusCode ?? null;
      const retryAfterSeconds = parseRetryAfter(error.responseHeaders?.["retry-after"], Date.now());
      return new ModelProviderError(
        `model request ${stepName} failed${status === null ? "" : ` with HTTP ${status}`}: ${error.message}`,
        {
          status,
          retryAfterSeconds,
          retryable: status === null ? error.isRetryable : isRetryableStatus(status),
          model: modelId,
          stepName,
        },
        { cause: error },
      );
    }
    if (error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError")) {
      return new ModelProviderError(
        `model request ${stepName} timed out after ${timeoutMs} ms`,
        { status: null, retryAfterSeconds: null, retryable: true, model: modelId, stepName },
        { cause: error },
      );
    }
    // Anything else, including the workflow SDK's WorkflowAbort, must reach the caller unchanged.
    return error;
  }

  return {
    kind: "model",
    async analyse(issue: Issue, repository: Repository): Promise<AnalyserOutput> {
      const stepName = `${stepPrefix}:${issue.id}`;
      const log = logger.child({ issueId: issue.id, repository: issue.repository, model: modelId });
      const userMessage: ModelMessage = { role: "user", content: buildUserPrompt(issue, repository) };
      const calls: ModelCallRecord[] = [];

      const first = await attempt(stepName, [userMessage]);
      calls.push({ stepName, outcome: first.outcome, usage: first.usage });
      if (first.outcome === "ok") {
        return {
          result: first.result,
          analyser: "model",
          model: modelId,
          usage: first.usage,
          fallbackReason: null,
          calls,
        };
      }
      log.warn("model reply rejected, retrying once", {
        step: stepName,
        code: first.outcome,
        problem: first.problem,
      });

      const retryStepName = `${stepName}:retry`;
      const second = await attempt(retryStepName, [
        userMessage,
        { role: "assistant", content: first.text },
        { role: "user", content: buildRetryPrompt(first.problem) },
      ]);
      calls.push({ stepName: retryStepName, outcome: second.outcome, usage: second.usage });
      const usage = addUsage(first.usage, second.usage);
      if (second.outcome === "ok") {
        return {
          result: second.result,
          analyser: "model",
          model: modelId,
          usage,
          fallbackReason: null,
          calls,
        };
      }

      const fallbackReason = `${second.outcome}: ${second.problem}`;
      log.warn("model reply rejected twice, using the heuristic result", {
        step: retryStepName,
        code: second.outcome,
        problem: second.problem,
      });
      return {
        result: analyseHeuristically(issue, repository),
        analyser: "heuristic",
        model: modelId,
        usage,
        fallbackReason,
        calls,
      };
    },
  };
}
