/**
 * GitHub access for the pipeline's steps: a GraphQL client, batched incremental scans, single-issue
 * reads and the rate budget that keeps a scan inside GitHub's points. Runs in Workers and Node.
 */
export { type IssueState, issueStatesFor } from "./batch.js";
export {
  createGitHubClient,
  type GitHubClient,
  type GitHubClientOptions,
  GitHubClientOptionsSchema,
  type GitHubQueryResponse,
} from "./client.js";
export {
  GitHubError,
  type GitHubErrorKind,
  type GitHubGraphQLErrorEntry,
  isGitHubError,
  RepositoryNotFoundError,
} from "./errors.js";
export {
  type FetchIssuePagesOptions,
  fetchIssue,
  fetchIssuePages,
  type IssuePagesResult,
} from "./fetch-issues.js";
export {
  DEFAULT_REPOSITORIES_PER_REQUEST,
  type FetchRepositoriesOptions,
  type FetchRepositoriesResult,
  fetchRepositories,
  MAX_REQUESTS_PER_ISSUE_BATCH,
  type RepositoryScan,
  type SkippedRepository,
} from "./fetch-repositories.js";
export {
  ALL_GITHUB_QUERIES,
  buildIssuePagesQuery,
  buildRepositoryProbeQuery,
  estimateIssuePagesCost,
  estimateProbeCost,
  ISSUE_QUERY,
  ISSUE_QUERY_COST,
  ISSUES_PER_PAGE,
} from "./queries.js";
export {
  RateBudget,
  type RateBudgetOptions,
  type RateBudgetState,
  RateBudgetStateSchema,
} from "./rate-budget.js";
export { computeContentHash, type RepositoryMetadata } from "./schemas.js";
