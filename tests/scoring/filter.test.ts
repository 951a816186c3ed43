import { describe, expect, it } from "vitest";
import type { Issue } from "../../shared/domain/index.js";
import { filterCandidates, type RejectionReason } from "../../steps/scoring/index.js";
import {
  contentHashOf,
  groupByRepository,
  loadSnapshot,
  makeIssue,
  makeRepository,
} from "../analysis/fixtures.js";

const now = new Date("2026-12-04T00:00:00Z");
const repository = makeRepository();

function reasonFor(issue: Issue, options: Partial<Parameters<typeof filterCandidates>[2]> = {}) {
  const { candidates, rejected } = filterCandidates([issue], repository, { now, ...options });
  if (candidates.length === 1) return "candidate";
  return rejected[0]?.reason;
}

describe("filterCandidates", () => {
  it("keeps a clean open issue", () => {
    expect(reasonFor(makeIssue())).toBe("candidate");
  });

  it("rejection reasons on crafted issues", () => {
    const cases: [string, Issue, RejectionReason][] = [
      ["closed", makeIssue({ state: "CLOSED" }), "closed"],
      ["locked", makeIssue({ locked: true }), "locked"],
      ["assigned", makeIssue({ assignees: ["user-2"] }), "assigned"],
      ["stale", makeIssue({ updatedAt: "2025-11-01T00:00:00Z" }), "stale"],
      ["duplicate label", makeIssue({ labels: ["Duplicate"] }), "excluded-label"],
      ["scoped wontfix label", makeIssue({ labels: ["status: wontfix"] }), "excluded-label"],
      ["spam label", makeIssue({ labels: ["spam"] }), "excluded-label"],
      ["empty body", makeIssue({ body: "  \n<!-- describe the bug -->\n" }), "empty-body"],
      [
        "issue form left empty",
        makeIssue({
          body: "### Describe the bug\n\n_No response_\n\n### Steps to reproduce\n\n_No response_\n\n### Version\n\n#.#.#\n\n- [ ] I searched existing issues",
        }),
        "template-only",
      ],
      ["claim only", makeIssue({ body: "Hi! Can I work on this? Please assign it to me." }), "claim-only"],
      ["test post", makeIssue({ title: "test", body: "testing the issue form" }), "test-issue"],
    ];
    for (const [name, issue, reason] of cases) {
      expect(reasonFor(issue), name).toBe(reason);
    }
  });

  it("closed wins over other reasons", () => {
    expect(reasonFor(makeIssue({ state: "CLOSED", locked: true, labels: ["spam"] }))).toBe("closed");
  });

  it("staleness uses the injected clock", () => {
    const issue = makeIssue({ updatedAt: "2026-01-01T00:00:00Z" });
    expect(reasonFor(issue, { staleAfterDays: 365 })).toBe("candidate");
    expect(reasonFor(issue, { staleAfterDays: 300 })).toBe("stale");
    expect(reasonFor(issue, { now: new Date("2027-06-01T00:00:00Z") })).toBe("stale");
  });

  it("invalid stale limit rejected", () => {
    expect(() => filterCandidates([], repository, { now, staleAfterDays: 0 })).toThrow(/staleAfterDays/);
  });

  it("required labels allow list", () => {
    const options = { requiredLabels: ["good first issue", "help wanted"] };
    expect(reasonFor(makeIssue({ labels: ["Good-First-Issue"] }), options)).toBe("candidate");
    expect(reasonFor(makeIssue({ labels: ["bug"] }), options)).toBe("missing-required-label");
  });

  it("excluded labels configurable", () => {
    const issue = makeIssue({ labels: ["question"] });
    expect(reasonFor(issue)).toBe("excluded-label");
    expect(reasonFor(issue, { excludedLabels: [] })).toBe("candidate");
    expect(reasonFor(makeIssue({ labels: ["needs design"] }), { excludedLabels: ["needs design"] })).toBe(
      "excluded-label",
    );
  });

  it("archived repository rejects all", () => {
    const archived = makeRepository({ isArchived: true });
    const { candidates, rejected } = filterCandidates([makeIssue()], archived, { now });
    expect(candidates).toEqual([]);
    expect(rejected[0]?.reason).toBe("archived-repository");
  });

  it("duplicate content keeps the oldest", () => {
    const original = makeIssue({ number: 5, createdAt: "2026-10-01T00:00:00Z" });
    const copy = makeIssue({ number: 9, createdAt: "2026-11-02T00:00:00Z" });
    expect(copy.contentHash).toBe(original.contentHash);
    const { candidates, rejected } = filterCandidates([copy, original], repository, { now });
    expect(candidates.map((issue) => issue.id)).toEqual([original.id]);
    expect(rejected).toEqual([
      { issueId: copy.id, reason: "duplicate-content", detail: `same content as ${original.id}` },
    ]);
  });

  it("duplicate of a known issue", () => {
    const issue = makeIssue({ number: 9 });
    const known = new Map([[issue.contentHash, "I_stored_1"]]);
    expect(reasonFor(issue, { knownContentHashes: known })).toBe("duplicate-content");
    const self = new Map([[issue.contentHash, issue.id]]);
    expect(reasonFor(issue, { knownContentHashes: self })).toBe("candidate");
  });

  it("closed copy never hides an open one", () => {
    const open = makeIssue({ number: 9, createdAt: "2026-11-02T00:00:00Z" });
    const closedOriginal = makeIssue({ number: 5, createdAt: "2026-10-01T00:00:00Z", state: "CLOSED" });
    const { candidates } = filterCandidates([closedOriginal, open], repository, { now });
    expect(candidates.map((issue) => issue.id)).toEqual([open.id]);
  });

  it("every input issue accounted once", () => {
    const { issues, repositories } = loadSnapshot();
    const byRepository = groupByRepository(issues);
    for (const [name, group] of byRepository) {
      const { candidates, rejected } = filterCandidates(group, repositories.get(name)!, { now });
      const ids = [...candidates.map((issue) => issue.id), ...rejected.map((rejection) => rejection.issueId)];
      expect(ids.sort(), name).toEqual(group.map((issue) => issue.id).sort());
    }
  });

  it("snapshot noise rejected with codes", () => {
    const { issues, repositories } = loadSnapshot();
    // Treated as open and fresh, so the text and label checks decide.
    const reopened = issues.map((issue) => ({
      ...issue,
      state: "OPEN" as const,
      updatedAt: now.toISOString(),
    }));
    const reasons = new Map<string, string>();
    for (const [name, group] of groupByRepository(reopened)) {
      for (const rejection of filterCandidates(group, repositories.get(name)!, { now }).rejected) {
        reasons.set(rejection.issueId, rejection.reason);
      }
    }
    const expected: Record<string, RejectionReason> = {
      "I_cli/cli#6337": "test-issue",
      "I_golang/go#39950": "template-only",
      "I_laravel/framework#22889": "template-only",
      "I_microsoft/vscode#126338": "claim-only",
      "I_Vin205/Enyanjyoti#177": "claim-only",
      "I_scikit-learn/scikit-learn#31976": "excluded-label",
      "I_j-a-w-r/jawr-main-repo#77": "excluded-label",
    };
    for (const [issueId, reason] of Object.entries(expected)) {
      expect(reasons.get(issueId), issueId).toBe(reason);
    }
    // Real contributions that mention templates, claims or tests stay candidates.
    for (const issueId of [
      "I_kodadot/nft-gallery#6967",
      "I_thingctx/thingctx#76",
      "I_benr77/obsidian-gitlab-issues#26",
      "I_tldr-pages/tldr#13578",
    ]) {
      expect(reasons.get(issueId), issueId).toBeUndefined();
    }
  });

  it("snapshot open issues mostly kept", () => {
    const { issues, repositories } = loadSnapshot();
    const open = issues.filter((issue) => issue.state === "OPEN");
    let kept = 0;
    for (const [name, group] of groupByRepository(open)) {
      kept += filterCandidates(group, repositories.get(name)!, { now, staleAfterDays: 100_000 }).candidates
        .length;
    }
    // Noise is a minority of the open issues; a filter that drops most of them is broken.
    expect(kept / open.length).toBeGreaterThan(0.85);
  });

  it("content hash fixture follows text", () => {
    expect(contentHashOf("a", "b", ["y", "x"])).toBe(contentHashOf("a", "b", ["x", "y"]));
    expect(contentHashOf("a", "b", [])).not.toBe(contentHashOf("a", "c", []));
  });
});
