/**
 * Dispatch features of the local QStash server: queues, flow control, schedules and URL groups.
 * The core mounts them through `createDispatchFeatures(context)`. All state lives in Redis under
 * `context.keyPrefix`, so a restarted server loses nothing and several servers can share one Redis.
 */
import type { DispatchFeatures, ServerContext } from "../contracts.js";
import { registerFlowControlRoutes } from "./flow-control-routes.js";
import { createFlowControlStore } from "./flow-control-store.js";
import { createLaneGate, type GateOptions, resolveGateOptions } from "./gate.js";
import { registerQueueRoutes } from "./queue-routes.js";
import { createQueueStore } from "./queue-store.js";
import { registerScheduleRoutes } from "./schedule-routes.js";
import { createScheduleStore } from "./schedule-store.js";
import { createScheduler, type SchedulerOptions } from "./scheduler.js";
import { registerUrlGroupRoutes } from "./url-group-routes.js";
import { createUrlGroupStore } from "./url-group-store.js";

export { CronExpressionError, type ParsedCron, parseCron } from "./cron.js";
export {
  DEFAULT_RATE_PERIOD_SECONDS,
  type FlowControlValue,
  FlowControlValueError,
  parseFlowControlValue,
} from "./flow-control-value.js";
export type { GateOptions } from "./gate.js";
export { createScheduleStore } from "./schedule-store.js";
export { createScheduler, type Scheduler, type SchedulerOptions } from "./scheduler.js";

export interface DispatchOptions {
  gate?: GateOptions;
  scheduler?: SchedulerOptions;
}

/** Builds the dispatch features of one server instance. Options are checked here, once. */
export function createDispatchFeatures(
  context: ServerContext,
  options: DispatchOptions = {},
): DispatchFeatures {
  const gateOptions = resolveGateOptions(options.gate);
  const gate = createLaneGate(context, gateOptions);
  const queues = createQueueStore(context);
  const flowControls = createFlowControlStore(context);
  const schedules = createScheduleStore(context);
  const urlGroups = createUrlGroupStore(context);
  const resolveUrlGroup = async (name: string) => (await urlGroups.get(name))?.endpoints ?? null;

  return {
    gate: { acquire: gate.acquire, release: gate.release },

    registerRoutes(app, { acceptPublish }) {
      registerQueueRoutes(app, { queues, acceptPublish, resolveUrlGroup });
      registerFlowControlRoutes(app, {
        flowControls,
        globalParallelismMax: gateOptions.globalParallelismMax,
      });
      registerScheduleRoutes(app, { schedules });
      registerUrlGroupRoutes(app, { urlGroups });
    },

    resolveUrlGroup,

    startScheduler(acceptPublish) {
      return createScheduler(
        { context, store: schedules, acceptPublish, resolveUrlGroup },
        options.scheduler,
      ).start();
    },

    onMessageAccepted: gate.recordAccepted,

    async onMessageFinished(subject, outcome) {
      await gate.recordFinished(subject);
      if (subject.scheduleId !== undefined && outcome !== undefined) {
        await schedules.setMessageState(
          subject.scheduleId,
          subject.messageId,
          outcome === "delivered" ? "SUCCESS" : "FAIL",
        );
      }
    },
  };
}
