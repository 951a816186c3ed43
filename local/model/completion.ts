/**
 * The stand-in's "model": reads the issue out of a chat-completion request and writes a deterministic
 * analysis of it, in the OpenAI chat-completion response format.
 *
 * The analysis is the heuristic analyser's result with two visible changes, so tests can tell which
 * analyser produced a stored result: `confidence` is 0.05 higher (capped at 1) and `estimatedHours` is
 * 1.5 times the heuristic estimate.
 */
import { z } from "zod";
import type { AnalysisResult, Issue, Repository } from "../../shared/domain/index.js";
import { analyseHeuristically, parsePromptIssue } from "../../steps/analysis/index.js";

const TextPartSchema = z.object({ type: z.literal("text"), text: z.string() });
const MessageSchema = z.object({
  role: z.enum(["system", "developer", "user", "assistant", "tool"]),
  content: z.union([
    z.string(),
    z.array(z.union([TextPartSchema, z.object({ type: z.string() })])),
    z.null(),
  ]),
});

/** The request fields the stand-in reads; other OpenAI fields are accepted and ignored. */
export const ChatCompletionRequestSchema = z.object({
  model: z.string().min(1),
  messages: z.array(MessageSchema).min(1),
  max_tokens: z.number().int().positive().optional(),
  temperature: z.number().optional(),
  response_format: z.object({ type: z.string() }).passthrough().optional(),
});
export type ChatCompletionRequest = z.infer<typeof ChatCompletionRequestSchema>;

/** Characters per token of the token estimate; real tokenisers average about four for English text. */
export const CHARS_PER_TOKEN = 4;

/** Estimated tokens of `text`: ceil(characters / 4). An estimate, not a real tokeniser count. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / CHARS_PER_TOKEN);
}

function messageText(message: ChatCompletionRequest["messages"][number]): string {
  const content = message.content;
  if (content === null) return "";
  if (typeof content === "string") return content;
  return content.map((part) => ("text" in part && typeof part.text === "string" ? part.text : "")).join("");
}

/** Joins all message text of the request, for the prompt token estimate. */
export function promptText(request: ChatCompletionRequest): string {
  return request.messages.map(messageText).join("\n");
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}

/** Builds the analysis the stand-in returns for `request`, or a low-confidence default without an issue. */
export function answerFor(request: ChatCompletionRequest): AnalysisResult {
  const userMessages = request.messages.filter((message) => message.role === "user").map(messageText);
  const promptIssue = userMessages.map(parsePromptIssue).find((found) => found !== null) ?? null;
  if (promptIssue === null) {
    return {
      difficulty: 5,
      requiredSkills: [],
      estimatedHours: 8,
      goodFirstIssueScore: 0.1,
      contributionType: "other",
      summary: "No issue found in the request.",
      firstSteps: ["Send the issue in a fenced json block as the analyser's prompt does"],
      confidence: 0.05,
    };
  }

  // Only the fields the heuristic reads carry meaning; the rest are placeholders of the right type.
  const issue: Issue = {
    id: `prompt:${promptIssue.repository}#${promptIssue.number}`,
    repository: promptIssue.repository,
    number: promptIssue.number,
    url: `https://github.com/${promptIssue.repository}/issues/${promptIssue.number}`,
    title: promptIssue.title,
    body: promptIssue.body,
    state: "OPEN",
    locked: false,
    labels: promptIssue.labels,
    assignees: [],
    author: null,
    createdAt: "1970-01-01T00:00:00Z",
    updatedAt: "1970-01-01T00:00:00Z",
    commentCount: promptIssue.commentCount,
    contentHash: "0".repeat(64),
  };
  const [owner = "", name = ""] = promptIssue.repository.split("/");
  const repository: Repository = {
    id: `prompt:${promptIssue.repository}`,
    owner,
    name,
    nameWithOwner: promptIssue.repository,
    url: `https://github.com/${promptIssue.repository}`,
    primaryLanguage: promptIssue.language,
    description: null,
    topics: [],
    stargazerCount: 0,
    isArchived: false,
    issuesUpdatedSince: null,
    lastScannedAt: null,
  };

  const heuristic = analyseHeuristically(issue, repository);
  return {
    ...heuristic,
    confidence: round2(Math.min(1, heuristic.confidence + 0.05)),
    estimatedHours: Math.min(400, heuristic.estimatedHours * 1.5),
  };
}

/** Reply text for `outcome`: the analysis as JSON, text that is not JSON, or JSON that breaks the schema. */
export function replyText(
  outcome: "ok" | "malformed-json" | "schema-violation",
  request: ChatCompletionRequest,
): string {
  const answer = answerFor(request);
  switch (outcome) {
    case "ok":
      return JSON.stringify(answer);
    case "malformed-json":
      return `Sure! Here is the analysis: {difficulty: ${answer.difficulty}, skills: ${answer.requiredSkills.join(" and ")}`;
    case "schema-violation":
      return JSON.stringify({
        ...answer,
        difficulty: 42,
        goodFirstIssueScore: 1.7,
        contributionType: "banana",
      });
  }
}

/** Builds a chat-completion response body in OpenAI's format, with estimated usage. */
export function chatCompletion(options: {
  id: string;
  model: string;
  created: number;
  prompt: string;
  reply: string;
}) {
  const promptTokens = estimateTokens(options.prompt);
  const completionTokens = estimateTokens(options.reply);
  return {
    id: options.id,
    object: "chat.completion" as const,
    created: options.created,
    model: options.model,
    choices: [
      {
        index: 0,
        message: { role: "assistant" as const, content: options.reply },
        finish_reason: "stop" as const,
        logprobs: null,
      },
    ],
    usage: {
      prompt_tokens: promptTokens,
      completion_tokens: completionTokens,
      total_tokens: promptTokens + completionTokens,
    },
  };
}
