import { describe, expect, it } from "vitest";
import { renderEmail, renderSlackMessage, renderText } from "../../steps/delivery/index.js";
import { makeAlertPayload, makeOpportunity } from "./fixtures.js";

describe("render", () => {
  it("html escapes issue text", () => {
    const email = renderEmail(makeAlertPayload());

    expect(email.html).not.toMatch(/<script>|<b>|<a href="x">/);
    expect(email.html).toContain("&lt;b&gt;tags&lt;/b&gt;");
    expect(email.html).toContain("<li>Add a failing test for `&lt;a href=&quot;x&quot;&gt;`</li>");
  });

  it("non-http url is not linked", () => {
    const payload = makeAlertPayload({ opportunities: [makeOpportunity({ url: "javascript:alert(1)" })] });

    const email = renderEmail(payload);
    expect(email.html).not.toContain("<a ");
    expect(email.html).not.toContain("javascript:");

    const slack = renderSlackMessage(payload);
    expect(JSON.stringify(slack.blocks)).not.toContain("javascript:");
  });

  it("text lists facts and steps", () => {
    const text = renderText(makeAlertPayload());

    expect(text).toContain('Fix <script> handling & "quotes" in parser (octo-org/widgets#42)');
    expect(text).toContain("difficulty 3/10 · about 2.5 h · skills: TypeScript, regular expressions");
    expect(text).toContain("  1. Read src/tokenizer.ts");
    expect(text).toContain("https://github.com/octo-org/widgets/issues/42");
  });

  it("digest subject counts issues", () => {
    const opportunities = [makeOpportunity({ issueId: "I_1" }), makeOpportunity({ issueId: "I_2" })];
    const email = renderEmail(makeAlertPayload({ kind: "digest", opportunities }));

    expect(email.subject).toBe("2 issues for you on 2025-03-01");
    expect(email.text).toContain("Your daily digest for 2025-03-01, Ada.");
  });
});
