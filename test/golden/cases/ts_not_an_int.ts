import { members, send, type Message } from "thwonk";

export const rule = "g";

export function onMessage(m: Message) {
  const half = 0.5;
  send({ to: members, subject: m.subject, text: m.text });
}
