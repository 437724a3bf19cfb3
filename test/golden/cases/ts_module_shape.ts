import { members, send, type Message } from "thwonk";

export const rule = "g";

export const extra = 3;
send({ to: members, subject: "hi", text: "there" });

export function onMessage(m: Message) {
  send({ to: members, subject: m.subject, text: m.text });
}
