import type { Opportunity } from "../../shared/domain/index.js";
import type { NotificationPayload } from "../../steps/delivery/index.js";

/** Builds a valid opportunity. `overrides` replaces top-level fields. */
export function makeOpportunity(overrides: Partial<Opportunity> = {}): Opportunity {
  const issueId = overrides.issueId ?? "I_kwDOAbc123";
  return {
    issueId,
    repository: "octo-org/widgets",
    number: 42,
    url: "https://github.com/octo-org/widgets/issues/42",
    title: 'Fix <script> handling & "quotes" in parser',
    language: "typescript",
    topics: ["parser"],
    labels: ["good first issue"],
    score: 90,
    rankedAt: "2025-03-01T10:00:00.000Z",
    analysis: {
      issueId,
      contentHash: "a".repeat(64),
      analyser: "heuristic",
      model: null,
      fallbackReason: null,
      usage: null,
      analysedAt: "2025-03-01T09:00:00.000Z",
      difficulty: 3,
      requiredSkills: ["TypeScript", "regular expressions"],
      estimatedHours: 2.5,
      goodFirstIssueScore: 0.8,
      contributionType: "bug-fix",
      summary: "The tokenizer drops <b>tags</b> when quotes are unbalanced.",
      firstSteps: ["Read src/tokenizer.ts", 'Add a failing test for `<a href="x">`'],
      confidence: 0.7,
    },
    ...overrides,
  };
}

export function makeAlertPayload(overrides: Partial<NotificationPayload> = {}): NotificationPayload {
  return {
    id: "sub-1:I_kwDOAbc123:webhook",
    kind: "alert",
    subscriber: { id: "sub-1", name: "Ada" },
    localDay: "2025-03-01",
    opportunities: [makeOpportunity()],
    ...overrides,
  };
}
