/** Routes for URL groups (topics): `/v2/topics*`. */
import type { Hono } from "hono";
import { z } from "zod";
import { errorResponse, parseHttpUrl, readJsonBody } from "./http.js";
import { URL_GROUP_NAME_PATTERN, type UrlGroupStore } from "./url-group-store.js";

const httpUrl = z.string().refine((text) => parseHttpUrl(text) !== null, "expected an absolute http(s) URL");

const addBodySchema = z.object({
  endpoints: z.array(z.object({ name: z.string().min(1).optional(), url: httpUrl })).min(1),
});

const removeBodySchema = z.object({
  endpoints: z
    .array(
      z
        .object({ name: z.string().min(1).optional(), url: z.string().min(1).optional() })
        .refine((endpoint) => endpoint.name !== undefined || endpoint.url !== undefined, "set name or url"),
    )
    .min(1),
});

export function registerUrlGroupRoutes(app: Hono, { urlGroups }: { urlGroups: UrlGroupStore }) {
  const invalidName = (name: string) =>
    `invalid URL group name "${name}": use 1-256 letters, digits, "-", "_" or "."`;

  app.post("/v2/topics/:name/endpoints", async (c) => {
    const name = c.req.param("name");
    if (!URL_GROUP_NAME_PATTERN.test(name)) return errorResponse(c, 400, invalidName(name));
    const parsed = await readJsonBody(c, addBodySchema);
    if (!parsed.ok) return errorResponse(c, 400, parsed.message);
    await urlGroups.addEndpoints(name, parsed.value.endpoints);
    return c.body(null, 200);
  });

  app.delete("/v2/topics/:name/endpoints", async (c) => {
    const name = c.req.param("name");
    const parsed = await readJsonBody(c, removeBodySchema);
    if (!parsed.ok) return errorResponse(c, 400, parsed.message);
    if ((await urlGroups.get(name)) === null) return errorResponse(c, 404, `url group ${name} not found`);
    await urlGroups.removeEndpoints(name, parsed.value.endpoints);
    return c.body(null, 200);
  });

  app.get("/v2/topics", async (c) => c.json(await urlGroups.list()));

  app.get("/v2/topics/:name", async (c) => {
    const name = c.req.param("name");
    const group = await urlGroups.get(name);
    return group === null ? errorResponse(c, 404, `url group ${name} not found`) : c.json(group);
  });

  app.delete("/v2/topics/:name", async (c) => {
    const name = c.req.param("name");
    if (!(await urlGroups.delete(name))) return errorResponse(c, 404, `url group ${name} not found`);
    return c.body(null, 200);
  });
}
