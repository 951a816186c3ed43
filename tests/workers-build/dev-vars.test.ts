import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { unstable_getVarsForDev } from "wrangler";
import { parseStackConfig } from "../../local/config.js";
import { buildDevVars, formatDevVars, writeDevVars } from "../../local/dev-vars.js";
import { parseConfig } from "../../shared/config.js";

let directory: string;

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), "radar-dev-vars-"));
});

afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

describe("dev vars", () => {
  it("default stack gives local URLs", () => {
    const vars = buildDevVars(parseStackConfig({}), 8788);

    expect(vars.APP_BASE_URL).toBe("http://127.0.0.1:8788");
    expect(vars.QSTASH_URL).toBe("http://127.0.0.1:8080");
    expect(vars.UPSTASH_REDIS_REST_URL).toBe("http://127.0.0.1:8079");
    expect(vars.GITHUB_GRAPHQL_URL).toBe("http://127.0.0.1:8081");
    expect(vars.MODEL_BASE_URL).toBe("http://127.0.0.1:8082/v1");
    expect(vars.RESEND_BASE_URL).toBe("http://127.0.0.1:8083/resend");
    expect(vars.REDIS_KEY_PREFIX).toBe("local:radar:");
  });

  it("vars form a valid app config", () => {
    for (const analyser of ["heuristic", "model"] as const) {
      const vars = buildDevVars(parseStackConfig({ ANALYSER: analyser }), 8788);
      const config = parseConfig(vars);

      expect(config.appBaseUrl).toBe("http://127.0.0.1:8788");
      expect(config.analysis.analyser).toBe(analyser);
      expect(config.qstash.currentSigningKey).not.toBe("");
      expect(config.qstash.nextSigningKey).not.toBe("");
    }
  });

  it("IPv6 host is bracketed", () => {
    const vars = buildDevVars(parseStackConfig({ LOCAL_HOST: "::1" }), 9000);
    expect(vars.APP_BASE_URL).toBe("http://[::1]:9000");
    expect(parseConfig(vars).appBaseUrl).toBe("http://[::1]:9000");
  });

  it("wrangler reads written file", async () => {
    const vars = buildDevVars(parseStackConfig({}), 8788);
    const configPath = join(directory, "wrangler.toml");
    await writeFile(
      configPath,
      'name = "dev-vars-test"\nmain = "worker.js"\ncompatibility_date = "2026-04-01"\n',
    );
    await writeDevVars(join(directory, ".dev.vars"), vars);

    const bindings = unstable_getVarsForDev(configPath, undefined, {}, undefined, true);

    const read = Object.fromEntries(
      Object.entries(bindings).map(([name, binding]) => [name, "value" in binding ? binding.value : binding]),
    );
    expect(read).toEqual(vars);
    expect((await stat(join(directory, ".dev.vars"))).mode & 0o777).toBe(0o600);
  });

  it("port 0 is rejected", () => {
    expect(() => buildDevVars(parseStackConfig({ QSTASH_PORT: "0" }), 8788)).toThrow(
      "QSTASH_PORT must name a fixed port for .dev.vars, not 0; set it to the port the stack uses",
    );
    expect(() => buildDevVars(parseStackConfig({}), 0)).toThrow("WORKER_PORT must name a fixed port");
  });

  it("quote in value is rejected", () => {
    expect(() => formatDevVars({ ADMIN_TOKEN: 'abc"def' })).toThrow(
      "invalid value for ADMIN_TOKEN in .dev.vars: it contains a quote, backslash or line break",
    );
    expect(() => formatDevVars({ "lower-case": "x" })).toThrow('invalid .dev.vars name "lower-case"');
  });

  it("file starts with a comment", async () => {
    const path = join(directory, "formatted.vars");
    await writeDevVars(path, { A: "1", B_2: "two words" });
    expect(await readFile(path, "utf8")).toBe(
      '# Written by local/dev-vars.ts for `npm run dev:worker`; rewritten on every run.\nA="1"\nB_2="two words"\n',
    );
  });
});
