import { members, send, type Message } from "thwonk";

export const rule = "g";

export function onMessage(m: Message) {
  const shout = (s: string): string => s.upper();
  function inner(): void {}
  send({ to: members, subject: shout(m.subject), text: m.text });
}
