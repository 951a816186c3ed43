/**
 * Recognisers for issues that are not contributions: empty or template-only bodies, bodies that only
 * claim the issue, and test issues. Each takes the title and body and is pure.
 *
 * The patterns cover GitHub's real shapes (issue-form headings with `_No response_`, unchecked
 * checklists, `#.#.#` version placeholders, "can I work on this?") and also bodies that describe
 * themselves as such in prose ("the bug template was submitted untouched").
 */
import { stripMarkdown } from "../analysis/index.js";

/** Bodies with less text than this, after removing template markup, count as empty. */
export const MIN_BODY_TEXT_LENGTH = 20;
/** Claim-only and test-issue bodies are short; longer bodies are assumed to describe real work. */
const MAX_CLAIM_BODY_LENGTH = 300;

/** Lines that GitHub issue templates leave behind when they are submitted unfilled. */
const TEMPLATE_LINE_PATTERNS: readonly RegExp[] = [
  /^\s{0,3}#{1,6}\s.*$/gm,
  /^\s*[-*]\s*\[ \].*$/gm,
  /^\s*_?No response_?\s*$/gim,
  /^\s*\*\*[^*\n]+:?\*\*:?\s*$/gm,
  /^.*#\.#\.#.*$/gm,
  /^.*\[e\.g\.[^\]]*\].*$/gim,
  /^\s*[-*]?\s*[\w ]{1,30}:\s*$/gm,
];

/** Prose stating that the body is an untouched template. */
const TEMPLATE_PROSE =
  /\b(body|issue|report)\b[^.]{0,40}\b(unmodified|untouched|unfilled)\b[^.]{0,30}\btemplate\b|\btemplate\b[^.]{0,30}\b(submitted|left|filed)\b[^.]{0,10}\b(untouched|unfilled|unmodified)\b/i;

/** A request to be assigned, in first person or reported in third person. */
const CLAIM =
  /\b(assign (this|it|me)\b|assigned to me|can i (work on|take|pick up)|i('d| would) like to (work on|take|pick up)|let me (work on|take)|i want to (work on|take)|i('ll| will) take (this|it))|\b(only )?asks?\b[^.]{0,40}\bto (be assigned|assign|hand (him|her|them) a task)|\bclaim request\b/i;

/** Text left once template markup is gone. */
export function bodyTextWithoutTemplate(body: string): string {
  let text = body.replace(/<!--[\s\S]*?(-->|$)/g, " ");
  for (const pattern of TEMPLATE_LINE_PATTERNS) text = text.replace(pattern, " ");
  return stripMarkdown(text);
}

/** Returns whether the body has almost no text at all, template or not. */
export function isEmptyBody(body: string): boolean {
  return stripMarkdown(body.replace(/<!--[\s\S]*?(-->|$)/g, " ")).length < MIN_BODY_TEXT_LENGTH;
}

/** Returns whether the body is an issue template with nothing filled in, or states so in prose. */
export function isTemplateOnly(body: string): boolean {
  if (TEMPLATE_PROSE.test(body)) return true;
  if (isEmptyBody(body)) return false;
  return bodyTextWithoutTemplate(body).length < MIN_BODY_TEXT_LENGTH;
}

/** Returns whether a short body only requests that the issue (or any task) be assigned to its author. */
export function isClaimOnly(title: string, body: string): boolean {
  const text = stripMarkdown(body);
  if (text.length > MAX_CLAIM_BODY_LENGTH) return false;
  return CLAIM.test(text) || /\bclaim request\b/i.test(title);
}

/** Returns whether the issue is a test post: a title such as `test` or `Test issue ...` with a short body. */
export function isTestIssue(title: string, body: string): boolean {
  const normalisedTitle = title.trim().toLowerCase();
  if (stripMarkdown(body).length > MAX_CLAIM_BODY_LENGTH) return false;
  return /^(test(ing)?|test issue\b.*|please ignore|ignore|asdf+)$/.test(normalisedTitle);
}
