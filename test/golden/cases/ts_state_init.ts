import { members, send, type Message } from "thwonk";

export const rule = "g";

export const state = {
  titles: [],
  name: "",
};

export function onMessage(m: Message) {
  send({ to: members, subject: m.subject, text: m.text });
}
