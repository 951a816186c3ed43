export {
  type RepositoryScanSummary,
  type ScanRequest,
  type ScanStepResult,
  scanRepositories,
} from "./scan.js";
