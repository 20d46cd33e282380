import http from "node:http";
import type { AddressInfo } from "node:net";

export type WebhookMessage = { at: number; text: string; alertId: string | null; escalation: boolean };

/**
 * The alert webhook's receiver (a Slack channel stand-in): keeps every message it accepted. While
 * dead it answers 500 to everything, like a revoked or broken incoming webhook.
 */
export async function startWebhookReceiver(now: () => number) {
  let dead = false;
  let refused = 0;
  const messages: WebhookMessage[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      if (dead) {
        refused++;
        res.writeHead(500).end("webhook is gone");
        return;
      }
      const text = String((JSON.parse(Buffer.concat(chunks).toString() || "{}") as { text?: string }).text ?? "");
      const alertId = text.match(/alerts\?id=([0-9a-f-]{36})/)?.[1] ?? null;
      messages.push({ at: now(), text, alertId, escalation: text.startsWith("⏫") });
      res.writeHead(200).end("ok");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    messages,
    get refused() {
      return refused;
    },
    setDead(value: boolean) {
      dead = value;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
