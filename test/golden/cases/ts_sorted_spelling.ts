// A core message about sorting speaks the .ts spelling: `sorted()` and `sortedBy(...)`, never `sort()`.
import { log, type Message } from "thwonk";

export const rule = "sorted_spelling";
export const limits = { members: 10, fanout: 10 };

export function onMessage(m: Message): void {
  const byType = m.attachments.sorted();
  const words = m.subject.split(" ").sortedBy("x");
  log(`${byType.size} ${words.size}`);
}
