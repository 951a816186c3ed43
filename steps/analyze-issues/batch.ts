/**
 * Step bodies of analyze-issues: `load` picks the issues of the batch that still need an analysis, and
 * `store` turns analyser outputs into stored analyses and ranked opportunities.
 */
import type { Issue, Repository } from "../../shared/domain/index.js";
import type { Logger } from "../../shared/logger.js";
import type { Stats, Stores } from "../../shared/store/index.js";
import type { AnalyserOutput } from "../analysis/index.js";
import { toAnalysis } from "../analysis/index.js";
import { buildOpportunity } from "../scoring/index.js";

export interface AnalysisBatch {
  /** Issues without a current analysis, in request order. */
  issues: Issue[];
  /** Repositories of those issues. */
  repositories: Repository[];
  /** Requested ids that were missing or already analysed for their current text. */
  skipped: string[];
}

export async function loadAnalysisBatch(stores: Stores, issueIds: string[]): Promise<AnalysisBatch> {
  const found = await stores.issues.getMany(issueIds);
  const pending = await stores.analyses.withoutCurrentAnalysis(found);
  const names = [...new Set(pending.map((issue) => issue.repository))];
  const repositories = await stores.repositories.getMany(names);
  const issues = pending.filter((issue) => repositories.has(issue.repository));
  const kept = new Set(issues.map((issue) => issue.id));
  return {
    issues,
    repositories: [...repositories.values()],
    skipped: issueIds.filter((id) => !kept.has(id)),
  };
}

export interface StoredAnalyses {
  opportunityIds: string[];
  analysed: number;
}

/** One analyser output per issue id, in the order the issues were analysed. */
export type AnalyserOutputs = [issueId: string, output: AnalyserOutput][];

export async function storeAnalyses(
  stores: Stores,
  batch: AnalysisBatch,
  outputs: AnalyserOutputs,
  now: Date,
  logger: Logger,
): Promise<StoredAnalyses> {
  const issues = new Map(batch.issues.map((issue) => [issue.id, issue]));
  const repositories = new Map(
    batch.repositories.map((repository) => [repository.nameWithOwner, repository]),
  );
  const analysedAt = now.toISOString();

  const analyses = [];
  const opportunities = [];
  const stats: Stats = {};
  const add = (field: keyof Stats, value: number) => {
    stats[field] = (stats[field] ?? 0) + value;
  };

  for (const [issueId, output] of outputs) {
    const issue = issues.get(issueId);
    const repository = issue ? repositories.get(issue.repository) : undefined;
    if (!issue || !repository) continue;
    const analysis = toAnalysis(issue, output, analysedAt);
    analyses.push(analysis);
    opportunities.push(buildOpportunity(issue, repository, analysis, now));

    add(output.analyser === "model" ? "analyses.model" : "analyses.heuristic", 1);
    if (output.fallbackReason !== null) {
      add("analyses.fallback", 1);
      logger.warn("model analysis replaced by the heuristic result", {
        issueId,
        repository: issue.repository,
        model: output.model,
        fallbackReason: output.fallbackReason,
      });
    }
    if (output.usage) {
      add("model.tokens.input", output.usage.inputTokens);
      add("model.tokens.output", output.usage.outputTokens);
    }
  }

  await stores.analyses.putMany(analyses);
  await stores.opportunities.putMany(opportunities);
  add("opportunities.ranked", opportunities.length);
  await stores.stats.add(stats);
  logger.info("analyses stored", { analysed: analyses.length, fallbacks: stats["analyses.fallback"] ?? 0 });
  return {
    opportunityIds: opportunities.map((opportunity) => opportunity.issueId),
    analysed: analyses.length,
  };
}
