export { digestDeliveryId, notificationId } from "./ids.js";
export { localDay, localHour } from "./local-time.js";
export {
  isDigestDue,
  type NotificationPlan,
  type PlanInput,
  type PlanSubscriber,
  planNotifications,
} from "./plan.js";
