export {
  DEFAULT_EXCLUDED_LABELS,
  DEFAULT_STALE_AFTER_DAYS,
  type FilterOptions,
  filterCandidates,
  type Rejection,
  type RejectionReason,
} from "./filter.js";
export { type MatchResult, type MismatchReason, matchesSubscriber, normaliseName } from "./match.js";
export { isClaimOnly, isEmptyBody, isTemplateOnly, isTestIssue } from "./noise.js";
export {
  activityOf,
  buildOpportunity,
  FRESHNESS_HALF_LIFE_DAYS,
  freshnessOf,
  popularityOf,
  rankOpportunities,
  SCORE_WEIGHTS,
  scoreOpportunity,
} from "./score.js";
