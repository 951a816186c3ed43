/** Cloudflare Workers entry point. Bindings (vars and secrets) arrive as `env` on each request. */
import { createApp } from "./app.js";

export default createApp();
