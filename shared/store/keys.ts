/**
 * The product's Redis key scheme. Every key starts with the configured prefix (`radar:` by default).
 *
 * | key | type | contents |
 * |---|---|---|
 * | `repo:{owner/name}` | string (JSON) | `Repository` |
 * | `repos:due` | sorted set | repository name → epoch ms when its next scan is due |
 * | `repo-issues:{owner/name}` | set | ids of the repository's stored issues |
 * | `issue:{issueId}` | string (JSON) | `Issue` |
 * | `analysis:{issueId}` | string (JSON) | latest `Analysis`; its `contentHash` records which text it analysed |
 * | `opportunity:{issueId}` | string (JSON) | `Opportunity` |
 * | `opportunities` | sorted set | issue id → score, for ranked listing |
 * | `subscriber:{id}` | string (JSON) | `Subscriber` |
 * | `subscribers` | set | subscriber ids |
 * | `sent:{subscriberId}` | hash | `{issueId}:{channel}` → JSON `Notification` (the delivery ledger) |
 * | `sent-day:{subscriberId}:{localDay}` | set | ids of the issues sent that local day (expires after 3 days) |
 * | `digest-day:{subscriberId}` | string | local day (`YYYY-MM-DD`) of the last digest sent |
 * | `stats` | hash | running counters, see `StatsField` |
 *
 * Idempotency claims, circuit breakers and webhook delivery ids live under the same prefix in
 * `shared/reliability/`.
 */
export function createKeys(prefix: string) {
  return {
    repository: (name: string) => `${prefix}repo:${name}`,
    repositoriesDue: () => `${prefix}repos:due`,
    repositoryIssues: (name: string) => `${prefix}repo-issues:${name}`,
    issue: (issueId: string) => `${prefix}issue:${issueId}`,
    analysis: (issueId: string) => `${prefix}analysis:${issueId}`,
    opportunity: (issueId: string) => `${prefix}opportunity:${issueId}`,
    opportunities: () => `${prefix}opportunities`,
    subscriber: (id: string) => `${prefix}subscriber:${id}`,
    subscribers: () => `${prefix}subscribers`,
    sentLedger: (subscriberId: string) => `${prefix}sent:${subscriberId}`,
    sentDay: (subscriberId: string, localDay: string) => `${prefix}sent-day:${subscriberId}:${localDay}`,
    digestDay: (subscriberId: string) => `${prefix}digest-day:${subscriberId}`,
    stats: () => `${prefix}stats`,
  };
}

export type Keys = ReturnType<typeof createKeys>;
