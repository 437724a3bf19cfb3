import * as thwonk from "thwonk";
import { members as everyone, send, type Message } from "thwonk";

export const rule = "g";

export function onMessage(m: Message) {
  send({ to: everyone, subject: m.subject, text: m.text });
}
