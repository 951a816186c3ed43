export {
  createGitHubWebhookRoute,
  GITHUB_WEBHOOK_PATH,
  type GitHubWebhookEnqueue,
  type GitHubWebhookRouteOptions,
  type QueuedScan,
} from "./github-webhooks.js";
