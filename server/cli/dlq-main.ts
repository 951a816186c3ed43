/** Entry point of `npm run dlq`; see `dlq.ts`. */
import { runDlqCli } from "./dlq.js";

process.exitCode = await runDlqCli(process.argv.slice(2), {
  out: (line) => console.log(line),
  err: (line) => console.error(line),
  env: process.env,
});
