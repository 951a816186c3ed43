/** `GET /v2/keys`: the signing keys. The qstash client's dev-mode probe checks this endpoint. */
import type { Hono } from "hono";
import type { CoreContext } from "../context.js";
import { badRequest } from "../errors.js";

export function registerKeyRoutes(app: Hono, context: CoreContext): void {
  app.get("/v2/keys", (c) =>
    c.json({ current: context.settings.currentSigningKey, next: context.settings.nextSigningKey }),
  );
  app.post("/v2/keys/rotate", () => {
    throw badRequest(
      "key rotation is not supported by the local server: restart it with --current-signing-key and --next-signing-key",
    );
  });
}
