import { log, members, send, type Message } from "thwonk";

export const rule = "g";

export function onMessage(m: Message) {
  const name = m.subject.replace("\"", "");
  send({ to: members, subject: name, text: m.text.replaceAll("\r", "") });
}
