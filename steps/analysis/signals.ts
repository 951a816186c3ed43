/**
 * Text and label signals of an issue, read without any network: the inputs of the heuristic analyser
 * (and of the scoring filter's noise checks). Every pattern here is matched case-insensitively.
 */
import type { ContributionType, Issue, Repository } from "../../shared/domain/index.js";

/** Labels that mark an issue as meant for newcomers, e.g. `good first issue`, `E-easy`, `bite size`. */
const BEGINNER_LABEL =
  /good[\s_-]*first|first[\s_-]*timers?|beginner|\beasy\b|e-easy|starter|bite[\s_-]*size|newcomer|low[\s_-]*hanging|effort[\s:_-]*low|difficulty[\s:_-]*easy|goodfirstbug/i;
/** Labels that mark a hard issue. */
const HARD_LABEL =
  /\b(hard|complex|difficult|expert|advanced)\b|e-hard|e-expert|difficulty[\s:_-]*hard|effort[\s:_-]*high/i;
/** Labels of issues that are umbrellas for many changes rather than one contribution. */
const LARGE_SCOPE_LABEL = /\bepic\b|meta[\s_-]*issue|tracking|umbrella|\brfc\b|overview|bc break|breaking/i;
const HELP_WANTED_LABEL = /help[\s_-]*wanted/i;

/** Contribution types by label, first match wins; the order resolves issues with several labels. */
const TYPE_BY_LABEL: ReadonlyArray<readonly [RegExp, ContributionType]> = [
  [/translation|l10n|i18n|locali[sz]ation/i, "translation"],
  [/\bdoc(s|umentation)?\b/i, "documentation"],
  [/\btests?\b|testing|coverage/i, "tests"],
  [/\bperf(ormance)?\b|speed|memory/i, "performance"],
  [/\bbug\b|defect|regression|crash/i, "bug-fix"],
  [/enhancement|feature|new command|proposal/i, "feature"],
  [/refactor|clean[\s-]*up|code quality|chore|lint|maintenance|tech[\s-]*debt/i, "refactor"],
];

/** Contribution types by keywords in the title (then the body); the order is the tie-breaker. */
const TYPE_BY_KEYWORD: ReadonlyArray<readonly [RegExp, ContributionType]> = [
  [/\btranslat(e|ion|ions)\b|\bl10n\b|\bi18n\b/i, "translation"],
  [/\b(docs?|documentation|readme|docstrings?|typo|tutorial|guide)\b/i, "documentation"],
  [/\b(unit tests?|tests?|test suite|test coverage|coverage)\b/i, "tests"],
  [/\b(slow|performance|memory|latency|speed up|faster)\b/i, "performance"],
  [/\b(bug|crash(es)?|fails?|broken|error|exception|regression|wrong|incorrect)\b/i, "bug-fix"],
  [/\b(refactor|clean ?up|rename|deprecat\w*|lint|clippy|warnings?)\b/i, "refactor"],
  [/\b(add|support|implement|allow|enable|feature|flag|option|new)\b/i, "feature"],
];

export interface IssueSignals {
  beginnerLabel: boolean;
  hardLabel: boolean;
  largeScopeLabel: boolean;
  helpWantedLabel: boolean;
  /** Contribution type read from labels, or null when no label names one. */
  typeFromLabels: ContributionType | null;
  /** Contribution type read from title and body keywords, or null. */
  typeFromKeywords: ContributionType | null;
  /** Body length in characters after trimming. */
  bodyLength: number;
  /** Fenced code blocks (```` ``` ```` or `~~~` pairs). */
  codeBlocks: number;
  /** Inline code spans or file paths, which point a newcomer at the place to change. */
  pointsAtCode: boolean;
  stackTrace: boolean;
  /** The body has reproduction steps, expected or actual behaviour, or acceptance criteria. */
  hasStructure: boolean;
  mentionsTests: boolean;
  mentionsDocs: boolean;
  mentionsTranslation: boolean;
}

/** Stack-trace shapes of JavaScript, Python, Java, Go and Rust, plus generic `Traceback`. */
const STACK_TRACE =
  /^\s+at .+[(:]\S+:\d+|Traceback \(most recent call last\)|Exception in thread|^\s+at [\w$.]+\(\w+\.java:\d+\)|panicked at|goroutine \d+ \[|backtrace/im;
const STRUCTURE =
  /steps to reproduce|to reproduce|expected (behaviou?r|result|output)|actual (behaviou?r|result|output)|acceptance( criteria)?|repro(duction)?:|^\s*1[.)]\s+\S/im;
const INLINE_CODE_OR_PATH =
  /`[^`\n]+`|\b[\w-]+\/[\w./-]+\.\w{1,5}\b|\b\w+\.(ts|js|py|rs|go|java|rb|md|json|ya?ml|toml)\b/i;

function firstMatch(
  table: ReadonlyArray<readonly [RegExp, ContributionType]>,
  texts: readonly string[],
): ContributionType | null {
  for (const text of texts) {
    for (const [pattern, type] of table) {
      if (pattern.test(text)) return type;
    }
  }
  return null;
}

function countCodeBlocks(body: string): number {
  const fences = body.match(/^\s*(```|~~~)/gm)?.length ?? 0;
  return Math.floor(fences / 2);
}

