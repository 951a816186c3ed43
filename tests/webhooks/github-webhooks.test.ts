import { randomUUID } from "node:crypto";
import { createRequire } from "node:module";
import { sign } from "@octokit/webhooks-methods";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createGitHubWebhookRoute, type GitHubWebhookRouteOptions } from "../../server/routes/index.js";
import { silentLogger } from "../../shared/logger.js";
import {
  claimIdempotencyKey,
  idempotencyKeys,
  releaseIdempotencyKey,
} from "../../shared/reliability/index.js";
import { startTestRedisRest, type TestRedisRest } from "../helpers/redis-rest.js";

interface WebhookDefinition {
  name: string;
  examples: Array<Record<string, unknown>>;
}

const definitions = createRequire(import.meta.url)("@octokit/webhooks-examples") as WebhookDefinition[];

function examplesOf(event: string): Array<Record<string, unknown>> {
  const definition = definitions.find((candidate) => candidate.name === event);
  if (definition === undefined) throw new Error(`@octokit/webhooks-examples has no ${event} examples`);
  return definition.examples;
}

function exampleOf(event: string, action?: string): Record<string, unknown> {
  const example = examplesOf(event).find(
    (candidate) => action === undefined || candidate["action"] === action,
  );
  if (example === undefined) throw new Error(`@octokit/webhooks-examples has no ${event}.${action} example`);
  return structuredClone(example);
}

const SECRET = "github-webhook-secret-for-tests";
const ISSUE_SCAN_ACTIONS = ["opened", "edited", "labeled", "unlabeled", "reopened"];

type EnqueueCall =
  | { kind: "scanIssue"; input: { repository: string; number: number; action: string; deliveryId: string } }
  | { kind: "scanRepository"; input: { repository: string; reason: string; deliveryId: string } };

let rest: TestRedisRest;
let calls: EnqueueCall[];
let failNextEnqueue: boolean;

beforeAll(async () => {
  rest = await startTestRedisRest({ area: "webhooks" });
});
afterAll(async () => {
  await rest.close();
});
beforeEach(() => {
  calls = [];
  failNextEnqueue = false;
});

function routeOptions(overrides: Partial<GitHubWebhookRouteOptions> = {}): GitHubWebhookRouteOptions {
  const store = { keyPrefix: rest.prefix };
  return {
    secret: SECRET,
    isNewDelivery: async (deliveryId) => {
      const key = idempotencyKeys.webhookDelivery(deliveryId);
      const result = await claimIdempotencyKey(rest.redis, key, {
        ...store,
        ttlSeconds: 3600,
        owner: deliveryId,
      });
      return result.claimed;
    },
    releaseDelivery: async (deliveryId) => {
      await releaseIdempotencyKey(rest.redis, idempotencyKeys.webhookDelivery(deliveryId), {
        ...store,
        owner: deliveryId,
      });
    },
    enqueue: {
      scanIssue: async (input) => {
        if (failNextEnqueue) {
          failNextEnqueue = false;
          throw new Error("QStash publish failed with HTTP 500");
        }
        calls.push({ kind: "scanIssue", input });
      },
      scanRepository: async (input) => {
        calls.push({ kind: "scanRepository", input });
      },
    },
    logger: silentLogger,
    ...overrides,
  };
}

interface DeliveryRequest {
  event?: string;
  deliveryId?: string;
  body: string;
  /** Signature header, the correct one for `body` by default. Null leaves the header out. */
  signature?: string | null;
  contentType?: string;
}

