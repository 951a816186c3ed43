/**
 * `POST /webhooks/github`: receives GitHub webhook deliveries and enqueues scans. It only enqueues,
 * so it responds without waiting for any scan and leaves the work to durable workflows.
 *
 * Order of checks. Each rejection returns a JSON `{ error }` that names the problem:
 * 1. `X-Hub-Signature-256` is present, well formed and matches the raw body under the secret
 *    (constant-time compare by `@octokit/webhooks-methods`), else 401. Nothing is parsed before this.
 * 2. `X-GitHub-Event` and `X-GitHub-Delivery` are present, the body is JSON, and the fields used by the
 *    event are valid, else 400 (415 for a form-encoded body).
 * 3. `ping` gets 200 `{ ok: true, zen }`. Unused events and actions get 202 `{ ignored: true, reason }`.
 * 4. An `issues` event for a repository that `isWatchedRepository` rejects gets 422.
 * 5. The delivery id is claimed. A delivery id seen before gets 200 `{ duplicate: true }` and starts
 *    nothing.
 * 6. The scans are enqueued and the route returns 202 `{ queued: [...] }`.
 *
 * Why claim before enqueueing: claiming afterwards would let two concurrent copies of one delivery both
 * enqueue. So the claim comes first, and when an enqueue fails the route releases the claim and returns
 * 503, so a redelivery starts the work again. GitHub never redelivers on its own: an admin or a script
 * redelivers failed deliveries of the past 3 days (docs.github.com, "Redelivering webhooks").
 * NOTE: if the Worker dies between the claim and the enqueue, nothing releases the claim, and a
 * redelivery within its TTL is dropped as a duplicate. Only a later scan of the repository then picks up
 * the change.
 */
import { verify } from "@octokit/webhooks-methods";
import { Hono } from "hono";
import type { Logger } from "../../shared/logger.js";
import { type PlannedScan, planGitHubEvent } from "./github-events.js";

export const GITHUB_WEBHOOK_PATH = "/webhooks/github";

const SIGNATURE_PATTERN = /^sha256=[0-9a-f]{64}$/;
/** GitHub sends a GUID. The pattern only keeps other text out of Redis keys and logs. */
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
   * call claimed it, false when it was claimed before. Keep the claim at least 3 days, the window in which
   * GitHub allows redelivering a delivery.
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

/**
 * Checks `X-Hub-Signature-256` against the raw body and returns the rejection to send, or null when the
 * signature is valid. The comparison is constant time (`@octokit/webhooks-methods` `verify`).
 */
async function checkSignature(
  secret: string,
  rawBody: string,
  signature: string | undefined,
  legacySignature: string | undefined,
): Promise<{ status: 400 | 401; error: string } | null> {
  if (signature === undefined) {
    const hint = legacySignature === undefined ? "" : " (only the SHA-1 X-Hub-Signature was sent)";
    return {
      status: 401,
      error: `missing X-Hub-Signature-256 header${hint}; set a secret on the GitHub webhook`,
    };
  }
  if (!SIGNATURE_PATTERN.test(signature)) {
    return {
      status: 401,
      error: "malformed X-Hub-Signature-256 header: expected sha256= and 64 lower-case hex digits",
    };
  }
  // `verify` throws on an empty payload, and GitHub never sends one.
  if (rawBody.length === 0)
    return { status: 400, error: "request body is empty; GitHub always sends a JSON payload" };
  if (!(await verify(secret, rawBody, signature))) {
    return {
      status: 401,
      error: "X-Hub-Signature-256 does not match the request body; check that the webhook secret matches",
    };
  }
  return null;
}

/** Returns the first issue scan's repository that `isWatched` rejects, or null. */
async function findUnwatchedRepository(
  scans: readonly PlannedScan[],
  isWatched: ((repository: string) => Promise<boolean>) | undefined,
): Promise<string | null> {
  if (isWatched === undefined) return null;
  for (const scan of scans) {
    if (scan.type === "issue" && !(await isWatched(scan.repository))) return scan.repository;
  }
  return null;
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
    const reject = (status: 400 | 401 | 415 | 422, error: string) => {
      log.warn("github webhook rejected", { status, error });
      return c.json({ error }, status);
    };

    // 1. Authenticate the raw body before anything reads it as JSON.
    // NOTE: Hono decodes the body as UTF-8. A body that is not valid UTF-8 changes in decoding and then
    // fails the signature check, which is acceptable because GitHub sends UTF-8 JSON.
    const rawBody = await c.req.text();
    const signatureProblem = await checkSignature(
      secret,
      rawBody,
      c.req.header("x-hub-signature-256"),
      c.req.header("x-hub-signature"),
    );
    if (signatureProblem !== null) return reject(signatureProblem.status, signatureProblem.error);

    // 2. Headers and payload shape.
    if (event === undefined || event === "") return reject(400, "missing X-GitHub-Event header");
    if (deliveryHeader === undefined || !DELIVERY_ID_PATTERN.test(deliveryHeader)) {
      const problem = deliveryHeader === undefined ? "missing" : "invalid";
      return reject(400, `${problem} X-GitHub-Delivery header; expected GitHub's delivery GUID`);
    }
    const deliveryId = deliveryHeader;
    if ((c.req.header("content-type") ?? "").includes("application/x-www-form-urlencoded")) {
      return reject(
        415,
        "form-encoded payloads are not supported; set the webhook content type to application/json",
      );
    }
    const body = parseJson(rawBody);
    if (!body.ok) return reject(400, "request body is not valid JSON");

    // 3. Decide what the event means.
    const plan = planGitHubEvent(event, body.value);
    if (plan.kind === "invalid") return reject(400, plan.message);
    if (plan.kind === "ping") return c.json({ ok: true, zen: plan.zen }, 200);
    if (plan.kind === "ignored") {
      log.info("github webhook ignored", { reason: plan.reason });
      return c.json({ ignored: true, reason: plan.reason }, 202);
    }

    // 4. Unknown repositories, then 5. the claim. A failure of either store enqueues nothing.
    let claimed: boolean;
    try {
      const unwatched = await findUnwatchedRepository(plan.scans, options.isWatchedRepository);
      if (unwatched !== null) {
        return reject(422, `repository ${unwatched} is not watched; add it before sending its events`);
      }
      claimed = await options.isNewDelivery(deliveryId);
    } catch (error) {
      log.error("github webhook store failed", { error });
      return c.json({ error: "checking the delivery failed; nothing was enqueued, redeliver it later" }, 503);
    }
    if (!claimed) {
      log.info("github webhook duplicate");
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
