export {
  type DeliverDependencies,
  type DeliveryOutcome,
  deliverPlanned,
  dependencyOf,
} from "./deliver.js";
export { type NotifyRequest, type PlannedDelivery, planNotificationRun } from "./plan-run.js";
