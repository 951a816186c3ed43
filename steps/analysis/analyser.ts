/**
 * The contract every issue analyser meets, and the pure helpers around it.
 *
 * Two analysers implement `Analyser`: the heuristic one (`heuristic.ts`, no network, the default) and
 * the model one (`model.ts`, an OpenAI-compatible chat model). Both return an `AnalyserOutput`, which
 * `toAnalysis` turns into the stored `Analysis` record.
 */
import type { Analysis, AnalysisResult, Issue, Repository, TokenUsage } from "../../shared/domain/index.js";

/** Stable code of the reason a model result was replaced by the heuristic one, for logs and stats. */
export type FallbackCode = "malformed-json" | "schema-violation";

/** One request to the model, successful or not. */
export interface ModelCallRecord {
  /** Step name of the `context.call` (or the label of the plain request outside a workflow). */
  stepName: string;
  outcome: "ok" | FallbackCode;
  /** Token usage the provider reported; null when the response carried none. */
  usage: TokenUsage | null;
}

/** The output of an analyser for one issue. */
export interface AnalyserOutput {
  result: AnalysisResult;
  /** The analyser that produced `result`. A model analyser that fell back reports `heuristic`. */
  analyser: "heuristic" | "model";
  /** Model id that was asked; null for the heuristic analyser. */
  model: string | null;
  /** Token usage summed over every model call for this issue, including failed attempts. */
  usage: TokenUsage | null;
  /** Set when the model output failed validation twice, e.g. `schema-violation: difficulty: ...`. */
  fallbackReason: string | null;
  /** Every model request made for this issue, in order; empty for the heuristic analyser. */
  calls: ModelCallRecord[];
}

export interface Analyser {
  /** `heuristic` or `model`; used in logs. */
  readonly kind: "heuristic" | "model";
  /**
   * Analyses one issue. The model analyser throws `ModelProviderError` on transport failures and lets
   * the workflow SDK's control-flow errors (`WorkflowAbort`) pass through. Invalid model output does not
   * throw, because the analyser falls back to the heuristic result.
   */
  analyse(issue: Issue, repository: Repository): Promise<AnalyserOutput>;
}

/** Token usage of two calls added up; null only when neither reported any. */
export function addUsage(left: TokenUsage | null, right: TokenUsage | null): TokenUsage | null {
  if (left === null) return right;
  if (right === null) return left;
  return {
    inputTokens: left.inputTokens + right.inputTokens,
    outputTokens: left.outputTokens + right.outputTokens,
  };
}

/**
 * Analyses issues one after another, in input order.
 *
 * Sequential on purpose: inside a workflow each model request is a `context.call` step, and the
 * workflow SDK replays steps by position, so the order of requests must not depend on response timing.
 * Issues whose repository is missing from `repositories` are skipped and listed in `missingRepository`.
 */
export async function analyseBatch(
  analyser: Analyser,
  issues: readonly Issue[],
  repositories: ReadonlyMap<string, Repository>,
): Promise<{ outputs: Map<string, AnalyserOutput>; missingRepository: string[] }> {
  const outputs = new Map<string, AnalyserOutput>();
  const missingRepository: string[] = [];
  for (const issue of issues) {
    const repository = repositories.get(issue.repository);
    if (repository === undefined) {
      missingRepository.push(issue.id);
      continue;
    }
    outputs.set(issue.id, await analyser.analyse(issue, repository));
  }
  return { outputs, missingRepository };
}

/**
 * Builds the stored record. `analysedAt` is passed in rather than read from the clock so that a
 * workflow can take it from a step and stay deterministic on replay.
 */
export function toAnalysis(issue: Issue, output: AnalyserOutput, analysedAt: string): Analysis {
  return {
    ...output.result,
    issueId: issue.id,
    contentHash: issue.contentHash,
    analyser: output.analyser,
    model: output.model,
    fallbackReason: output.fallbackReason,
    usage: output.usage,
    analysedAt,
  };
}

/**
 * Returns the key under which an issue's analysis is unique: its content hash (SHA-256 of title, body
 * and sorted labels). Two issues with the same text share it.
 */
export function analysisKeyFor(issue: Issue): string {
  return issue.contentHash;
}

/**
 * Whether `issue` must be analysed: true when there is no analysis yet or the stored one was made for
 * another title, body or label set. An issue whose content hash did not change is never analysed
 * twice, whichever analyser produced the stored result.
 */
export function needsAnalysis(issue: Issue, existing: Analysis | null): boolean {
  if (existing === null) return true;
  return existing.contentHash !== analysisKeyFor(issue);
}
