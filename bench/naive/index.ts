export { type NaiveApp, startNaiveApp } from "./app.js";
export {
  NAIVE_WORKFLOW_IDS,
  type NaiveIssuePayload,
  type NaiveListPayload,
} from "./workflows.js";
