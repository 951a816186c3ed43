/**
 * Dispatch features that grant every delivery at once and know no URL groups, queues or schedules.
 * Used when a server is started without the dispatch module (see `QStashServerOptions.dispatch`).
 */
import type { DispatchFeatures } from "./contracts.js";

export function createPassThroughDispatch(): DispatchFeatures {
  return {
    gate: {
      acquire: async () => ({ granted: true }),
      release: async () => {},
    },
    registerRoutes: () => {},
    resolveUrlGroup: async () => null,
    startScheduler: () => ({ stop: async () => {} }),
    onMessageAccepted: async () => {},
    onMessageFinished: async () => {},
  };
}
