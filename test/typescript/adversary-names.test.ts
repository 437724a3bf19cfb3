/**
 * Names a `.ts` rule has that the core does not: `onMessage` (lowered to
 * the trigger `on message`) and the TypeScript-only helpers of "thwonk"
 * (`days`, `time`, `email`, `every`, `List`, `Map`, read where they are
 * called). Used any other way, they were passed on as names and the core
 * said "`onMessage` is not defined" (TW2010) of a function the rule plainly
 * defines. Each is refused at its place with what the subset allows.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { refusedAt } from "./adversary-harness.js";

const rule = (line: string): string => `import { days, email, every, List, log, time, type Message } from "thwonk";
export const rule = "adv";
export function onMessage(m: Message) {
  ${line} // here
  log(m.subject);
}
`;

test("calling onMessage from the rule is TW7012 at the call, not 'onMessage is not defined'", () => {
  const d = refusedAt(rule("onMessage(m);"), "TW7012", "// here");
  assert.match(d.message, /the rule's message trigger/);
  assert.equal(d.span.col, 3);
});

test("the TypeScript-only helpers as values are TW7018 at the name", () => {
  for (const [line, col] of [["const d = days;", 13], ["const e = every;", 13], ["const L = List;", 13], ["const t = time;", 13], ["const a = email;", 13]] as const) {
    const d = refusedAt(rule(line), "TW7018", "// here");
    assert.equal(d.span.col, col, line);
  }
});

test("the rule's `rule` and `settings` read in its code are TW7012 at the name, not 'not defined'", () => {
  for (const [line, col] of [["log(rule);", 7], ["log(settings.timezone);", 7]] as const) {
    const src = rule(line).replace('export const rule = "adv";', 'export const rule = "adv";\nexport const settings = { timezone: "Europe/Paris" };');
    const d = refusedAt(src, "TW7012", "// here");
    assert.equal(d.span.col, col, line);
  }
});
