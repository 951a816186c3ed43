import { evaluate } from "mathjs";
import { describe, expect, it } from "vitest";
import {
  backoffDelayMs,
  compileRetryPolicies,
  computeRetryDelayMs,
  RETRY_POLICY_NAMES,
  RetryPolicyError,
  retryOptions,
} from "../../shared/reliability/index.js";

function fieldOf(input: unknown): string {
  try {
    compileRetryPolicies(input);
  } catch (error) {
    if (error instanceof RetryPolicyError) return error.field;
    throw error;
  }
  throw new Error("expected compileRetryPolicies to throw");
}

describe("compileRetryPolicies", () => {
  it("compiles every named policy", () => {
    const policies = compileRetryPolicies();
    for (const name of RETRY_POLICY_NAMES) {
      expect(policies[name].name).toBe(name);
      expect(policies[name].retries).toBeGreaterThanOrEqual(0);
    }
  });

  it("overrides one field only", () => {
    const policies = compileRetryPolicies({ scan: { retries: 1 } });
    expect(policies.scan.retries).toBe(1);
    expect(policies.scan.initialDelayMs).toBe(compileRetryPolicies().scan.initialDelayMs);
  });

  it("invalid bounds name the field", () => {
    expect(fieldOf({ scan: { retries: -1 } })).toBe("scan.retries");
    expect(fieldOf({ notify: { retries: 2.5 } })).toBe("notify.retries");
    expect(fieldOf({ analyze: { initialDelayMs: 0 } })).toBe("analyze.initialDelayMs");
    expect(fieldOf({ sweep: { maxDelayMs: 90_000_000 } })).toBe("sweep.maxDelayMs");
    expect(fieldOf({ scan: { backoffCoefficient: 0.5 } })).toBe("scan.backoffCoefficient");
    expect(fieldOf({ scan: { initialDelayMs: 5_000, maxDelayMs: 1_000 } })).toBe("scan.maxDelayMs");
  });

  it("unknown names are rejected", () => {
    expect(fieldOf({ scna: {} })).toBe("scna");
    expect(fieldOf({ scan: { retry: 3 } })).toBe("scan.retry");
  });

  it("error message names field and fix", () => {
    expect(() => compileRetryPolicies({ scan: { initialDelayMs: 5_000, maxDelayMs: 1_000 } })).toThrow(
      /scan\.maxDelayMs.*raise maxDelayMs/,
    );
  });
});

describe("retry delay expression", () => {
  it("matches the code backoff", () => {
    const policies = compileRetryPolicies({ notify: { backoffCoefficient: 1 } });
    for (const name of RETRY_POLICY_NAMES) {
      const { retryDelay } = retryOptions(policies[name]);
      for (let retried = 0; retried < 12; retried += 1) {
        expect(evaluate(retryDelay, { retried })).toBe(backoffDelayMs(policies[name], retried));
      }
    }
  });

  it("constant policy is a number", () => {
    const policies = compileRetryPolicies({ sweep: { backoffCoefficient: 1, initialDelayMs: 2_500 } });
    expect(policies.sweep.retryDelay).toBe("2500");
  });
});

describe("computeRetryDelayMs", () => {
  const policy = compileRetryPolicies({
    scan: { initialDelayMs: 1_000, maxDelayMs: 8_000, backoffCoefficient: 2 },
  }).scan;

  it("jitter stays within half and full", () => {
    expect(computeRetryDelayMs(policy, 2, () => 0)).toBe(2_000);
    expect(computeRetryDelayMs(policy, 2, () => 0.999_999)).toBe(4_000);
    expect(computeRetryDelayMs(policy, 2, () => 0.5)).toBe(3_000);
  });

  it("delay is capped at max", () => {
    expect(computeRetryDelayMs(policy, 30, () => 0.999_999)).toBe(8_000);
  });
});
