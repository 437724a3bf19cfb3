import { log, List, type int, type Message } from "thwonk";

export const rule = "g";
export const state = { queue: new List<int, 10>() };

function enqueue(n: int) {
  if (state.queue.size < 10) {
    state.queue.push(n);
  }
}

export function onMessage(m: Message) {
  for (const n of state.queue) {
    // JavaScript's loop would walk what enqueue adds as well.
    enqueue(n + 1);
  }
  log(m.subject);
}
