/**
 * The admin API over real HTTP against the local stack: auth, validation errors that name the
 * problem and change nothing, unknown repositories, filtered opportunity listing and run lookup.
 */
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runDiscover } from "../../local/discover/index.js";
import { startTestStack, type TestStack } from "../helpers/stack.js";

const SNAPSHOT_DIR = fileURLToPath(new URL("../fixtures/e2e-snapshot", import.meta.url));
const SUBSCRIBERS_FILE = fileURLToPath(new URL("../fixtures/e2e-subscribers.json", import.meta.url));

describe("admin API", () => {
  let stack: TestStack;

  async function admin(method: string, path: string, body?: string, token?: string): Promise<Response> {
    return fetch(`${stack.appEnv.APP_BASE_URL}/admin${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token ?? stack.appEnv.ADMIN_TOKEN}`,
        "content-type": "application/json",
      },
      ...(body === undefined ? {} : { body }),
    });
  }

  async function errorOf(response: Response): Promise<string> {
    const body = (await response.json()) as { error?: string };
    return body.error ?? "";
  }

  beforeAll(async () => {
    stack = await startTestStack(
      "admin-api",
      { GITHUB_SNAPSHOT_DIR: SNAPSHOT_DIR },
      { appEnv: { CLOCK_FIXED_AT: "2026-12-04T12:00:00Z" } },
    );
    await runDiscover(stack, {
      snapshotDir: SNAPSHOT_DIR,
      subscribersFile: SUBSCRIBERS_FILE,
      timeoutMs: 60_000,
    });
  }, 120_000);

  afterAll(async () => {
    await stack?.cleanup();
  });

  it("missing token gets 401", async () => {
    const response = await fetch(`${stack.appEnv.APP_BASE_URL}/admin/opportunities`);
    expect(response.status).toBe(401);
    expect(await errorOf(response)).toMatch(/missing Authorization/);
  });

  it("wrong token gets 401", async () => {
    const response = await admin("GET", "/opportunities", undefined, "not-the-admin-token");
    expect(response.status).toBe(401);
  });

  it("opportunities filter by language", async () => {
    const response = await admin("GET", "/opportunities?language=Python");
    expect(response.status).toBe(200);
    const body = (await response.json()) as { opportunities: { repository: string; language: string }[] };
    expect(body.opportunities.map((opportunity) => opportunity.repository).sort()).toEqual([
      "openpolicedata/openpolicedata",
      "scikit-learn/scikit-learn",
      "scikit-learn/scikit-learn",
    ]);
  });

  it("opportunities filter by label and difficulty", async () => {
    const byLabel = (await (await admin("GET", "/opportunities?label=good%20first%20issue")).json()) as {
      count: number;
    };
    expect(byLabel.count).toBe(1);
    const easy = (await (await admin("GET", "/opportunities?maxDifficulty=2")).json()) as {
      opportunities: { number: number }[];
    };
    expect(easy.opportunities.map((opportunity) => opportunity.number)).toEqual([374]);
  });

  it("bad query names the field", async () => {
    const response = await admin("GET", "/opportunities?maxDifficulty=11");
    expect(response.status).toBe(400);
    expect(await errorOf(response)).toMatch(/maxDifficulty/);
  });

  it("body that is not JSON gets 400", async () => {
    const response = await admin("POST", "/repositories", "{not json");
    expect(response.status).toBe(400);
    expect(await errorOf(response)).toMatch(/not valid JSON/);
  });

  it("bad repository name names the field", async () => {
    const response = await admin("POST", "/repositories", JSON.stringify({ repositories: ["no-slash"] }));
    expect(response.status).toBe(400);
    expect(await errorOf(response)).toMatch(/repositories\.0/);
  });

  it("unknown repository gets 404", async () => {
    const response = await admin(
      "POST",
      "/repositories",
      JSON.stringify({ repositories: ["openpolicedata/openpolicedata", "nobody/nothing-here"] }),
    );
    expect(response.status).toBe(404);
    expect(await errorOf(response)).toMatch(/nobody\/nothing-here/);
    // The valid name in the same request was not added twice or removed.
    const watched = (await (await admin("GET", "/repositories")).json()) as { repositories: string[] };
    expect(watched.repositories).toHaveLength(5);
  });

  it("scan of unwatched repository gets 404", async () => {
    const response = await admin("POST", "/scans", JSON.stringify({ repositories: ["nobody/nothing-here"] }));
    expect(response.status).toBe(404);
    expect(await errorOf(response)).toMatch(/not watched/);
  });

  it("scan with issue numbers needs one repository", async () => {
    const response = await admin(
      "POST",
      "/scans",
      JSON.stringify({ repositories: ["golang/go", "scikit-learn/scikit-learn"], issueNumbers: [1] }),
    );
    expect(response.status).toBe(400);
    expect(await errorOf(response)).toMatch(/issueNumbers/);
  });

  it("invalid subscriber keeps the stored one", async () => {
    const response = await admin(
      "PUT",
      "/subscribers/py-docs",
      JSON.stringify({
        name: "x",
        channels: [{ type: "email", to: "a@example.com" }],
        timezone: "Mars/Olympus",
      }),
    );
    expect(response.status).toBe(400);
    expect(await errorOf(response)).toMatch(/timezone/);
    const list = (await (await admin("GET", "/subscribers")).json()) as {
      subscribers: { id: string; timezone: string }[];
    };
    expect(list.subscribers.find((subscriber) => subscriber.id === "py-docs")?.timezone).toBe(
      "Europe/Berlin",
    );
  });

  it("repository names take GitHub's spelling", async () => {
    const response = await admin(
      "POST",
      "/repositories",
      JSON.stringify({ repositories: ["GOLANG/GO", "golang/go"] }),
    );
    expect(response.status).toBe(201);
    expect(await response.json()).toMatchObject({ watched: 1, added: 0, repositories: ["golang/go"] });
  });

  it("non-http channel URL gets 400", async () => {
    const response = await admin(
      "PUT",
      "/subscribers/bad-url",
      JSON.stringify({
        name: "x",
        channels: [{ type: "webhook", url: "file:///etc/passwd", secret: "a-secret-of-sixteen+" }],
        timezone: "UTC",
      }),
    );
    expect(response.status).toBe(400);
    expect(await errorOf(response)).toMatch(/channels\.0\.url: must be an http/);
    expect((await admin("GET", "/subscribers/bad-url")).status).toBe(404);
  });

  it("unknown subscriber field gets 400", async () => {
    const response = await admin(
      "PUT",
      "/subscribers/typo",
      JSON.stringify({
        name: "x",
        channels: [{ type: "email", to: "a@example.com" }],
        timezone: "UTC",
        digesthour: 7,
      }),
    );
    expect(response.status).toBe(400);
    expect(await errorOf(response)).toMatch(/digesthour/);
  });

  it("subscriber by id", async () => {
    const response = await admin("GET", "/subscribers/py-docs");
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ id: "py-docs", timezone: "Europe/Berlin" });
  });

  it("digest for unknown subscriber gets 404", async () => {
    const response = await admin("POST", "/digests", JSON.stringify({ subscriberIds: ["nobody"] }));
    expect(response.status).toBe(404);
    expect(await errorOf(response)).toMatch(/nobody/);
  });

  it("sweep needs no body", async () => {
    const response = await admin("POST", "/sweeps");
    expect(response.status).toBe(202);
    expect(await response.json()).toHaveProperty("workflowRunId");
  });

  it("stats include duplicate counts", async () => {
    const response = await admin("GET", "/stats");
    expect(response.status).toBe(200);
    const body = (await response.json()) as { scans: number; duplicates: Record<string, number> };
    expect(body.scans).toBeGreaterThan(0);
    expect(Object.keys(body.duplicates).sort()).toEqual([
      "analysis",
      "notification",
      "scan",
      "webhook-delivery",
    ]);
  });

  it("GitHub failure during watch gets 502", async () => {
    stack.github.setFaults({ badGatewayRate: 1 });
    try {
      const response = await admin("POST", "/repositories", JSON.stringify({ repositories: ["cli/cli"] }));
      expect(response.status).toBe(502);
      expect(await errorOf(response)).toMatch(/GitHub failed, so none was added/);
    } finally {
      stack.github.setFaults({});
    }
    const watched = (await (await admin("GET", "/repositories")).json()) as { repositories: string[] };
    expect(watched.repositories).not.toContain("cli/cli");
  });

  it("run lookup finds a scan", async () => {
    const started = await admin("POST", "/scans", JSON.stringify({ repositories: ["golang/go"] }));
    expect(started.status).toBe(202);
    const { workflowRunId } = (await started.json()) as { workflowRunId: string };
    const response = await admin("GET", `/runs/${workflowRunId}`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ workflowRunId });
  });

  it("unknown run gets 404", async () => {
    const response = await admin("GET", "/runs/wfr_does-not-exist");
    expect(response.status).toBe(404);
  });

  it("unknown route gets 404", async () => {
    const response = await admin("GET", "/no-such-thing");
    expect(response.status).toBe(404);
    expect(await errorOf(response)).toMatch(/no admin route/);
  });
});
