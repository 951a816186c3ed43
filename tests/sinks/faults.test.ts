import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type SinkFaults, type SinkServer, startSinkServer } from "../../local/sinks/index.js";

let sink: SinkServer;

beforeAll(async () => {
  sink = await startSinkServer();
});

afterAll(async () => {
  await sink.close();
});

beforeEach(async () => {
  sink.setFaults(null);
  await sink.clear();
});

function postWebhook(name: string, body: unknown = { n: 1 }): Promise<Response> {
  return fetch(`${sink.url}/webhooks/${name}`, { method: "POST", body: JSON.stringify(body) });
}

/** Sends `count` webhooks one after another and returns their statuses in order. */
async function statusPattern(count: number): Promise<number[]> {
  const statuses: number[] = [];
  for (let i = 0; i < count; i += 1) {
    const response = await postWebhook("pattern", { i });
    await response.arrayBuffer();
    statuses.push(response.status);
  }
  return statuses;
}

describe("sink fault injection", () => {
  it("full rate fails every request", async () => {
    sink.setFaults({ status: 500 });
    for (let i = 0; i < 3; i += 1) {
      const response = await postWebhook("down");
      expect(response.status).toBe(500);
      expect(await response.text()).toBe("injected fault: status 500");
    }
    expect(await sink.deliveries()).toEqual([]);
    const attempts = await sink.attempts({ target: "down" });
    expect(attempts).toHaveLength(3);
    expect(attempts.every((attempt) => attempt.outcome === "faulted" && attempt.status === 500)).toBe(true);
  });

  it("same seed repeats the pattern", async () => {
    const faults: SinkFaults = { status: 503, rate: 0.5, seed: 42 };
    sink.setFaults(faults);
    const first = await statusPattern(24);
    sink.setFaults(faults);
    const second = await statusPattern(24);

    expect(second).toEqual(first);
    expect(first).toContain(503);
    expect(first).toContain(200);

    sink.setFaults({ ...faults, seed: 7 });
    const otherSeed = await statusPattern(24);
    expect(otherSeed).not.toEqual(first);

    const delivered = first.filter((status) => status === 200).length;
    const attempts = await sink.attempts({ target: "pattern" });
    expect(attempts).toHaveLength(72);
    expect((await sink.deliveries({ target: "pattern" })).length).toBe(
      delivered +
        second.filter((status) => status === 200).length +
        otherSeed.filter((s) => s === 200).length,
    );
  });

  it("zero rate never faults", async () => {
    sink.setFaults({ status: 500, rate: 0 });
    expect(await statusPattern(10)).toEqual(Array.from({ length: 10 }, () => 200));
  });

  it("channel filter spares others", async () => {
    sink.setFaults({ status: 500, channel: "email" });
    const webhook = await postWebhook("spared");
    expect(webhook.status).toBe(200);

    const email = await fetch(`${sink.url}/resend/emails`, {
      method: "POST",
      headers: { authorization: "Bearer re_key", "content-type": "application/json" },
      body: JSON.stringify({ from: "a@example.com", to: "b@example.com", subject: "s", text: "t" }),
    });
    expect(email.status).toBe(500);
    expect(await email.json()).toEqual({
      statusCode: 500,
      message: "Injected fault.",
      name: "application_error",
    });
    const [attempt] = await sink.attempts({ channel: "email" });
    expect(attempt?.outcome).toBe("faulted");
    expect(attempt?.target).toBe("b@example.com");
  });

  it("rate limit fault sets retry-after", async () => {
    sink.setFaults({ status: 429, retryAfterSeconds: 3, channel: "slack" });
    const response = await fetch(`${sink.url}/slack/T1/C1`, {
      method: "POST",
      body: JSON.stringify({ text: "x" }),
    });
    expect(response.status).toBe(429);
    expect(response.headers.get("retry-after")).toBe("3");
    expect(await response.text()).toBe("rate_limited");
  });

  it("delay alone still delivers", async () => {
    sink.setFaults({ delayMs: 20 });
    const response = await postWebhook("slow");
    expect(response.status).toBe(200);
    const [delivery] = await sink.deliveries({ target: "slow" });
    expect(delivery?.outcome).toBe("delivered");
  });

  it("faults set over http", async () => {
    const invalid = await fetch(`${sink.url}/_sink/faults`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ status: 500, rate: 2 }),
    });
    expect(invalid.status).toBe(400);
    expect(((await invalid.json()) as { error: string }).error).toMatch(/^Invalid fault settings: rate/);

    const unknownField = await fetch(`${sink.url}/_sink/faults`, {
      method: "POST",
      body: JSON.stringify({ statusCode: 500 }),
    });
    expect(unknownField.status).toBe(400);

    const set = await fetch(`${sink.url}/_sink/faults`, {
      method: "POST",
      body: JSON.stringify({ status: 502, channel: "webhook" }),
    });
    expect(set.status).toBe(200);
    expect(((await set.json()) as { faults: { status: number; rate: number } }).faults).toMatchObject({
      status: 502,
      rate: 1,
    });
    expect((await postWebhook("http-faults")).status).toBe(502);

    const current = await (await fetch(`${sink.url}/_sink/faults`)).json();
    expect(current).toMatchObject({ faults: { status: 502, channel: "webhook" } });

    const cleared = await fetch(`${sink.url}/_sink/faults`, { method: "DELETE" });
    expect(cleared.status).toBe(200);
    expect((await postWebhook("http-faults")).status).toBe(200);
  });

  it("start options apply faults", async () => {
    const faulty = await startSinkServer({ faults: { status: 503, channel: "slack" } });
    try {
      const response = await fetch(`${faulty.url}/slack/T1/C1`, {
        method: "POST",
        body: JSON.stringify({ text: "x" }),
      });
      expect(response.status).toBe(503);
      expect(await response.text()).toBe("internal_error");
    } finally {
      await faulty.close();
    }
  });

  it("invalid start faults reject", async () => {
    await expect(startSinkServer({ faults: { status: 200 } })).rejects.toThrow(/status/);
  });
});
