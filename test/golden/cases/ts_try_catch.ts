import { members, send, type Message } from "thwonk";

export const rule = "g";

export function onMessage(m: Message) {
  try {
    for (const member of members) {
      send({ to: member, subject: m.subject, text: m.text });
    }
  } catch (e) {
    throw e;
  }
}
