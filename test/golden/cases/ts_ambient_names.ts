import { members, send, type Message } from "thwonk";

export const rule = "g";

export function onMessage(m: Message) {
  globalThis.x = 1;
  const env = process.env;
  const t = Date.now();
  const r = Math.random();
  send({ to: members, subject: m.subject, text: m.text });
}
