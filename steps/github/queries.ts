/**
 * Every GraphQL document the product sends to GitHub, and the point cost of each as GitHub computes it.
 *
 * GitHub charges one request per connection per parent object, divides the total by 100, rounds to
 * the nearest whole number and charges at least 1 point ("Rate limits and query limits for the GraphQL
 * API", docs.github.com). Repositories are batched with aliases (`r0`, `r1`...) and per-alias variables,
 * so one document shape serves any batch size and the schema test can check it.
 */

/** Topics read per repository. Topics beyond this are dropped. */
export const TOPICS_PER_REPOSITORY = 20;
/** Labels read per issue. Labels beyond this are dropped, which changes the content hash. */
export const LABELS_PER_ISSUE = 20;
/** Assignees read per issue. */
export const ASSIGNEES_PER_ISSUE = 10;
/** GitHub's maximum page size for `first`. */
export const ISSUES_PER_PAGE = 100;

const RATE_LIMIT_SELECTION = "rateLimit { cost remaining resetAt limit used }";

export const REPOSITORY_FIELDS = `fragment RepositoryFields on Repository {
  id
  name
  owner { login }
  nameWithOwner
  url
  description
  primaryLanguage { name }
  stargazerCount
  isArchived
  repositoryTopics(first: ${TOPICS_PER_REPOSITORY}) { nodes { topic { name } } }
}`;

export const ISSUE_FIELDS = `fragment IssueFields on Issue {
  id
  number
  url
  title
  body
  state
  locked
  createdAt
  updatedAt
  author { login }
  labels(first: ${LABELS_PER_ISSUE}) { nodes { name } }
  assignees(first: ${ASSIGNEES_PER_ISSUE}) { nodes { login } }
  comments { totalCount }
}`;

/** Alias of the `index`-th repository in a batched document. */
export function repositoryAlias(index: number): string {
  return `r${index}`;
}

function range(count: number): number[] {
  if (!Number.isInteger(count) || count < 1)
    throw new Error(`batch size must be a positive integer, got ${count}`);
  return Array.from({ length: count }, (_, index) => index);
}

/**
 * Builds the probe for `count` repositories: metadata plus the number of issues updated since each
 * repository's `$s<i>` in the states `$st<i>`. An unchanged repository costs two requests (topics and
 * the issue count), so 50 repositories fit in one point.
 * Variables per repository: `o<i>` owner, `n<i>` name, `s<i>` since (nullable), `st<i>` states.
 */
export function buildRepositoryProbeQuery(count: number): string {
  const indexes = range(count);
  const variables = indexes.map(
    (i) => `$o${i}: String!, $n${i}: String!, $s${i}: DateTime, $st${i}: [IssueState!]`,
  );
  const fields = indexes.map(
    (i) => `  ${repositoryAlias(i)}: repository(owner: $o${i}, name: $n${i}) {
    ...RepositoryFields
    changedIssues: issues(states: $st${i}, filterBy: { since: $s${i} }) { totalCount }
  }`,
  );
  return `query RepositoryProbe(${variables.join(", ")}) {
${fields.join("\n")}
  ${RATE_LIMIT_SELECTION}
}
${REPOSITORY_FIELDS}`;
}

/**
 * Builds a query for one page of issues in each of `count` repositories, oldest update first, so a
 * scan that stops early can resume from the newest `updatedAt` it stored without leaving a gap.
 * Variables per repository: `o<i>`, `n<i>`, `s<i>`, `st<i>` as in the probe, `f<i>` page size (1 to
 * 100) and `a<i>` the cursor to continue after (nullable).
 */
export function buildIssuePagesQuery(count: number): string {
  const indexes = range(count);
  const variables = indexes.map(
    (i) =>
      `$o${i}: String!, $n${i}: String!, $s${i}: DateTime, $st${i}: [IssueState!], $f${i}: Int!, $a${i}: String`,
  );
  const fields = indexes.map(
    (i) => `  ${repositoryAlias(i)}: repository(owner: $o${i}, name: $n${i}) {
    nameWithOwner
    issues(first: $f${i}, after: $a${i}, states: $st${i}, filterBy: { since: $s${i} }, orderBy: { field: UPDATED_AT, direction: ASC }) {
      totalCount
      pageInfo { hasNextPage endCursor }
      nodes { ...IssueFields }
    }
  }`,
  );
  return `query IssuePages(${variables.join(", ")}) {
${fields.join("\n")}
  ${RATE_LIMIT_SELECTION}
}
${ISSUE_FIELDS}`;
}

/** One issue by number, for scans triggered by a webhook. */
export const ISSUE_QUERY = `query Issue($owner: String!, $name: String!, $number: Int!) {
  repository(owner: $owner, name: $name) {
    nameWithOwner
    issue(number: $number) { ...IssueFields }
  }
  ${RATE_LIMIT_SELECTION}
}
${ISSUE_FIELDS}`;

/** Converts GitHub's request total into points: total / 100, rounded, at least 1. */
export function pointsForRequests(requests: number): number {
  return Math.max(1, Math.round(requests / 100));
}

/** Requests `RepositoryProbe` needs per repository: the topics and the changed-issue count. */
export const PROBE_REQUESTS_PER_REPOSITORY = 2;

/**
 * Requests one repository's page of `pageSize` issues needs in `IssuePages`: the issues connection,
 * plus labels, assignees and comments once per issue.
 */
export function issuePageRequests(pageSize: number): number {
  return 1 + 3 * pageSize;
}

/** Points of `RepositoryProbe` for `count` repositories. */
export function estimateProbeCost(count: number): number {
  return pointsForRequests(PROBE_REQUESTS_PER_REPOSITORY * count);
}

/** Points of `IssuePages` for repositories with the given page sizes. */
export function estimateIssuePagesCost(pageSizes: number[]): number {
  return pointsForRequests(pageSizes.reduce((sum, size) => sum + issuePageRequests(size), 0));
}

/** Points of `Issue`: labels, assignees and comments of one issue. */
export const ISSUE_QUERY_COST = pointsForRequests(3);

/**
 * Every document the product sends, with the batched ones built at 1 and 2 repositories (the shape
 * repeats per alias). The schema test validates each against GitHub's published schema.
 */
export const ALL_GITHUB_QUERIES: readonly { name: string; query: string }[] = [
  { name: "RepositoryProbe (1 repository)", query: buildRepositoryProbeQuery(1) },
  { name: "RepositoryProbe (2 repositories)", query: buildRepositoryProbeQuery(2) },
  { name: "IssuePages (1 repository)", query: buildIssuePagesQuery(1) },
  { name: "IssuePages (2 repositories)", query: buildIssuePagesQuery(2) },
  { name: "Issue", query: ISSUE_QUERY },
];
