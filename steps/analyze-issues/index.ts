export {
  type AnalyserOutputs,
  type AnalysisBatch,
  loadAnalysisBatch,
  type StoredAnalyses,
  storeAnalyses,
} from "./batch.js";
export { analyseBatchWithModel } from "./model-batch.js";
