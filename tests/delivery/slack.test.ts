import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderSlackMessage, sendNotification } from "../../steps/delivery/index.js";
import { makeAlertPayload, makeOpportunity } from "./fixtures.js";
import { type RecordingServer, startRecordingServer } from "./recording-server.js";

const resend = { baseUrl: "http://127.0.0.1:1", apiKey: "unused", from: "radar@example.com" };

let slack: RecordingServer;
beforeAll(async () => {
  slack = await startRecordingServer();
});
afterAll(async () => {
  await slack.close();
});

describe("slack sender", () => {
  it("slack posts text and blocks", async () => {
    const result = await sendNotification(
      { type: "slack", webhookUrl: `${slack.url}/slack/T001/C001` },
      makeAlertPayload({ id: "sub-1:I_kwDOAbc123:slack" }),
      { timeoutMs: 5_000, resend },
    );
    expect(result).toEqual({ channel: "slack", status: 200, messageId: null });

    const request = slack.requests.at(-1);
    expect(request?.path).toBe("/slack/T001/C001");
    expect(request?.headers["content-type"]).toBe("application/json");

    const message = JSON.parse(request?.body ?? "null");
    expect(Object.keys(message).sort()).toEqual(["blocks", "text"]);
    expect(message.text).toContain("Fix &lt;script&gt; handling &amp;");
    expect(message.blocks[0]).toEqual({
      type: "header",
      text: { type: "plain_text", text: "A new issue matches what you look for, Ada." },
    });
    expect(message.blocks[1].type).toBe("section");
    expect(message.blocks[1].text.type).toBe("mrkdwn");
    expect(message.blocks[1].text.text).toContain(
      '*<https://github.com/octo-org/widgets/issues/42|Fix &lt;script&gt; handling &amp; "quotes" in parser>*',
    );
    expect(message.blocks[1].text.text).toContain("difficulty 3/10 · about 2.5 h");
    expect(message.blocks[1].text.text).toContain('2. Add a failing test for `&lt;a href="x"&gt;`');
  });

  it("slack digest fits block limits", () => {
    const opportunities = Array.from({ length: 300 }, (_, index) =>
      makeOpportunity({
        issueId: `I_${index}`,
        number: index + 1,
        title: `Issue ${index} ${"x".repeat(60)}`,
      }),
    );
    const message = renderSlackMessage(
      makeAlertPayload({ id: "sub-1:digest-2025-03-01:slack", kind: "digest", opportunities }),
    );

    expect(message.blocks.length).toBe(50);
    for (const block of message.blocks.slice(1)) {
      const text = (block as { text: { text: string } }).text.text;
      expect(text.length).toBeLessThanOrEqual(3000);
    }
    const last = (message.blocks.at(-1) as { text: { text: string } }).text.text;
    expect(last).toContain("#49)");
    expect(last).toMatch(/…and \d+ more$/);
  });
});
