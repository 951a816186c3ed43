/**
 * Model analysis of a batch inside a workflow: one `context.call` per model request, issue after
 * issue. This runs outside `context.run` because the calls replay from QStash's step log on every
 * delivery, so it must stay deterministic and silent. The `store` step that follows logs the outcome.
 */
import { silentLogger } from "../../shared/logger.js";
import {
  type AnalyserOutput,
  analyseHeuristically,
  type CallContext,
  createContextCallFetch,
  createModelAnalyser,
  isModelProviderError,
} from "../analysis/index.js";
import type { AnalyserOutputs, AnalysisBatch } from "./batch.js";

/** Seconds QStash waits for the model provider per request. */
const MODEL_CALL_TIMEOUT_SECONDS = 120;
/** Times QStash retries a failed model request (5xx, 429, timeout) before the analyser receives the failure. */
const MODEL_CALL_RETRIES = 2;

export async function analyseBatchWithModel(
  context: CallContext,
  provider: { baseUrl: string; apiKey: string; name: string },
  batch: AnalysisBatch,
): Promise<AnalyserOutputs> {
  const analyser = createModelAnalyser({
    provider,
    stepPrefix: "model",
    fetchFor: (stepName) =>
      createContextCallFetch(context, stepName, {
        retries: MODEL_CALL_RETRIES,
        timeoutSeconds: MODEL_CALL_TIMEOUT_SECONDS,
      }),
    logger: silentLogger,
  });
  const repositories = new Map(
    batch.repositories.map((repository) => [repository.nameWithOwner, repository]),
  );
  const outputs: AnalyserOutputs = [];
  // Sequential: the workflow SDK replays steps by position, so the order of calls must be fixed.
  for (const issue of batch.issues) {
    const repository = repositories.get(issue.repository);
    if (!repository) continue;
    let output: AnalyserOutput;
    try {
      output = await analyser.analyse(issue, repository);
    } catch (error) {
      // The provider still failed after QStash's call retries. The memoised failure would replay on
      // every retry of this run, so the issue falls back to the heuristic result, recorded as such.
      if (!isModelProviderError(error)) throw error;
      output = {
        result: analyseHeuristically(issue, repository),
        analyser: "heuristic",
        model: provider.name,
        usage: null,
        fallbackReason: `provider-error: ${error.message}`,
        calls: [],
      };
    }
    outputs.push([issue.id, output]);
  }
  return outputs;
}
