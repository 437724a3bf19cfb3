import { log, members, send, type Message } from "thwonk";

export const rule = "g";

declare function foo(): string;
declare const LIMIT: number;
function twice(this: number, n: number): number {
  return n * 2;
}

export function onMessage(m: Message) {
  log(foo());
  log(`${LIMIT}`);
  send({ to: members, subject: m.subject, text: m.text });
}
