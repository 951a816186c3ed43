import { z } from "zod";

export const ContributionTypeSchema = z.enum([
  "bug-fix",
  "feature",
  "documentation",
  "tests",
  "refactor",
  "translation",
  "performance",
  "other",
]);
export type ContributionType = z.infer<typeof ContributionTypeSchema>;

/** Result an analyser returns for one issue. Model output is parsed with this schema. */
export const AnalysisResultSchema = z.object({
  /** 1 (trivial) to 10 (expert only). */
  difficulty: z.number().int().min(1).max(10),
  requiredSkills: z.array(z.string().min(1)).max(12),
  /** Estimated hours for a newcomer to the codebase. */
  estimatedHours: z.number().positive().max(400),
  /** 0 to 1: how well the issue suits a first contribution. */
  goodFirstIssueScore: z.number().min(0).max(1),
  contributionType: ContributionTypeSchema,
  summary: z.string().min(1).max(500),
  firstSteps: z.array(z.string().min(1)).min(1).max(8),
  /** 0 to 1: the analyser's confidence in its own result. */
  confidence: z.number().min(0).max(1),
});
export type AnalysisResult = z.infer<typeof AnalysisResultSchema>;

export const TokenUsageSchema = z.object({
  inputTokens: z.number().int().nonnegative(),
  outputTokens: z.number().int().nonnegative(),
});
export type TokenUsage = z.infer<typeof TokenUsageSchema>;

/** A stored analysis: the result plus where it came from. Stored per issue id, with the content hash of the text it analysed. */
export const AnalysisSchema = AnalysisResultSchema.extend({
  issueId: z.string().min(1),
  contentHash: z.string().regex(/^[0-9a-f]{64}$/),
  analyser: z.enum(["heuristic", "model"]),
  /** Model id when `analyser` is `model`, or the model whose output was rejected when `fallbackReason` is set. */
  model: z.string().nullable().default(null),
  /**
   * Set when the model output failed validation twice and the heuristic result was used instead:
   * `malformed-json: ...` or `schema-violation: ...` with the problems found.
   */
  fallbackReason: z.string().nullable().default(null),
  /** Tokens of every model request for this analysis, rejected replies included; null for the heuristic. */
  usage: TokenUsageSchema.nullable().default(null),
  analysedAt: z.string().datetime(),
});
export type Analysis = z.infer<typeof AnalysisSchema>;
