import { log, Map, type Address, type int, type List, type Message } from "thwonk";

export const rule = "g";

export const state = { seen: new Map<Address, int, 10>() };

type Row = { k: int; n: string };

export function onMessage(m: Message) {
  const xs: List<int, 10> = [10, 9, 1];
  xs.sort();
  const ys = xs.toSorted();
  const rows: List<Row, 10> = [];
  const byK = rows.sortBy("k");
  log(`${m.subject.length} ${m.subject.slice(0, 2)} ${m.subject.indexOf("x")}`);
  log(`${m.text.at(0)} ${m.text.includes("x")} ${xs.includes(1)} ${xs.indexOf(1)} ${xs.at(-1)} ${xs.length}`);
  // What a rule writes instead, and the list's own `slice` and `join`, which mean what JavaScript means:
  log(`${m.subject.codePointLength} ${m.subject.codePointSlice(0, 2)} ${m.subject.codePointIndexOf("x") ?? -1} ${xs.sorted().slice(-2).join(",")}`);
  log(`${rows.sortedBy("k").size} ${ys.size} ${byK.size}`);
  // A map's keys() and values() are lists in a rule, iterators in JavaScript: walked, they agree.
  log(`${state.seen.keys().size} ${state.seen.values().join(",")}`);
  for (const k of state.seen.keys()) log(`${k}`);
  for (const v of state.seen.values()) log(`${v}`);
}
