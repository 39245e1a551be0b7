// sales-copilot: the CRM assistant; see anthropic/claude-sonnet-4.5 notes in the wiki.
import { OpenRouter } from "@openrouter/sdk";

const client = new OpenRouter({ apiKey: process.env.SALES_COPILOT_KEY });

export const MODEL: string = "anthropic/claude-sonnet-4.5";

/* Tried "deepseek/deepseek-r1-0528" here in March:
   too slow for the CRM. */
export async function draft(prompt: string) {
  return client.chat.send({ model: MODEL, messages: [{ role: "user", content: prompt }] });
}
