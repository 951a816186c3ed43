import { describe, expect, it } from "vitest";
import {
  type FlowControlValue,
  FlowControlValueError,
  parseFlowControlValue,
} from "../../local/qstash/dispatch/index.js";

describe("parseFlowControlValue", () => {
  it.each<[string, FlowControlValue]>([
    ["parallelism=2", { parallelism: 2, periodSeconds: 1 }],
    ["rate=10", { rate: 10, periodSeconds: 1 }],
    ["parallelism=5, rate=10, period=1m", { parallelism: 5, rate: 10, periodSeconds: 60 }],
    ["rate=3,period=90", { rate: 3, periodSeconds: 90 }],
    [" Rate = 4 , PERIOD = 1h30m ", { rate: 4, periodSeconds: 5400 }],
    ["parallelism=1, period=2d", { parallelism: 1, periodSeconds: 172_800 }],
    ["rate=1, period=10s,", { rate: 1, periodSeconds: 10 }],
  ])("value %j parses", (value, expected) => {
    const parsed = parseFlowControlValue(value);
    expect(parsed.parallelism).toBe(expected.parallelism);
    expect(parsed.rate).toBe(expected.rate);
    expect(parsed.periodSeconds).toBe(expected.periodSeconds);
  });

  it.each([
    ["", /at least one of parallelism and rate/],
    ["period=1m", /at least one of parallelism and rate/],
    ["parallelism", /must have the form name=value/],
    ["parallelism=0", /parallelism "0" must be a positive integer/],
    ["parallelism=-1", /parallelism "-1" must be a positive integer/],
    ["rate=1.5", /rate "1.5" must be a positive integer/],
    ["rate=2, period=soon", /period "soon" must be a positive duration/],
    ["rate=2, period=0s", /period "0s" must be a positive duration/],
    ["rate=2, burst=4", /unknown setting "burst"/],
    ["rate=2, rate=3", /"rate" is given twice/],
  ])("value %j is rejected", (value, message) => {
    expect(() => parseFlowControlValue(value)).toThrow(FlowControlValueError);
    expect(() => parseFlowControlValue(value)).toThrow(message);
  });
});
