import { members, send, type Message } from "thwonk";

export const rule = "g";

function countdown(n: number): number {
  if (n <= 0) {
    return 0;
  }
  return countdown(n - 1);
}

function ping(n: number): number {
  return pong(n);
}

function pong(n: number): number {
  return ping(n - 1);
}

export function onMessage(m: Message) {
  send({ to: members, subject: m.subject, text: `${ping(3)}` });
}
