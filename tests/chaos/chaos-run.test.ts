/**
 * A small chaos run through the whole stack: 10 scans under GitHub, model and sink faults, one app
 * kill and one QStash restart. Whatever the faults did, no run may be lost and no notification may
 * reach a sink twice.
 */
import pino from "pino";
import { describe, expect, it } from "vitest";
import { ChaosProfileSchema, runChaos } from "../../local/chaos/index.js";

const SMALL_PROFILE = ChaosProfileSchema.parse({
  name: "test-small",
  schedule: [
    {
      atMs: 0,
      github: { badGatewayRate: 0.1, secondaryRateLimitRate: 0.05, retryAfterSeconds: 1 },
      model: { faultRate: 0.3, faults: ["http-429", "http-500", "malformed-json"] },
      sinks: { status: 500, rate: 0.3 },
    },
  ],
  disruptions: { appKills: 1, qstashRestarts: 1, windowMs: 4_000 },
});

describe("chaos run", () => {
  it("small run loses nothing", async () => {
    const report = await runChaos({
      runs: 10,
      seed: 42,
      profile: SMALL_PROFILE,
      settleTimeoutMs: 120_000,
      logger: pino({ level: "warn" }),
    });

    expect(report.settled).toBe(true);
    expect(report.runs.lost).toBe(0);
    expect(report.lostRunIds).toEqual([]);
    expect(report.sideEffects.duplicated).toBe(0);
    // Resumed runs and a GitHub probe scan after the faults may add scans beyond the sweep's 10.
    expect(report.repositoriesScanned).toBeGreaterThanOrEqual(10);
    expect(report.runsByWorkflow["scan-repository"]?.started).toBeGreaterThanOrEqual(10);
    // The re-drive counts come from the dead-run records, so they are numbers, never "n/a".
    expect(report.runs.recoveredByRedrive).not.toBeNull();
    expect(report.runs.quarantined).not.toBeNull();
    expect(report.runs.recoveredByRedrive ?? 0).toBeLessThanOrEqual(report.runs.deadLettered);
    expect(report.disruptions.map((record) => record.kind).sort()).toEqual(["app-kill", "qstash-restart"]);
    // The faults reached the pipeline: at least one injected GitHub fault or failed call was seen.
    const failures = Object.values(report.retries.byClass).reduce((sum, count) => sum + count, 0);
    expect(failures + report.retries.qstashRedeliveries).toBeGreaterThan(0);
    expect(report.sideEffects.delivered).toBeGreaterThan(0);
  }, 240_000);
});
