/**
 * Decides what one subscriber receives now. These functions are pure: the caller reads the stored state
 * (issues already sent, today's count, the day of the last digest) and the clock in a step and passes
 * them in.
 *
 * Rules, in the order they apply:
 * 1. An issue already sent to the subscriber is never sent again, on any channel, as alert or digest.
 * 2. An opportunity scoring below `minScore` is never sent. An issue listed twice counts once.
 * 3. `dailyCap` limits the opportunities sent per local day of the subscriber, alerts and digest
 *    together. One opportunity counts once however many channels it goes to.
 * 4. Opportunities scoring at or above `alertScore` are sent at once as alerts, best first, within
 *    what is left of the cap.
 * 5. The digest is due once the local hour has reached `digestHour` and no digest went out on that
 *    local day. It then carries the remaining opportunities, best first, within what is left of the cap.
 *    Because the test is "hour at or past", a `digestHour` skipped by a DST change still fires later
 *    that day, and an hour repeated by DST fires once.
 * 6. Opportunities that are neither alerts nor in a due digest wait for a later run. Those cut by the
 *    cap stay unsent, so they can be sent on a later day.
 */
import type { Opportunity, Subscriber } from "../../shared/domain/index.js";
import { localDay, localHour } from "./local-time.js";

export type PlanSubscriber = Pick<
  Subscriber,
  "timezone" | "digestHour" | "dailyCap" | "alertScore" | "minScore"
>;

/**
 * True when the digest should go out now: the local hour in the subscriber's time zone is at or past
 * `digestHour`, and `lastDigestDay` (the local day of the last digest sent, `YYYY-MM-DD`, or null) is
 * not today.
 */
export function isDigestDue(
  subscriber: Pick<Subscriber, "timezone" | "digestHour">,
  now: Date,
  lastDigestDay: string | null,
): boolean {
  if (localHour(now, subscriber.timezone) < subscriber.digestHour) return false;
  return lastDigestDay !== localDay(now, subscriber.timezone);
}

export interface PlanInput {
  subscriber: PlanSubscriber;
  /** Opportunities already matched to this subscriber, in rank order (best first). */
  opportunities: readonly Opportunity[];
  /** Issue ids already sent to this subscriber, on any channel and any day. */
  alreadySent: ReadonlySet<string>;
  /** Opportunities sent to this subscriber so far on the current local day (`localDay(now, timezone)`). */
  sentToday: number;
  now: Date;
  /** Local day (`YYYY-MM-DD`) of the last digest sent, or null when none was sent. */
  lastDigestDay: string | null;
}

export interface NotificationPlan {
  /** Opportunities to send one by one now. */
  alerts: Opportunity[];
  /**
   * Opportunities for the digest to send now, or null when no digest goes out. Null also when the
   * digest is due but nothing is left to put in it, so the caller records a digest day only when it
   * sends one, and opportunities found later that day still make it into a digest.
   */
  digest: Opportunity[] | null;
}

export function planNotifications(input: PlanInput): NotificationPlan {
  const { subscriber } = input;
  if (!Number.isInteger(input.sentToday) || input.sentToday < 0) {
    throw new Error(`sentToday must be a non-negative integer, got ${input.sentToday}`);
  }

  const seen = new Set<string>();
  const eligible: Opportunity[] = [];
  for (const opportunity of input.opportunities) {
    if (input.alreadySent.has(opportunity.issueId) || seen.has(opportunity.issueId)) continue;
    if (opportunity.score < subscriber.minScore) continue;
    seen.add(opportunity.issueId);
    eligible.push(opportunity);
  }

  let remaining = Math.max(0, subscriber.dailyCap - input.sentToday);

  const alerts: Opportunity[] = [];
  const waiting: Opportunity[] = [];
  for (const opportunity of eligible) {
    if (opportunity.score >= subscriber.alertScore && remaining > 0) {
      alerts.push(opportunity);
      remaining -= 1;
    } else {
      waiting.push(opportunity);
    }
  }

  if (!isDigestDue(subscriber, input.now, input.lastDigestDay)) return { alerts, digest: null };

  const digest = waiting.slice(0, remaining);
  return { alerts, digest: digest.length > 0 ? digest : null };
}
