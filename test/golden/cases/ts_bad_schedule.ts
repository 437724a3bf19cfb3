import { every, members, send, time, type Message } from "thwonk";

export const rule = "g";

every("fortnight at noon", () => {
  send({ to: members, subject: "hi", text: "there" });
});

export function onMessage(m: Message) {
  const t = time("2026-13-45");
  send({ to: members, subject: m.subject, text: m.text });
}
