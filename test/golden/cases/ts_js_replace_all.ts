import { log, members, send, type Message } from "thwonk";

export const rule = "g";

export function onMessage(m: Message) {
  const sep = ", ";
  log(m.subject.replaceAll("", "-"));
  log(m.subject.replaceAll(";", sep));
  log(m.subject.replaceAll(";", "$&$&"));
  log(m.subject.split(";").join(sep));
  send({ to: members, subject: m.subject, text: m.text.replaceAll("\r\n", "\n") });
}
