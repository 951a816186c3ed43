/**
 * Plain-text summary of an issue body: the first sentence or two, without Markdown markup.
 */

/** Maximum summary length in characters; the result schema allows 500. */
export const MAX_SUMMARY_LENGTH = 280;
/** Sentences are added until the summary reaches this many characters. */
const TARGET_SUMMARY_LENGTH = 80;
const MAX_SENTENCES = 2;

// ICU sentence rules (available in Node and Workers) keep versions such as `2.44.1` and `e.g.` intact.
const sentenceSegmenter = new Intl.Segmenter("en", { granularity: "sentence" });

/** Inline Markdown of prose outside code spans: tags, images, links and emphasis markers. */
function stripInline(text: string): string {
  return text
    .replace(/<\/?[A-Za-z][^>\n]*>/g, " ")
    .replace(/!\[[^\]]*\]\([^)]*\)/g, " ")
    .replace(/\[([^\]]*)\]\([^)]*\)/g, "$1")
    .replace(/(^|\W)([*_]{1,3})([^*_\n]+)\2(?=\W|$)/g, "$1$3");
}

/**
 * Removes code blocks, HTML comments and tags, images, link targets, emphasis, headings, list markers
 * and quote markers. Inline code spans are kept verbatim, so `` `<script>` `` in prose survives.
 */
export function stripMarkdown(markdown: string): string {
  const withoutBlocks = markdown
    .replace(/(```|~~~)[\s\S]*?(\1|$)/g, " ")
    .replace(/<!--[\s\S]*?(-->|$)/g, " ")
    .replace(/^\s{0,3}#{1,6}\s+/gm, "")
    .replace(/^\s*([-*+]|\d+[.)])\s+(\[[ xX]\]\s*)?/gm, "")
    .replace(/^\s*>\s?/gm, "");
  return withoutBlocks
    .split(/(`[^`\n]+`)/)
    .map((part, index) => (index % 2 === 1 ? part : stripInline(part)))
    .join("")
    .replace(/\s+/g, " ")
    .trim();
}

function truncateAtWord(text: string, maximum: number): string {
  if (text.length <= maximum) return text;
  const cut = text.slice(0, maximum - 1);
  const lastSpace = cut.lastIndexOf(" ");
  return `${(lastSpace > maximum / 2 ? cut.slice(0, lastSpace) : cut).trimEnd()}…`;
}

/**
 * Summarises an issue: the first sentences of the body (up to two, stopping once 80 characters are
 * reached), cut at a word boundary to 280 characters. Falls back to the title when the body has no text,
 * and to `(untitled issue)` when both are empty, so the result is never empty.
 */
export function summarise(title: string, body: string): string {
  const text = stripMarkdown(body);
  if (text.length === 0) {
    const trimmedTitle = title.trim();
    return truncateAtWord(trimmedTitle.length > 0 ? trimmedTitle : "(untitled issue)", MAX_SUMMARY_LENGTH);
  }

  let summary = "";
  let count = 0;
  for (const { segment } of sentenceSegmenter.segment(text)) {
    summary = `${summary} ${segment.trim()}`.trim();
    count += 1;
    if (count >= MAX_SENTENCES || summary.length >= TARGET_SUMMARY_LENGTH) break;
  }
  return truncateAtWord(summary, MAX_SUMMARY_LENGTH);
}
