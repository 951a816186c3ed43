import { describe, expect, it } from "vitest";
import { createLogger, type LogAttributes } from "../../shared/logger.js";

function collect() {
  const records: LogAttributes[] = [];
  const logger = createLogger({ level: "info", write: (_level, record) => records.push(record) });
  return { logger, records };
}

describe("logger", () => {
  it("writes message, level and attributes", () => {
    const { logger, records } = collect();
    logger.info("scan started", { repository: "a/b" });
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ level: "info", message: "scan started", repository: "a/b" });
  });

  it("drops records below the level", () => {
    const { logger, records } = collect();
    logger.debug("noise");
    expect(records).toHaveLength(0);
  });

  it("child adds bindings", () => {
    const { logger, records } = collect();
    logger.child({ runId: "wfr_1" }).warn("step retried", { step: "fetch" });
    expect(records[0]).toMatchObject({ runId: "wfr_1", step: "fetch" });
  });

  it("redacts secrets at depth", () => {
    const { logger, records } = collect();
    logger.error("request failed", { headers: { authorization: "Bearer abc" }, githubToken: "ghp_x" });
    expect(records[0]?.githubToken).toBe("[redacted]");
    expect(records[0]?.headers).toEqual({ authorization: "[redacted]" });
  });
});
