/**
 * The shape of a `.ts` rule's top level, against text that once slipped
 * through: a schedule string with more after the schedule (read by the
 * .thwonk parser, which took the first declaration and dropped the rest)
 * and an `onMessage` with a second parameter (dropped without a word).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { compileSource } from "../../compiler/index.js";
import { refusedAt } from "./adversary-harness.js";

const HEAD = `import { every, log, type Message } from "thwonk";\nexport const rule = "adv";\n`;

test("a schedule followed by more text, or holding a comment, is not a schedule (TW7017 on its string)", () => {
  for (const text of ["day at 00:00 {} every hour", "hour {} on message(m: Message) {}", "hour /* every 2h */", "2h {}"]) {
    const src = `${HEAD}every(${JSON.stringify(text)}, () => { log("a"); }); // here\n`;
    const d = refusedAt(src, "TW7017", "// here");
    assert.equal(d.span.col, 7, text);
  }
});

test("the schedules that read are still triggers, one each", () => {
  const src = `${HEAD}every("day at 00:00", () => { log("a"); });\nevery("monday at 09:30", () => { log("b"); });\nevery("2h", () => { log("c"); });\n`;
  const { bundle, diagnostics } = compileSource("adv.ts", src);
  assert.ok(bundle, diagnostics.map((d) => `${d.code} ${d.message}`).join("\n"));
  assert.deepEqual(
    bundle.manifest.triggers.map((t) => t.name),
    ["every day at 00:00", "every monday at 09:30", "every 2h"],
  );
});

test("onMessage with a second parameter is refused at that parameter (TW7012)", () => {
  const src = `${HEAD}export function onMessage(m: Message, extra: Message) { // here\n  log(m.subject);\n}\n`;
  const d = refusedAt(src, "TW7012", "// here");
  assert.equal(d.span.col, src.split("\n")[2]!.indexOf("extra") + 1);
});

test("a file without `export const rule` is told so in TypeScript's words (TW7012 at 1:1), not .thwonk's `rule NAME`", () => {
  for (const text of ["", 'import "thwonk";\n', 'import { log, type Message } from "thwonk";\nexport function onMessage(m: Message) {\n  log(m.subject);\n}\n']) {
    const { bundle, diagnostics } = compileSource("adv.ts", text);
    assert.equal(bundle, undefined);
    const d = diagnostics.find((x) => x.code === "TW7012");
    assert.ok(d, diagnostics.map((x) => `${x.code} ${x.message}`).join(" | "));
    assert.deepEqual([d.span.line, d.span.col], [1, 1]);
    assert.match(d.message, /export const rule = "/);
    assert.ok(!diagnostics.some((x) => x.code === "TW2002"), "the core's `rule NAME` advice is not added");
  }
});

test("`rule` or `state` declared without `export` is refused where it stands", () => {
  const src = `${HEAD.replace('export const rule = "adv";', 'const rule = "adv"; // here')}export function onMessage(m: Message) {\n  log(m.subject);\n}\n`;
  refusedAt(src, "TW7012", "// here");
});
