/**
 * Renders alerts and digests as plain text, HTML (email) and Slack Block Kit. All text that comes from
 * GitHub or the model (titles, skills, first steps) is escaped for the target format.
 */
import type { Opportunity } from "../../shared/domain/index.js";
import type { NotificationPayload } from "./payload.js";

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

/** A Slack Block Kit block, in the shapes documented at api.slack.com/reference/block-kit/blocks. */
export type SlackBlock = Record<string, unknown>;

export interface RenderedSlackMessage {
  /** Fallback for notifications and clients without Block Kit. */
  text: string;
  blocks: SlackBlock[];
}

/** Slack's documented limits: 50 blocks per message, 3000 characters per section text, 150 per header. */
const SLACK_MAX_BLOCKS = 50;
const SLACK_MAX_SECTION_CHARS = 3000;
const SLACK_MAX_HEADER_CHARS = 150;

const HTML_ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (character) => HTML_ESCAPES[character] ?? character);
}

/** Escapes the three characters Slack's mrkdwn reserves for links and mentions. */
export function escapeSlack(value: string): string {
  return value.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** Returns the URL when it is http(s), otherwise null, so a `javascript:` URL never becomes a link. */
function safeLink(url: string): string | null {
  try {
    const protocol = new URL(url).protocol;
    return protocol === "https:" || protocol === "http:" ? url : null;
  } catch {
    return null;
  }
}

function oneLine(value: string): string {
  return value.replace(/\s+/g, " ").trim();
}

function formatHours(hours: number): string {
  return `about ${Number(hours.toFixed(1))} h`;
}

function reference(opportunity: Opportunity): string {
  return `${opportunity.repository}#${opportunity.number}`;
}

function facts(opportunity: Opportunity): string {
  const { analysis } = opportunity;
  const skills = analysis.requiredSkills.length > 0 ? analysis.requiredSkills.join(", ") : "none listed";
  return `difficulty ${analysis.difficulty}/10 · ${formatHours(analysis.estimatedHours)} · skills: ${skills}`;
}

export function renderSubject(payload: NotificationPayload): string {
  const first = payload.opportunities[0];
  if (payload.kind === "alert" && first !== undefined) {
    return oneLine(`New match: ${first.title} (${reference(first)})`).slice(0, 200);
  }
  const count = payload.opportunities.length;
  return `${count} ${count === 1 ? "issue" : "issues"} for you on ${payload.localDay}`;
}

function heading(payload: NotificationPayload): string {
  return payload.kind === "alert"
    ? `A new issue matches what you look for, ${payload.subscriber.name}.`
    : `Your daily digest for ${payload.localDay}, ${payload.subscriber.name}.`;
}

export function renderText(payload: NotificationPayload): string {
  const sections = payload.opportunities.map((opportunity) => {
    const steps = opportunity.analysis.firstSteps.map((step, index) => `  ${index + 1}. ${oneLine(step)}`);
    return [
      `${oneLine(opportunity.title)} (${reference(opportunity)})`,
      facts(opportunity),
      oneLine(opportunity.analysis.summary),
      "First steps:",
      ...steps,
      opportunity.url,
    ].join("\n");
  });
  return [heading(payload), ...sections].join("\n\n") + "\n";
}

function renderHtmlItem(opportunity: Opportunity): string {
  const link = safeLink(opportunity.url);
  const title = escapeHtml(opportunity.title);
  const titleHtml = link === null ? title : `<a href="${escapeHtml(link)}">${title}</a>`;
  const steps = opportunity.analysis.firstSteps.map((step) => `<li>${escapeHtml(step)}</li>`).join("");
  return [
    `<h2>${titleHtml}</h2>`,
    `<p>${escapeHtml(reference(opportunity))} · ${escapeHtml(facts(opportunity))}</p>`,
    `<p>${escapeHtml(opportunity.analysis.summary)}</p>`,
    `<p>First steps:</p><ol>${steps}</ol>`,
  ].join("\n");
}

export function renderHtml(payload: NotificationPayload): string {
  const items = payload.opportunities.map(renderHtmlItem).join("\n<hr>\n");
  return `<!doctype html>\n<html><body>\n<p>${escapeHtml(heading(payload))}</p>\n${items}\n</body></html>\n`;
}

export function renderEmail(payload: NotificationPayload): RenderedEmail {
  return { subject: renderSubject(payload), text: renderText(payload), html: renderHtml(payload) };
}

function slackLink(opportunity: Opportunity): string {
  const label = escapeSlack(oneLine(opportunity.title)).replace(/\|/g, "¦");
  const link = safeLink(opportunity.url);
  return link === null ? `*${label}*` : `*<${link}|${label}>*`;
}

function slackSection(text: string): SlackBlock {
  const cut = text.length > SLACK_MAX_SECTION_CHARS ? `${text.slice(0, SLACK_MAX_SECTION_CHARS - 1)}…` : text;
  return { type: "section", text: { type: "mrkdwn", text: cut } };
}

function slackDetail(opportunity: Opportunity): string {
  const steps = opportunity.analysis.firstSteps.map(
    (step, index) => `${index + 1}. ${escapeSlack(oneLine(step))}`,
  );
  return [
    `${slackLink(opportunity)} (${escapeSlack(reference(opportunity))})`,
    escapeSlack(facts(opportunity)),
    escapeSlack(oneLine(opportunity.analysis.summary)),
    "*First steps:*",
    ...steps,
  ].join("\n");
}

/**
 * Builds the Slack message: a header, then one section per opportunity. When a digest has more
 * opportunities than fit in Slack's 50 blocks, the last section lists the rest as one line each, and
 * anything beyond that is counted in a closing "and N more" line.
 */
export function renderSlackMessage(payload: NotificationPayload): RenderedSlackMessage {
  const header = heading(payload).slice(0, SLACK_MAX_HEADER_CHARS);
  const blocks: SlackBlock[] = [{ type: "header", text: { type: "plain_text", text: header } }];

  // One header, up to 48 detailed sections and one section for the short list.
  const detailedLimit = SLACK_MAX_BLOCKS - 2;
  const detailed = payload.opportunities.slice(0, detailedLimit);
  for (const opportunity of detailed) blocks.push(slackSection(slackDetail(opportunity)));

  const rest = payload.opportunities.slice(detailedLimit);
  if (rest.length > 0) {
    const lines: string[] = [];
    let length = 0;
    for (const opportunity of rest) {
      const line = `• ${slackLink(opportunity)} (${escapeSlack(reference(opportunity))})`;
      if (length + line.length + 40 > SLACK_MAX_SECTION_CHARS) break;
      lines.push(line);
      length += line.length + 1;
    }
    const hidden = rest.length - lines.length;
    if (hidden > 0) lines.push(`…and ${hidden} more`);
    blocks.push(slackSection(lines.join("\n")));
  }

  const fallback = payload.opportunities.map(
    (opportunity) => `${oneLine(opportunity.title)} ${opportunity.url}`,
  );
  return { text: escapeSlack([header, ...fallback].join("\n")).slice(0, 3000), blocks };
}
