export {
  type Analyser,
  type AnalyserOutput,
  addUsage,
  analyseBatch,
  analysisKeyFor,
  type FallbackCode,
  type ModelCallRecord,
  needsAnalysis,
  toAnalysis,
} from "./analyser.js";
export {
  type CallContext,
  type ContextCallFetchOptions,
  createContextCallFetch,
} from "./context-call-fetch.js";
export { isModelProviderError, ModelProviderError, parseRetryAfter } from "./errors.js";
export { analyseHeuristically, createHeuristicAnalyser } from "./heuristic.js";
export { createModelAnalyser, type ModelAnalyserOptions } from "./model.js";
export {
  buildUserPrompt,
  MAX_PROMPT_BODY_CHARS,
  type PromptIssue,
  parsePromptIssue,
  SYSTEM_PROMPT,
} from "./prompt.js";
export { type IssueSignals, readSignals } from "./signals.js";
export { stripMarkdown, summarise } from "./summary.js";
