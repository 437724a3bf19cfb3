import { members, send, type Message } from "thwonk";

export const rule = "g";

export function onMessage(m: Message) {
  const text = m.text as any;
  const n: unknown = 3;
  send({ to: members, subject: m.subject!, text: text });
}
