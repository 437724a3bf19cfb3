import { members, send, type Message } from "thwonk";

export const rule = "g";

export function onMessage(m: Message) {
  let text = "";
  while (true) {
    text = text + m.subject;
  }
  for (let i = 0; i < 10; i++) {
    send({ to: members, subject: m.subject, text: m.text });
  }
  do {
    text = "";
  } while (text === "");
}
