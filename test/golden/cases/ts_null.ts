import { members, send, type Message } from "thwonk";

export const rule = "g";

export function onMessage(m: Message) {
  const x: string | undefined = null;
  send({ to: members, subject: m.subject, text: m.text });
}
