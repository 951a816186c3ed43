import { describe, expect, it } from "vitest";
import type { Opportunity } from "../../shared/domain/index.js";
import {
  digestDeliveryId,
  isDigestDue,
  notificationId,
  type PlanSubscriber,
  planNotifications,
} from "../../steps/notify/index.js";
import { makeOpportunity } from "../delivery/fixtures.js";

const subscriber: PlanSubscriber = {
  timezone: "America/Los_Angeles",
  digestHour: 9,
  dailyCap: 5,
  alertScore: 85,
  minScore: 30,
};

// 2025-03-03 is a Monday with Los Angeles on PST (UTC-8): 16:00Z is 08:00 local, 17:00Z is 09:00.
const beforeDigest = new Date("2025-03-03T16:00:00Z");
const atDigest = new Date("2025-03-03T17:00:00Z");

function opportunity(id: string, score: number): Opportunity {
  return makeOpportunity({ issueId: id, score });
}

function ids(list: readonly Opportunity[] | null): string[] | null {
  return list === null ? null : list.map((item) => item.issueId);
}

describe("isDigestDue", () => {
  it("digest waits for local hour", () => {
    expect(isDigestDue(subscriber, new Date("2025-03-03T16:59:59Z"), null)).toBe(false);
    expect(isDigestDue(subscriber, atDigest, null)).toBe(true);
    expect(isDigestDue(subscriber, new Date("2025-03-04T07:59:00Z"), null)).toBe(true);
  });

  it("digest once per local day", () => {
    expect(isDigestDue(subscriber, atDigest, "2025-03-03")).toBe(false);
    expect(isDigestDue(subscriber, atDigest, "2025-03-02")).toBe(true);
    // 2025-03-04T07:59Z is still 2025-03-03 in Los Angeles, so the digest of that day counts.
    expect(isDigestDue(subscriber, new Date("2025-03-04T07:59:00Z"), "2025-03-03")).toBe(false);
  });

  it("skipped DST hour still fires", () => {
    const twoAm = { timezone: "America/Los_Angeles", digestHour: 2 };
    // 2025-03-09 02:00 local does not exist: 01:59 PST is followed by 03:00 PDT.
    expect(isDigestDue(twoAm, new Date("2025-03-09T09:59:00Z"), "2025-03-08")).toBe(false);
    expect(isDigestDue(twoAm, new Date("2025-03-09T10:00:00Z"), "2025-03-08")).toBe(true);
  });

  it("repeated DST hour fires once", () => {
    const oneAm = { timezone: "America/Los_Angeles", digestHour: 1 };
    // 2025-11-02 01:00-01:59 local happens twice: 08:00Z (PDT) and 09:00Z (PST).
    expect(isDigestDue(oneAm, new Date("2025-11-02T08:00:00Z"), "2025-11-01")).toBe(true);
    expect(isDigestDue(oneAm, new Date("2025-11-02T09:00:00Z"), "2025-11-02")).toBe(false);
  });

  it("half-hour offset zone", () => {
    const kolkata = { timezone: "Asia/Kolkata", digestHour: 9 };
    expect(isDigestDue(kolkata, new Date("2025-03-03T03:29:00Z"), "2025-03-02")).toBe(false);
    expect(isDigestDue(kolkata, new Date("2025-03-03T03:30:00Z"), "2025-03-02")).toBe(true);
  });

  it("quarter-hour offset zone", () => {
    const chatham = { timezone: "Pacific/Chatham", digestHour: 0 };
    // UTC+13:45 in March: local midnight of 2025-03-02 is 2025-03-01T10:15Z.
    expect(isDigestDue(chatham, new Date("2025-03-01T10:14:00Z"), "2025-03-01")).toBe(false);
    expect(isDigestDue(chatham, new Date("2025-03-01T10:15:00Z"), "2025-03-01")).toBe(true);
  });
});

