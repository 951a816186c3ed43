import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { estimateTokens, type ModelStandIn, startModelStandIn } from "../../local/model/index.js";
import { AnalysisResultSchema } from "../../shared/domain/index.js";
import { buildUserPrompt, SYSTEM_PROMPT } from "../../steps/analysis/index.js";
import { makeIssue, makeRepository } from "./fixtures.js";

let model: ModelStandIn;

beforeAll(async () => {
  model = await startModelStandIn();
});

afterAll(async () => {
  await model.close();
});

beforeEach(() => {
  model.setMode({ mode: "ok", failNext: [], faultRate: 0, seed: 1 });
  model.resetStats();
});

const userPrompt = buildUserPrompt(makeIssue(), makeRepository());

function completionRequest(
  overrides: Record<string, unknown> = {},
  apiKey = model.apiKey,
): Promise<Response> {
  return fetch(`${model.url}/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json" },
    body: JSON.stringify({
      model: model.model,
      messages: [
        { role: "system", content: SYSTEM_PROMPT },
        { role: "user", content: userPrompt },
      ],
      ...overrides,
    }),
  });
}

async function replyContent(response: Response): Promise<string> {
  const body = (await response.json()) as { choices: { message: { content: string } }[] };
  return body.choices[0]?.message.content ?? "";
}

describe("model stand-in", () => {
  it("ok returns valid analysis", async () => {
    const response = await completionRequest();
    expect(response.status).toBe(200);
    const body = (await response.clone().json()) as Record<string, unknown>;
    expect(body.object).toBe("chat.completion");
    expect(body.model).toBe(model.model);
    const content = await replyContent(response);
    expect(AnalysisResultSchema.safeParse(JSON.parse(content)).success).toBe(true);
  });

  it("usage estimates four characters per token", async () => {
    const response = await completionRequest();
    const body = (await response.json()) as {
      usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
      choices: { message: { content: string } }[];
    };
    expect(body.usage.prompt_tokens).toBe(estimateTokens(`${SYSTEM_PROMPT}\n${userPrompt}`));
    expect(body.usage.completion_tokens).toBe(estimateTokens(body.choices[0]?.message.content ?? ""));
    expect(body.usage.total_tokens).toBe(body.usage.prompt_tokens + body.usage.completion_tokens);
    expect(model.stats().totalTokens).toBe(body.usage.total_tokens);
  });

  it("same request same reply", async () => {
    const first = await replyContent(await completionRequest());
    const second = await replyContent(await completionRequest());
    expect(second).toBe(first);
  });

  it("wrong key gets 401", async () => {
    const response = await completionRequest({}, "sk-wrong");
    expect(response.status).toBe(401);
    const body = (await response.json()) as { error: { code: string } };
    expect(body.error.code).toBe("invalid_api_key");
    expect(model.stats().byOutcome.unauthorized).toBe(1);
  });

  it("unknown model gets 404", async () => {
    const response = await completionRequest({ model: "gpt-unknown" });
    expect(response.status).toBe(404);
    const body = (await response.json()) as { error: { code: string } };
    expect(body.error.code).toBe("model_not_found");
  });

  it("invalid body gets 400", async () => {
    const response = await completionRequest({ messages: [] });
    expect(response.status).toBe(400);
  });

  it("models list names the model", async () => {
    const response = await fetch(`${model.url}/models`, {
      headers: { authorization: `Bearer ${model.apiKey}` },
    });
    const body = (await response.json()) as { data: { id: string }[] };
    expect(body.data.map((entry) => entry.id)).toEqual([model.model]);
  });

  it("malformed mode returns non-JSON text", async () => {
    model.setMode("malformed-json");
    const content = await replyContent(await completionRequest());
    expect(() => JSON.parse(content)).toThrow();
  });

  it("schema-violation mode breaks schema", async () => {
    model.setMode("schema-violation");
    const content = JSON.parse(await replyContent(await completionRequest())) as Record<string, unknown>;
    expect(content.difficulty).toBe(42);
    expect(AnalysisResultSchema.safeParse(content).success).toBe(false);
  });

  it("429 carries retry-after", async () => {
    model.setMode({ mode: "http-429", retryAfterSeconds: 3 });
    const response = await completionRequest();
    expect(response.status).toBe(429);
    expect(response.headers.get("retry-after")).toBe("3");
  });

  it("500 mode returns server error", async () => {
    model.setMode("http-500");
    const response = await completionRequest();
    expect(response.status).toBe(500);
    const body = (await response.json()) as { error: { type: string } };
    expect(body.error.type).toBe("server_error");
  });

  it("failNext applies in order", async () => {
    model.setMode({ failNext: ["http-500", "http-429"] });
    const statuses: number[] = [];
    for (let index = 0; index < 3; index += 1) statuses.push((await completionRequest()).status);
    expect(statuses).toEqual([500, 429, 200]);
  });

  it("seeded fault rate is reproducible", async () => {
    const run = async (): Promise<number[]> => {
      model.setMode({ faultRate: 0.5, faults: ["http-500", "http-429"], seed: 42 });
      const statuses: number[] = [];
      for (let index = 0; index < 30; index += 1) statuses.push((await completionRequest()).status);
      return statuses;
    };
    const first = await run();
    const second = await run();
    expect(second).toEqual(first);
    expect(first).toContain(200);
    expect(first).toContain(500);
    expect(first).toContain(429);
  });

  it("control endpoint changes mode", async () => {
    const response = await fetch(`${model.rootUrl}/_model/mode`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ failNext: ["http-500"] }),
    });
    expect(response.status).toBe(200);
    expect((await completionRequest()).status).toBe(500);
    expect((await completionRequest()).status).toBe(200);
  });

  it("control endpoint rejects unknown mode", async () => {
    const response = await fetch(`${model.rootUrl}/_model/mode`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ mode: "explode" }),
    });
    expect(response.status).toBe(400);
  });

  it("stats endpoint counts outcomes", async () => {
    model.setMode({ failNext: ["http-500"] });
    await completionRequest();
    await completionRequest();
    const stats = (await (await fetch(`${model.rootUrl}/_model/stats`)).json()) as {
      requests: number;
      byOutcome: Record<string, number>;
    };
    expect(stats.requests).toBe(2);
    expect(stats.byOutcome).toEqual({ "http-500": 1, ok: 1 });
  });

  it("close ends held requests", async () => {
    const standIn = await startModelStandIn({ mode: "timeout", hangMs: 600_000 });
    const held = fetch(`${standIn.url}/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${standIn.apiKey}`, "content-type": "application/json" },
      body: JSON.stringify({ model: standIn.model, messages: [{ role: "user", content: "hi" }] }),
    }).then(
      (response) => response.status,
      () => "connection closed",
    );
    await expect.poll(() => standIn.stats().requests).toBe(1);
    await standIn.close();
    expect([504, "connection closed"]).toContain(await held);
  });
});
