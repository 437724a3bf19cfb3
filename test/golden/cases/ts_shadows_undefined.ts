import { log, members, send, type Message } from "thwonk";

export const rule = "g";

function f(undefined: number): number {
  return 1;
}

export function onMessage(m: Message) {
  const undefined = 5;
  log(`${f(undefined)}`);
  send({ to: members, subject: m.subject, text: m.text });
}
