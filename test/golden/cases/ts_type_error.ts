import { members, send, type Message } from "thwonk";

export const rule = "g";

export function onMessage(m: Message) {
  const n: number = m.subject;
  send({ to: members, subject: m.subject, text: m.text });
}
