/**
 * The Hono app of the local QStash server: authentication, JSON errors, and every route group.
 */
import { Hono, type MiddlewareHandler } from "hono";
import { bearerAuth } from "./auth.js";
import type { CoreContext } from "./context.js";
import { QStashHttpError } from "./errors.js";
import { registerDlqRoutes } from "./routes/dlq.js";
import { registerEventRoutes } from "./routes/events.js";
import { registerKeyRoutes } from "./routes/keys.js";
import { registerMessageRoutes } from "./routes/messages.js";
import { registerPublishRoutes } from "./routes/publish.js";
import { registerWaitNotifyRoutes } from "./routes/wait-notify.js";
import { registerWorkflowRoutes } from "./routes/workflows.js";

export interface AppOptions {
  /** Middleware run before authentication on every request, e.g. the request drain of `close`. */
  middleware?: MiddlewareHandler[];
}

export function createApp(context: CoreContext, options: AppOptions = {}): Hono {
  const app = new Hono();

  app.onError((error, c) => {
    if (error instanceof QStashHttpError) {
      context.logger.info(
        { method: c.req.method, path: c.req.path, status: error.status, error: error.message },
        "request rejected",
      );
      return c.json({ error: error.message }, error.status);
    }
    context.logger.error({ method: c.req.method, path: c.req.path, err: error }, "request failed");
    return c.json({ error: `internal error: ${error.message}` }, 500);
  });
  app.notFound((c) => c.json({ error: `endpoint ${c.req.method} ${c.req.path} not found` }, 404));

  for (const middleware of options.middleware ?? []) app.use("*", middleware);
  app.use("*", bearerAuth(context.settings.token));
  registerKeyRoutes(app, context);
  registerPublishRoutes(app, context);
  registerMessageRoutes(app, context);
  registerDlqRoutes(app, context);
  registerEventRoutes(app, context);
  registerWorkflowRoutes(app, context);
  registerWaitNotifyRoutes(app, context);
  context.dispatch.registerRoutes(app, { context, acceptPublish: context.acceptPublish });
  return app;
}
