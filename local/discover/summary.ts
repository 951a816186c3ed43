/**
 * The discover run's summary: what the pipeline did during the run (differences of the product's
 * counters), what it cost, and the top opportunities per subscriber.
 */
import type { Opportunity, Subscriber } from "../../shared/domain/index.js";
import type { Stats, StatsField } from "../../shared/store/index.js";

export interface TopOpportunity {
  repository: string;
  number: number;
  title: string;
  score: number;
  difficulty: number;
  url: string;
}

export interface DiscoverSummary {
  repositoriesWatched: number;
  repositoriesScanned: number;
  issuesSeen: number;
  issuesChanged: number;
  candidates: number;
  analyses: { heuristic: number; model: number; fallbacks: number };
  opportunities: { ranked: number; total: number };
  notifications: { webhook: number; email: number; slack: number; failed: number };
  qstash: { messages: number; deliveries: number };
  githubPoints: number;
  githubRequests: number;
  modelTokens: { input: number; output: number };
  wallTimeMs: number;
  topOpportunities: Record<string, TopOpportunity[]>;
}

export function statsDelta(before: Stats, after: Stats): Record<StatsField, number> {
  const delta = {} as Record<StatsField, number>;
  const fields = new Set([...Object.keys(before), ...Object.keys(after)]) as Set<StatsField>;
  for (const field of fields) delta[field] = (after[field] ?? 0) - (before[field] ?? 0);
  return delta;
}

export function toTopOpportunity(opportunity: Opportunity): TopOpportunity {
  return {
    repository: opportunity.repository,
    number: opportunity.number,
    title: opportunity.title,
    score: opportunity.score,
    difficulty: opportunity.analysis.difficulty,
    url: opportunity.url,
  };
}

export function formatSummary(summary: DiscoverSummary, subscribers: Subscriber[]): string {
  const lines = [
    "",
    "Discovery run summary",
    `  repositories scanned   ${summary.repositoriesScanned} of ${summary.repositoriesWatched} watched`,
    `  issues seen            ${summary.issuesSeen} (${summary.issuesChanged} new or changed)`,
    `  candidates             ${summary.candidates}`,
    `  analyses               ${summary.analyses.heuristic} heuristic, ${summary.analyses.model} model, ${summary.analyses.fallbacks} fallbacks`,
    `  opportunities          ${summary.opportunities.ranked} ranked in this run, ${summary.opportunities.total} stored`,
    `  notifications          webhook ${summary.notifications.webhook}, email ${summary.notifications.email}, slack ${summary.notifications.slack}`,
    `  QStash                 ${summary.qstash.messages} messages, ${summary.qstash.deliveries} deliveries to the app`,
    `  GitHub                 ${summary.githubPoints} points in ${summary.githubRequests} requests`,
    `  model tokens           ${summary.modelTokens.input} in, ${summary.modelTokens.output} out`,
    `  wall time              ${(summary.wallTimeMs / 1000).toFixed(1)} s`,
    "",
    "Top opportunities per subscriber",
  ];
  for (const subscriber of subscribers) {
    lines.push(`  ${subscriber.name}`);
    const top = summary.topOpportunities[subscriber.id] ?? [];
    if (top.length === 0) lines.push("    (no matching opportunity)");
    for (const entry of top) {
      lines.push(
        `    ${entry.score.toFixed(1).padStart(5)}  ${entry.repository}#${entry.number}  ${entry.title}  (difficulty ${entry.difficulty})`,
      );
    }
  }
  return lines.join("\n");
}