describe("planNotifications", () => {
  it("alerts at or above alertScore", () => {
    const plan = planNotifications({
      subscriber,
      opportunities: [opportunity("A", 95), opportunity("B", 85), opportunity("C", 84.9)],
      alreadySent: new Set(),
      sentToday: 0,
      now: beforeDigest,
      lastDigestDay: null,
    });
    expect(ids(plan.alerts)).toEqual(["A", "B"]);
    expect(plan.digest).toBeNull();
  });

  it("digest carries the rest", () => {
    const plan = planNotifications({
      subscriber,
      opportunities: [opportunity("A", 95), opportunity("B", 60), opportunity("C", 40)],
      alreadySent: new Set(),
      sentToday: 0,
      now: atDigest,
      lastDigestDay: "2025-03-02",
    });
    expect(ids(plan.alerts)).toEqual(["A"]);
    expect(ids(plan.digest)).toEqual(["B", "C"]);
  });

  it("minScore drops low scores", () => {
    const plan = planNotifications({
      subscriber,
      opportunities: [opportunity("A", 29.9), opportunity("B", 30), opportunity("C", 10)],
      alreadySent: new Set(),
      sentToday: 0,
      now: atDigest,
      lastDigestDay: null,
    });
    expect(plan.alerts).toEqual([]);
    expect(ids(plan.digest)).toEqual(["B"]);
  });

  it("already sent never resent", () => {
    const plan = planNotifications({
      subscriber,
      opportunities: [opportunity("A", 95), opportunity("B", 60), opportunity("C", 90), opportunity("B", 60)],
      alreadySent: new Set(["A", "B"]),
      sentToday: 0,
      now: atDigest,
      lastDigestDay: null,
    });
    expect(ids(plan.alerts)).toEqual(["C"]);
    expect(plan.digest).toBeNull();
  });

  it("duplicate issue counts once", () => {
    const plan = planNotifications({
      subscriber,
      opportunities: [opportunity("A", 95), opportunity("A", 95), opportunity("B", 50), opportunity("B", 50)],
      alreadySent: new Set(),
      sentToday: 0,
      now: atDigest,
      lastDigestDay: null,
    });
    expect(ids(plan.alerts)).toEqual(["A"]);
    expect(ids(plan.digest)).toEqual(["B"]);
  });

  it("cap covers alerts and digest", () => {
    const opportunities = [
      opportunity("A1", 99),
      opportunity("A2", 98),
      opportunity("A3", 97),
      opportunity("D1", 70),
      opportunity("D2", 60),
      opportunity("D3", 50),
    ];
    const plan = planNotifications({
      subscriber,
      opportunities,
      alreadySent: new Set(),
      sentToday: 1,
      now: atDigest,
      lastDigestDay: null,
    });
    expect(ids(plan.alerts)).toEqual(["A1", "A2", "A3"]);
    expect(ids(plan.digest)).toEqual(["D1"]);
  });

  it("cap limits alerts first", () => {
    const plan = planNotifications({
      subscriber,
      opportunities: [opportunity("A1", 99), opportunity("A2", 98), opportunity("D1", 70)],
      alreadySent: new Set(),
      sentToday: 4,
      now: atDigest,
      lastDigestDay: null,
    });
    expect(ids(plan.alerts)).toEqual(["A1"]);
    // A2 is over the cap: it is neither alerted nor moved into the digest, and waits for another day.
    expect(plan.digest).toBeNull();
  });

  it("spent cap sends nothing", () => {
    const plan = planNotifications({
      subscriber,
      opportunities: [opportunity("A", 99), opportunity("B", 50)],
      alreadySent: new Set(),
      sentToday: 7,
      now: atDigest,
      lastDigestDay: null,
    });
    expect(plan).toEqual({ alerts: [], digest: null });
  });

  it("due digest with nothing is null", () => {
    const plan = planNotifications({
      subscriber,
      opportunities: [opportunity("A", 99)],
      alreadySent: new Set(),
      sentToday: 0,
      now: atDigest,
      lastDigestDay: null,
    });
    expect(ids(plan.alerts)).toEqual(["A"]);
    expect(plan.digest).toBeNull();
  });

  it("invalid sentToday throws", () => {
    const input = {
      subscriber,
      opportunities: [],
      alreadySent: new Set<string>(),
      now: atDigest,
      lastDigestDay: null,
    };
    expect(() => planNotifications({ ...input, sentToday: -1 })).toThrow(/sentToday must be a non-negative/);
    expect(() => planNotifications({ ...input, sentToday: 1.5 })).toThrow(/sentToday must be a non-negative/);
  });
});

describe("notification ids", () => {
  it("ids join their parts", () => {
    expect(notificationId("sub-1", "I_kwDOAbc", "email")).toBe("sub-1:I_kwDOAbc:email");
    expect(digestDeliveryId("sub-1", "2025-03-03", "slack")).toBe("sub-1:digest-2025-03-03:slack");
  });
});
