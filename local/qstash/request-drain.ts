/**
 * Counts the HTTP requests the server is still handling, so that closing the server can wait for them
 * before it closes Redis. Closing the sockets does not stop a running handler, and a handler that
 * loses Redis halfway leaves half-written state, for example a workflow run marked ended whose
 * invoking run was never notified.
 */
import type { MiddlewareHandler } from "hono";

export interface RequestDrain {
  /** Hono middleware that counts each request from its start to its response. */
  middleware: MiddlewareHandler;
  /** Resolves true once no request is being handled, or false after `timeoutMs`. */
  waitForIdle(timeoutMs: number): Promise<boolean>;
}

export function createRequestDrain(): RequestDrain {
  let active = 0;
  const idleWaiters = new Set<() => void>();

  return {
    async middleware(_c, next) {
      active += 1;
      try {
        await next();
      } finally {
        active -= 1;
        if (active === 0) for (const resolve of idleWaiters) resolve();
      }
    },

    waitForIdle(timeoutMs) {
      if (active === 0) return Promise.resolve(true);
      return new Promise<boolean>((resolve) => {
        const done = (idle: boolean) => {
          clearTimeout(timer);
          idleWaiters.delete(onIdle);
          resolve(idle);
        };
        const onIdle = () => done(true);
        const timer = setTimeout(() => done(false), timeoutMs);
        idleWaiters.add(onIdle);
      });
    },
  };
}
