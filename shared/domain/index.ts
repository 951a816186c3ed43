export * from "./analysis.js";
export * from "./issue.js";
export * from "./notification.js";
export * from "./opportunity.js";
export * from "./repository.js";
export * from "./subscriber.js";
