import { members, send, type Message } from "thwonk";

export const rule = "g";

export function onMessage(m: Message) {
  const long = m.text.codePointLength > 100 ? "long" : "short";
  switch (long) {
    case "long":
      break;
  }
  send({ to: members, subject: m.subject, text: m.text });
}
