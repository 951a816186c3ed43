/**
 * `POST /webhooks/github`: receives GitHub webhook deliveries and enqueues scans. It only enqueues,
 * so it answers quickly and leaves the work to durable workflows.
 *
 * Order of checks, each answered with a JSON body that names the problem:
 * 1. `X-Hub-Signature-256` is present, well formed and matches the raw body under the secret
 *    (constant-time compare by `@octokit/webhooks-methods`), else 401. Nothing is parsed before this.
 * 2. `X-GitHub-Event` and `X-GitHub-Delivery` are present, the body is JSON, and the fields used by the
 *    event are valid, else 400 (415 for a form-encoded body).
 * 3. `ping` gets 200 `{ ok: true, zen }`. Unused events and actions get 202 `{ ignored: true, reason }`.
 * 4. An `issues` event for a repository that `isWatchedRepository` rejects gets 422.
 * 5. The delivery id is claimed. A delivery id seen before gets 200 `{ duplicate: true }` and starts
 *    nothing.
 * 6. The scans are enqueued and the route answers 202 `{ queued: [...] }`.
 *
 * Why claim before enqueueing: claiming afterwards would let two concurrent copies of one delivery both
 * enqueue. So the claim comes first, and when an enqueue fails the route releases the claim and answers
 * 503, which lets GitHub's redelivery start the work again.
 * NOTE: if the Worker dies between the claim and the enqueue, nothing releases the claim, and a
 * redelivery within its TTL is dropped as a duplicate. The scheduled repository scans still pick the
 * change up later.
 */
import { verify } from "@octokit/webhooks-methods";
import { Hono } from "hono";
import type { Logger } from "../../shared/logger.js";
import { type PlannedScan, planGitHubEvent } from "./github-events.js";

export const GITHUB_WEBHOOK_PATH = "/webhooks/github";

const SIGNATURE_PATTERN = /^sha256=[0-9a-f]{64}$/;
/** GitHub sends a GUID; the limit only keeps junk out of Redis keys and logs. */
const DELIVERY_ID_PATTERN = /^[A-Za-z0-9-]{1,100}$/;

export interface GitHubWebhookEnqueue {
  /**
   * Starts a scan of one issue. A failed delivery can be enqueued twice (after a release and a
   * redelivery), so implementations should pass `deliveryId` on as the QStash deduplication id.
   */
  scanIssue(input: { repository: string; number: number; action: string; deliveryId: string }): Promise<void>;
  /** Starts a scan of one repository. `reason` is `{event}.{action}`, such as `installation.created`. */
  scanRepository(input: { repository: string; reason: string; deliveryId: string }): Promise<void>;
}

export interface GitHubWebhookRouteOptions {
  /** The webhook secret configured on GitHub. */
  secret: string;
  /**
   * Atomically claims a delivery id (for example `SET key 1 NX EX ttl`) and returns true when this
   * call claimed it, false when it was claimed before. The TTL should cover GitHub's redelivery window.
   */
  isNewDelivery(deliveryId: string): Promise<boolean>;
  /** Deletes the claim of a delivery whose enqueue failed, so that a redelivery is accepted. */
  releaseDelivery(deliveryId: string): Promise<void>;
  enqueue: GitHubWebhookEnqueue;
  /**
   * Returns false for a repository the service does not watch, so its `issues` events get 422. When
   * omitted, every repository is accepted. Repository and installation events skip this check because
   * they are how new repositories arrive.
   */
  isWatchedRepository?(repository: string): Promise<boolean>;
  logger: Logger;
}

export type QueuedScan =
  | { type: "issue"; repository: string; number: number }
  | { type: "repository"; repository: string };

function describeScan(scan: PlannedScan): QueuedScan {
  return scan.type === "issue"
    ? { type: "issue", repository: scan.repository, number: scan.number }
    : { type: "repository", repository: scan.repository };
}

