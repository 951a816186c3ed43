export {
  type AnalyserOutputs,
  type AnalysisBatch,
  loadAnalysisBatch,
  type StoredAnalyses,
  storeAnalyses,
} from "./batch.js";
