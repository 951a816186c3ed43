/**
 * Initial payloads of the product's workflows. Each workflow parses its payload with these schemas
 * (`serve`'s `schema` option), so a malformed trigger fails before any step runs.
 */
import { z } from "zod";
import { RepositoryNameSchema } from "../shared/domain/index.js";

/** Workflow ids: the last path segment of each workflow's URL under `/workflows/`. */
export const WORKFLOW_IDS = {
  scan: "scan-repository",
  sweep: "sweep",
  analyze: "analyze-issues",
  notify: "notify-subscribers",
  maintenance: "maintenance",
} as const;

export type WorkflowId = (typeof WORKFLOW_IDS)[keyof typeof WORKFLOW_IDS];

export const ScanPayloadSchema = z.object({
  /** Repositories scanned together; their metadata and first issue pages come in one GraphQL request. */
  repositories: z.array(RepositoryNameSchema).min(1).max(50),
  /** When set, only these issue numbers of the single repository are fetched (webhook scans). */
  issueNumbers: z.array(z.number().int().positive()).max(100).optional(),
  /** Why the scan runs, for logs: `sweep`, `webhook:issues.opened`, `admin`... */
  reason: z.string().max(100).default("admin"),
});
export type ScanPayload = z.input<typeof ScanPayloadSchema>;

export const SweepPayloadSchema = z
  .object({
    /** Scan every watched repository, due or not. */
    all: z.boolean().default(false),
    /** Scan these watched repositories now, due or not; names that are not watched are skipped. */
    repositories: z.array(RepositoryNameSchema).max(5000).optional(),
  })
  .default({ all: false });
export type SweepPayload = z.input<typeof SweepPayloadSchema>;

export const AnalyzePayloadSchema = z.object({
  issueIds: z.array(z.string().min(1)).min(1).max(100),
});
export type AnalyzePayload = z.input<typeof AnalyzePayloadSchema>;

export const AnalyzeResultSchema = z.object({
  /** Issue ids whose opportunity was created or re-ranked. */
  opportunityIds: z.array(z.string()),
  analysed: z.number().int().nonnegative(),
});
export type AnalyzeResult = z.infer<typeof AnalyzeResultSchema>;

export const NotifyPayloadSchema = z.discriminatedUnion("mode", [
  z.object({
    mode: z.literal("alerts"),
    /** Newly ranked opportunities to consider for immediate alerts. */
    opportunityIds: z.array(z.string().min(1)).min(1).max(500),
  }),
  z.object({
    mode: z.literal("digest"),
    /** Limit the pass to these subscribers; all when absent. */
    subscriberIds: z.array(z.string()).optional(),
    /** Send digests now even where the subscriber's local digest hour has not come yet. */
    ignoreDigestHour: z.boolean().default(false),
  }),
]);
export type NotifyPayload = z.input<typeof NotifyPayloadSchema>;
