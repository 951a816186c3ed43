/** Public surface of the local GitHub GraphQL stand-in. */
export { computeQueryCost, MAX_NODE_COUNT, MAX_PAGE_SIZE, type QueryCost } from "./cost.js";
export type { GitHubGraphQLError } from "./errors.js";
export {
  FaultsRequestSchema,
  type GitHubFaults,
  type GitHubFaultsInput,
  GitHubFaultsSchema,
} from "./faults.js";
export { loadGitHubSchema } from "./schema.js";
export {
  BUNDLED_SNAPSHOT_DIR,
  DEFAULT_TOKEN,
  type GitHubStandIn,
  type GitHubStandInOptions,
  type GitHubStandInStats,
  startGitHubStandIn,
} from "./server.js";
export {
  loadSnapshot,
  type Snapshot,
  SnapshotError,
  type SnapshotIssue,
  SnapshotIssueSchema,
  type SnapshotRepository,
  SnapshotRepositorySchema,
} from "./snapshot.js";
export {
  type IssueUpsert,
  IssueUpsertSchema,
  issueNodeId,
  repositoryNodeId,
  type StoredIssue,
} from "./store.js";
