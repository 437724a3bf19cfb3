import { log, type Message } from "thwonk";

export const rule = "g";

const COMMA = ",";
const NOTHING = "";

export function onMessage(m: Message) {
  const sep = m.subject.trim();
  log(m.text.split(sep).join("|"));
  log(m.text.split("").join("|"));
  log(m.text.split(NOTHING).join("|"));
  // A non-empty literal, or a const holding one, splits as in JavaScript; `codePoints()` splits into characters.
  log(m.text.split(",").join("|") + m.text.split(COMMA).join("|") + m.text.codePoints().join("|"));
}
