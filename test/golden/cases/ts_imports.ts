import { readFileSync } from "node:fs";
import { members, send, type Message } from "thwonk";

export const rule = "g";

export function onMessage(m: Message) {
  const fs = require("node:fs");
  const mod = import("./other.js");
  send({ to: members, subject: m.subject, text: m.text });
}
