import { members, send, type Message, type Time } from "thwonk";

export const rule = "g";

export const state = {
  last: undefined as Time | undefined,
  titles: [],
};

export function onMessage(m: Message) {
  send({ to: members, subject: m.subject, text: m.text });
}
