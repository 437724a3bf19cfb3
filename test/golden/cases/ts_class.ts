import { members, send, type Message } from "thwonk";

export const rule = "g";

class Counter {
  n = 0;
}

export function onMessage(m: Message) {
  send({ to: members, subject: m.subject, text: m.text });
}