async function enqueueScan(
  enqueue: GitHubWebhookEnqueue,
  scan: PlannedScan,
  deliveryId: string,
): Promise<void> {
  if (scan.type === "issue") {
    await enqueue.scanIssue({
      repository: scan.repository,
      number: scan.number,
      action: scan.action,
      deliveryId,
    });
  } else {
    await enqueue.scanRepository({ repository: scan.repository, reason: scan.reason, deliveryId });
  }
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

/**
 * Creates a Hono app with `POST /webhooks/github`; mount it with `app.route("/", route)`.
 * Throws at construction when `secret` is empty.
 */
export function createGitHubWebhookRoute(options: GitHubWebhookRouteOptions): Hono {
  if (typeof options.secret !== "string" || options.secret.length === 0) {
    throw new Error(
      "createGitHubWebhookRoute: secret must be the non-empty webhook secret configured on GitHub",
    );
  }
  const { secret, enqueue } = options;
  const app = new Hono();

  app.post(GITHUB_WEBHOOK_PATH, async function githubWebhook(c) {
    const deliveryHeader = c.req.header("x-github-delivery");
    const event = c.req.header("x-github-event");
    const log = options.logger.child({ route: GITHUB_WEBHOOK_PATH, deliveryId: deliveryHeader, event });

    // 1. Authenticate the raw body before anything reads it as JSON.
    const signature = c.req.header("x-hub-signature-256");
    if (signature === undefined) {
      log.warn("github webhook rejected", { reason: "missing signature" });
      const hint =
        c.req.header("x-hub-signature") === undefined ? "" : " (only the SHA-1 X-Hub-Signature was sent)";
      return c.json(
        { error: `missing X-Hub-Signature-256 header${hint}; set a secret on the GitHub webhook` },
        401,
      );
    }
    if (!SIGNATURE_PATTERN.test(signature)) {
      log.warn("github webhook rejected", { reason: "malformed signature" });
      return c.json(
        { error: "malformed X-Hub-Signature-256 header: expected sha256= and 64 lower-case hex digits" },
        401,
      );
    }
    // NOTE: Hono decodes the body as UTF-8. A body that is not valid UTF-8 changes in decoding and fails the
    // check below, which is acceptable because GitHub sends UTF-8 JSON.
    const rawBody = await c.req.text();
    if (rawBody.length === 0) {
      return c.json({ error: "request body is empty; GitHub always sends a JSON payload" }, 400);
    }
    if (!(await verify(secret, rawBody, signature))) {
      log.warn("github webhook rejected", { reason: "signature mismatch" });
      return c.json(
        {
          error: "X-Hub-Signature-256 does not match the request body; check that the webhook secret matches",
        },
        401,
      );
    }

    // 2. Headers and payload shape.
    if (event === undefined || event === "") {
      return c.json({ error: "missing X-GitHub-Event header" }, 400);
    }
    if (deliveryHeader === undefined || !DELIVERY_ID_PATTERN.test(deliveryHeader)) {
      const problem = deliveryHeader === undefined ? "missing" : "invalid";
      return c.json({ error: `${problem} X-GitHub-Delivery header; expected GitHub's delivery GUID` }, 400);
    }
    const deliveryId = deliveryHeader;
    if ((c.req.header("content-type") ?? "").includes("application/x-www-form-urlencoded")) {
      return c.json(
        {
          error: "form-encoded payloads are not supported; set the webhook content type to application/json",
        },
        415,
      );
    }
    const body = parseJson(rawBody);
    if (!body.ok) return c.json({ error: "request body is not valid JSON" }, 400);

    // 3. Decide what the event means.
    const plan = planGitHubEvent(event, body.value);
    if (plan.kind === "invalid") {
      log.warn("github webhook rejected", { reason: plan.message });
      return c.json({ error: plan.message }, 400);
    }
    if (plan.kind === "ping") return c.json({ ok: true, zen: plan.zen }, 200);
    if (plan.kind === "ignored") {
      log.info("github webhook ignored", { reason: plan.reason });
      return c.json({ ignored: true, reason: plan.reason }, 202);
    }

    // 4. Unknown repositories.
    if (options.isWatchedRepository !== undefined) {
      for (const scan of plan.scans) {
        if (scan.type === "issue" && !(await options.isWatchedRepository(scan.repository))) {
          log.warn("github webhook rejected", {
            reason: "repository not watched",
            repository: scan.repository,
          });
          return c.json(
            { error: `repository ${scan.repository} is not watched; add it before sending its events` },
            422,
          );
        }
      }
    }

    // 5. Claim the delivery id.
    let claimed: boolean;
    try {
      claimed = await options.isNewDelivery(deliveryId);
    } catch (error) {
      log.error("github webhook claim failed", { error });
      return c.json(
        { error: "could not record the delivery id; nothing was enqueued, redeliver later" },
        503,
      );
    }
    if (!claimed) {
      log.info("github webhook duplicate", {});
      return c.json({ duplicate: true, deliveryId }, 200);
    }

    // 6. Enqueue, or release the claim so a redelivery can try again.
    try {
      for (const scan of plan.scans) await enqueueScan(enqueue, scan, deliveryId);
    } catch (error) {
      log.error("github webhook enqueue failed", { error, scans: plan.scans.length });
      try {
        await options.releaseDelivery(deliveryId);
      } catch (releaseError) {
        log.error("github webhook claim release failed", { error: releaseError });
      }
      return c.json({ error: "enqueueing the scan failed; redeliver this delivery from GitHub" }, 503);
    }

    const queued = plan.scans.map(describeScan);
    log.info("github webhook queued", { queued: queued.length });
    return c.json({ queued }, 202);
  });

  return app;
}