/** Reads the signals of one issue. Pure: the same issue always gives the same signals. */
export function readSignals(issue: Issue): IssueSignals {
  const body = issue.body.trim();
  const labels = issue.labels;
  const anyLabel = (pattern: RegExp) => labels.some((label) => pattern.test(label));
  const text = `${issue.title}\n${body}`;

  return {
    beginnerLabel: anyLabel(BEGINNER_LABEL),
    hardLabel: anyLabel(HARD_LABEL),
    largeScopeLabel: anyLabel(LARGE_SCOPE_LABEL),
    helpWantedLabel: anyLabel(HELP_WANTED_LABEL),
    typeFromLabels: firstMatch(TYPE_BY_LABEL, labels),
    typeFromKeywords: firstMatch(TYPE_BY_KEYWORD, [issue.title, body]),
    bodyLength: body.length,
    codeBlocks: countCodeBlocks(body),
    pointsAtCode: INLINE_CODE_OR_PATH.test(body),
    stackTrace: STACK_TRACE.test(body),
    hasStructure: STRUCTURE.test(body),
    mentionsTests: /\b(unit tests?|tests?|testing|coverage|pytest|jest|vitest)\b/i.test(text),
    mentionsDocs: /\b(docs?|documentation|readme|docstrings?)\b/i.test(text),
    mentionsTranslation: /\b(translat\w*|l10n|i18n|locali[sz]\w*)\b/i.test(text),
  };
}

/** Skills by keyword, in the order they are listed; each entry adds its skill once. */
const SKILL_BY_KEYWORD: ReadonlyArray<readonly [RegExp, string]> = [
  [/\btypescript\b|\.tsx?\b/i, "TypeScript"],
  [/\bjavascript\b|\bnode(\.js)?\b|\.jsx?\b/i, "JavaScript"],
  [/\bpython\b|\bpytest\b|\.py\b/i, "Python"],
  [/\brust\b|\bcargo\b|\bclippy\b|\bcrates?\b/i, "Rust"],
  [/\bgolang\b|\bgo (module|test|vet)\b|\.go\b/i, "Go"],
  [/\breact\b|\bjsx\b/i, "React"],
  [/\bvue\b/i, "Vue"],
  [/\bcss\b|\bstyles?heet\b|\bscss\b/i, "CSS"],
  [/\bhtml\b/i, "HTML"],
  [/\bsql\b|\bpostgres\w*|\bmysql\b|\bsqlite\b/i, "SQL"],
  [/\bgraphql\b/i, "GraphQL"],
  [/\bdocker\w*\b|\bcontainer image\b/i, "Docker"],
  [/\bkubernetes\b|\bk8s\b|\bhelm\b/i, "Kubernetes"],
  [/\bci\b|github actions|\bworkflow file\b/i, "CI"],
  [/\bcli\b|command[- ]line|\bflags?\b/i, "Command-line tools"],
  [/\b(rest|http|api|endpoint)s?\b/i, "HTTP APIs"],
  [/\baccessib\w*|\ba11y\b|\baria-\w+/i, "Accessibility"],
  [/\bperformance\b|\bprofil\w*|\bmemory\b/i, "Profiling"],
  [/\bregex\w*|regular expression/i, "Regular expressions"],
  [/\b(unit tests?|tests?|testing|coverage|pytest|jest|vitest)\b/i, "Testing"],
  [/\b(docs?|documentation|readme|docstrings?)\b/i, "Technical writing"],
  [/\btranslat\w*|\bl10n\b|\bi18n\b/i, "Translation"],
  [/\bgit\b/i, "Git"],
];

/** Maximum skills listed; the result schema allows 12, fewer keeps the list readable. */
const MAX_SKILLS = 8;

/**
 * Skills the issue needs: the repository's primary language first, then skills named by labels and by
 * keywords in title and body, without duplicates (compared case-insensitively).
 */
export function readSkills(issue: Issue, repository: Repository): string[] {
  const skills: string[] = [];
  const add = (skill: string) => {
    if (!skills.some((known) => known.toLowerCase() === skill.toLowerCase())) skills.push(skill);
  };

  if (repository.primaryLanguage) add(repository.primaryLanguage);
  const text = `${issue.labels.join("\n")}\n${issue.title}\n${issue.body}`;
  for (const [pattern, skill] of SKILL_BY_KEYWORD) {
    if (pattern.test(text)) add(skill);
  }
  return skills.slice(0, MAX_SKILLS);
}
