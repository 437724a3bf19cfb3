import { log, members, send, type Message } from "thwonk";

export const rule = "g";

type R = { n: number };

export function onMessage(m: Message) {
  const r: R = { n: 1, __proto__: 2 };
  const s = { "__proto__": r };
  log(`${r.n}`);
  send({ to: members, subject: m.subject, text: m.text });
}
