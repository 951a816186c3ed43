/**
 * Loads a subscribers file: a JSON array of subscribers in the admin API's format. The placeholder
 * `{{SINKS_URL}}` in any string is replaced by the local sink server's URL, so the sample file works
 * whatever port the sinks run on.
 */
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { type Subscriber, SubscriberSchema } from "../../shared/domain/index.js";

export const SAMPLE_SUBSCRIBERS_FILE = fileURLToPath(new URL("./sample-subscribers.json", import.meta.url));

export async function loadSubscribers(file: string, sinksUrl: string): Promise<Subscriber[]> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    throw new Error(`cannot read subscribers file ${file}: ${(error as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text.replaceAll("{{SINKS_URL}}", sinksUrl));
  } catch (error) {
    throw new Error(`subscribers file ${file} is not valid JSON: ${(error as Error).message}`);
  }
  const parsed = z.array(SubscriberSchema).min(1, "expected at least one subscriber").safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`invalid subscribers file ${file} at [${issue?.path.join(".")}]: ${issue?.message}`);
  }
  return parsed.data;
}
