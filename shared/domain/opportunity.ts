import { z } from "zod";
import { AnalysisSchema } from "./analysis.js";
import { RepositoryNameSchema } from "./repository.js";

/** An analysed candidate issue with its rank score. */
export const OpportunitySchema = z.object({
  issueId: z.string().min(1),
  repository: RepositoryNameSchema,
  number: z.number().int().positive(),
  url: z.string().url(),
  title: z.string(),
  language: z.string().nullable(),
  topics: z.array(z.string()).default([]),
  labels: z.array(z.string()),
  /** The issue's `updatedAt`. Of two opportunities with equal scores, the more recently updated ranks first. */
  updatedAt: z.string().datetime().optional(),
  analysis: AnalysisSchema,
  /** 0 to 100; higher ranks first. */
  score: z.number().min(0).max(100),
  rankedAt: z.string().datetime(),
});
export type Opportunity = z.infer<typeof OpportunitySchema>;
