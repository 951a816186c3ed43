import { describe, expect, it } from "vitest";
import { readFailureTag, tagFailure } from "../../shared/reliability/index.js";

describe("failure tag", () => {
  it("round-trips every dependency form", () => {
    const dependencies = [
      "github",
      "webhook:hooks.example.com",
      "webhook:[::1]:8080",
      "webhook:[2001:db8::5]",
    ] as const;
    for (const dependency of dependencies) {
      const error = tagFailure(new Error("HTTP 502 from target"), { dependency, kind: "transient" });
      expect(readFailureTag(error.message), dependency).toEqual({ dependency, kind: "transient" });
    }
  });

  it("reads tag inside a stack", () => {
    const error = tagFailure(new Error("connection refused"), {
      dependency: "webhook:[::1]:8080",
      kind: "circuit-open",
    });
    const stack = `Error: ${error.message}\n    at deliver (deliver.ts:1:1)`;
    expect(readFailureTag(stack)).toEqual({ dependency: "webhook:[::1]:8080", kind: "circuit-open" });
  });

  it("keeps the innermost tag", () => {
    const inner = tagFailure(new Error("timeout"), { dependency: "webhook:[::1]:8080", kind: "transient" });
    const outer = tagFailure(inner, { dependency: "github", kind: "permanent" });
    expect(readFailureTag(outer.message)?.dependency).toBe("webhook:[::1]:8080");
  });

  it("text without a tag is null", () => {
    expect(readFailureTag("HTTP 502 [dependency= kind=transient]")).toBeNull();
    expect(readFailureTag(undefined)).toBeNull();
  });
});
