import { log, members, send, type Message } from "thwonk";

export const rule = "g";

export function onMessage(m: Message) {
  // @ts-ignore
  const n: number = m.subject;
  /* @ts-expect-error: a number is not text */
  log(n);
  log("// @ts-ignore in a string is text");
  send({ to: members, subject: m.subject, text: m.text });
}