async function deliver(route: ReturnType<typeof createGitHubWebhookRoute>, request: DeliveryRequest) {
  const headers: Record<string, string> = { "content-type": request.contentType ?? "application/json" };
  if (request.event !== undefined) headers["x-github-event"] = request.event;
  if (request.deliveryId !== undefined) headers["x-github-delivery"] = request.deliveryId;
  const signature = request.signature === undefined ? await sign(SECRET, request.body) : request.signature;
  if (signature !== null) headers["x-hub-signature-256"] = signature;

  const response = await route.request("/webhooks/github", { method: "POST", headers, body: request.body });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

function signedDelivery(event: string, payload: unknown, deliveryId = randomUUID()): DeliveryRequest {
  return { event, deliveryId, body: JSON.stringify(payload) };
}

describe("github webhook route", () => {
  it("issues actions enqueue issue scans", async () => {
    const route = createGitHubWebhookRoute(routeOptions());
    const examples = examplesOf("issues").filter((example) =>
      ISSUE_SCAN_ACTIONS.includes(String(example["action"])),
    );
    expect(examples.length).toBeGreaterThanOrEqual(ISSUE_SCAN_ACTIONS.length);

    for (const example of examples) {
      calls = [];
      const deliveryId = randomUUID();
      const response = await deliver(route, signedDelivery("issues", example, deliveryId));

      expect(response.status).toBe(202);
      expect(response.json).toEqual({
        queued: [{ type: "issue", repository: "Codertocat/Hello-World", number: 1 }],
      });
      expect(calls).toEqual([
        {
          kind: "scanIssue",
          input: { repository: "Codertocat/Hello-World", number: 1, action: example["action"], deliveryId },
        },
      ]);
    }
  });

  it("closed issue enqueues scan", async () => {
    // The examples package has no `closed` example, so an `opened` one is turned into one.
    const payload = exampleOf("issues", "opened");
    payload["action"] = "closed";
    const response = await deliver(
      createGitHubWebhookRoute(routeOptions()),
      signedDelivery("issues", payload),
    );

    expect(response.status).toBe(202);
    expect(calls.map((call) => call.kind)).toEqual(["scanIssue"]);
    expect(calls[0]?.input).toMatchObject({ action: "closed", number: 1 });
  });

  it("other issue actions are ignored", async () => {
    const response = await deliver(
      createGitHubWebhookRoute(routeOptions()),
      signedDelivery("issues", exampleOf("issues", "assigned")),
    );

    expect(response.status).toBe(202);
    expect(response.json).toEqual({
      ignored: true,
      reason: 'issues action "assigned" does not change what a scan finds',
    });
    expect(calls).toEqual([]);
  });

  it("repository events scan repository", async () => {
    const route = createGitHubWebhookRoute(routeOptions());
    for (const example of examplesOf("repository")) {
      calls = [];
      const response = await deliver(route, signedDelivery("repository", example));
      const repository = (example["repository"] as { full_name: string }).full_name;

      expect(response.status).toBe(202);
      expect(calls).toHaveLength(1);
      expect(calls[0]).toMatchObject({
        kind: "scanRepository",
        input: { repository, reason: `repository.${example["action"]}` },
      });
    }
  });

  it("deleted repository is ignored", async () => {
    const payload = exampleOf("repository", "created");
    payload["action"] = "deleted";
    const response = await deliver(
      createGitHubWebhookRoute(routeOptions()),
      signedDelivery("repository", payload),
    );

    expect(response.status).toBe(202);
    expect(response.json["ignored"]).toBe(true);
    expect(calls).toEqual([]);
  });

  it("installation created scans repositories", async () => {
    const deliveryId = randomUUID();
    const response = await deliver(
      createGitHubWebhookRoute(routeOptions()),
      signedDelivery("installation", exampleOf("installation", "created"), deliveryId),
    );

    expect(response.status).toBe(202);
    expect(response.json).toEqual({ queued: [{ type: "repository", repository: "Codertocat/Hello-World" }] });
    expect(calls).toEqual([
      {
        kind: "scanRepository",
        input: { repository: "Codertocat/Hello-World", reason: "installation.created", deliveryId },
      },
    ]);
  });

  it("installation without repositories ignored", async () => {
    const route = createGitHubWebhookRoute(routeOptions());
    for (const action of ["deleted", "suspend", "unsuspend"]) {
      const response = await deliver(
        route,
        signedDelivery("installation", exampleOf("installation", action)),
      );
      expect(response.status).toBe(202);
      expect(response.json["ignored"]).toBe(true);
    }
    expect(calls).toEqual([]);
  });

  it("added installation repositories scanned", async () => {
    const response = await deliver(
      createGitHubWebhookRoute(routeOptions()),
      signedDelivery("installation_repositories", exampleOf("installation_repositories", "added")),
    );

    expect(response.status).toBe(202);
    expect(calls).toEqual([
      expect.objectContaining({
        kind: "scanRepository",
        input: expect.objectContaining({
          repository: "Codertocat/Space",
          reason: "installation_repositories.added",
        }),
      }),
    ]);
  });

  it("ping answers with zen", async () => {
    const response = await deliver(
      createGitHubWebhookRoute(routeOptions()),
      signedDelivery("ping", exampleOf("ping")),
    );

    expect(response.status).toBe(200);
    expect(response.json).toEqual({ ok: true, zen: "Anything added dilutes everything else." });
    expect(calls).toEqual([]);
  });

  it("unused event is ignored", async () => {
    const response = await deliver(
      createGitHubWebhookRoute(routeOptions()),
      signedDelivery("push", exampleOf("push")),
    );

    expect(response.status).toBe(202);
    expect(response.json).toEqual({ ignored: true, reason: 'event "push" is not used by this service' });
  });

  it("tampered body gets 401", async () => {
    const route = createGitHubWebhookRoute(routeOptions());
    const delivery = signedDelivery("issues", exampleOf("issues", "opened"));
    const signature = await sign(SECRET, delivery.body);
    const tampered = delivery.body.replace('"number":1', '"number":2');
    expect(tampered).not.toBe(delivery.body);

    const response = await deliver(route, { ...delivery, body: tampered, signature });
    expect(response.status).toBe(401);
    expect(response.json["error"]).toMatch(/X-Hub-Signature-256 does not match the request body/);
    expect(calls).toEqual([]);

    // The rejected request claimed nothing, so the genuine delivery with the same id still goes through.
    const genuine = await deliver(route, delivery);
    expect(genuine.status).toBe(202);
    expect(calls).toHaveLength(1);
  });

  it("missing signature gets 401", async () => {
    const delivery = signedDelivery("issues", exampleOf("issues", "opened"));
    const response = await deliver(createGitHubWebhookRoute(routeOptions()), {
      ...delivery,
      signature: null,
    });

    expect(response.status).toBe(401);
    expect(response.json["error"]).toMatch(/missing X-Hub-Signature-256 header/);
    expect(calls).toEqual([]);
  });

  it("malformed or foreign signature gets 401", async () => {
    const route = createGitHubWebhookRoute(routeOptions());
    const delivery = signedDelivery("issues", exampleOf("issues", "opened"));

    const malformed = await deliver(route, { ...delivery, signature: "sha1=0123" });
    expect(malformed.status).toBe(401);
    expect(malformed.json["error"]).toMatch(/malformed X-Hub-Signature-256/);

    const otherSecret = await deliver(route, {
      ...delivery,
      signature: await sign("another-secret", delivery.body),
    });
    expect(otherSecret.status).toBe(401);
    expect(calls).toEqual([]);
  });

  it("repeated delivery id enqueues once", async () => {
    const route = createGitHubWebhookRoute(routeOptions());
    const delivery = signedDelivery("issues", exampleOf("issues", "labeled"));

    const first = await deliver(route, delivery);
    const second = await deliver(route, delivery);

    expect(first.status).toBe(202);
    expect(second.status).toBe(200);
    expect(second.json).toEqual({ duplicate: true, deliveryId: delivery.deliveryId });
    expect(calls).toHaveLength(1);
  });

  it("missing headers get 400", async () => {
    const route = createGitHubWebhookRoute(routeOptions());
    const delivery = signedDelivery("issues", exampleOf("issues", "opened"));

    const noEvent = await deliver(route, { ...delivery, event: undefined });
    expect(noEvent.status).toBe(400);
    expect(noEvent.json["error"]).toBe("missing X-GitHub-Event header");

    const noDelivery = await deliver(route, { ...delivery, deliveryId: undefined });
    expect(noDelivery.status).toBe(400);
    expect(noDelivery.json["error"]).toMatch(/missing X-GitHub-Delivery header/);

    const badDelivery = await deliver(route, { ...delivery, deliveryId: "x:y" });
    expect(badDelivery.status).toBe(400);
    expect(badDelivery.json["error"]).toMatch(/invalid X-GitHub-Delivery header/);
    expect(calls).toEqual([]);
  });

  it("malformed payload names the field", async () => {
    const route = createGitHubWebhookRoute(routeOptions());

    const wrongNumber = exampleOf("issues", "opened");
    (wrongNumber["issue"] as Record<string, unknown>)["number"] = "1";
    const numberDelivery = signedDelivery("issues", wrongNumber);
    const numberResponse = await deliver(route, numberDelivery);
    expect(numberResponse.status).toBe(400);
    expect(numberResponse.json["error"]).toMatch(/^invalid issues payload at issue\.number: /);

    const wrongName = exampleOf("repository", "created");
    (wrongName["repository"] as Record<string, unknown>)["full_name"] = "not a repository";
    const nameResponse = await deliver(route, signedDelivery("repository", wrongName));
    expect(nameResponse.status).toBe(400);
    expect(nameResponse.json["error"]).toMatch(/at repository\.full_name: expected a repository name/);

    const notJson = await deliver(route, { event: "issues", deliveryId: randomUUID(), body: "{not json" });
    expect(notJson.status).toBe(400);
    expect(notJson.json["error"]).toBe("request body is not valid JSON");
    expect(calls).toEqual([]);

    // A rejected payload claims nothing: the corrected delivery with the same id is accepted.
    const corrected = await deliver(route, {
      ...numberDelivery,
      body: JSON.stringify(exampleOf("issues", "opened")),
    });
    expect(corrected.status).toBe(202);
  });

  it("form-encoded body gets 415", async () => {
    const body = `payload=${encodeURIComponent(JSON.stringify(exampleOf("issues", "opened")))}`;
    const response = await deliver(createGitHubWebhookRoute(routeOptions()), {
      event: "issues",
      deliveryId: randomUUID(),
      body,
      contentType: "application/x-www-form-urlencoded",
    });

    expect(response.status).toBe(415);
    expect(response.json["error"]).toMatch(/set the webhook content type to application\/json/);
  });

  it("unknown repository gets 422", async () => {
    const route = createGitHubWebhookRoute(
      routeOptions({ isWatchedRepository: async (repository) => repository === "octo-org/widgets" }),
    );
    const delivery = signedDelivery("issues", exampleOf("issues", "opened"));
    const response = await deliver(route, delivery);

    expect(response.status).toBe(422);
    expect(response.json["error"]).toBe(
      "repository Codertocat/Hello-World is not watched; add it before sending its events",
    );
    expect(calls).toEqual([]);
  });

  it("failed enqueue releases the claim", async () => {
    const route = createGitHubWebhookRoute(routeOptions());
    const delivery = signedDelivery("issues", exampleOf("issues", "opened"));

    failNextEnqueue = true;
    const failed = await deliver(route, delivery);
    expect(failed.status).toBe(503);
    expect(failed.json["error"]).toMatch(/redeliver this delivery/);
    expect(calls).toEqual([]);

    const redelivered = await deliver(route, delivery);
    expect(redelivered.status).toBe(202);
    expect(calls).toHaveLength(1);
  });

  it("failed claim enqueues nothing", async () => {
    const route = createGitHubWebhookRoute(
      routeOptions({
        isNewDelivery: async () => {
          throw new Error("Redis unavailable");
        },
      }),
    );
    const response = await deliver(route, signedDelivery("issues", exampleOf("issues", "opened")));

    expect(response.status).toBe(503);
    expect(calls).toEqual([]);
  });

  it("failed watch check enqueues nothing", async () => {
    const route = createGitHubWebhookRoute(
      routeOptions({
        isWatchedRepository: async () => {
          throw new Error("Redis unavailable");
        },
      }),
    );
    const delivery = signedDelivery("issues", exampleOf("issues", "opened"));
    const response = await deliver(route, delivery);

    expect(response.status).toBe(503);
    expect(response.json["error"]).toMatch(/nothing was enqueued/);
    expect(calls).toEqual([]);

    // The check failed before the claim, so the same delivery is accepted once the store is back.
    const retried = await deliver(createGitHubWebhookRoute(routeOptions()), delivery);
    expect(retried.status).toBe(202);
  });

  it("empty secret throws at construction", () => {
    expect(() => createGitHubWebhookRoute(routeOptions({ secret: "" }))).toThrow(
      /secret must be the non-empty/,
    );
  });
});
