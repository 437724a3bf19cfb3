/**
 * The runtime catalog (TW5xxx): one entry per code the sandbox and the
 * compiled code raise, every message formats to words, and formatRuntimeError
 * turns a run's error into them. The golden suite cannot cover these codes
 * (no check of a program produces them); this file does.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { allMessages, runtimeMessages } from "../../compiler/diagnostics/catalog/index.js";
import { PRELUDE_ERRORS } from "../../contract/prelude.js";
import { sandboxMessages } from "../../runtime/sandbox/index.js";
import { formatRuntimeError } from "../../runtime/input/index.js";

/** Material for each entry, as the code that raises it passes it. */
const SAMPLES: Record<string, unknown[]> = {
  TW5001: [], TW5002: [32 * 2 ** 20], TW5003: [65536], TW5004: [1000], TW5005: ["TypeError: not a function"], TW5006: ["worker exited"],
  TW5010: [], TW5011: [], TW5012: ["lastPost", 5000, 5001], TW5013: ["ann@example.org", 1000], TW5014: [100], TW5015: ["index.html", 1_000_000],
  TW5016: ["../etc/passwd"], TW5017: ["`message` is not an object"], TW5018: ["every hour"],
  TW5020: ["its subject", "subject", 612, 500, "characters", 2000], TW5021: [1200, 1000, 100000], TW5022: ["line 3", "\"x\" is not an e-mail address"],
  TW5023: ["Mars/Olympus"], TW5024: ["its address \"x\" is not an e-mail address"],
  TW5030: [3, 4],
  TW5025: ["its From address", 400, 320],
  TW5070: ['state.bumps: expected int, got "lots"'],
  TW5050: [],
};

test("every runtime entry is in the catalog, in the TW5xxx band, and formats to a sentence", () => {
  const entries = Object.values(runtimeMessages);
  for (const m of entries) {
    assert.match(m.code, /^TW5\d{3}$/);
    assert.ok(allMessages.includes(m), `${m.code} is in allMessages`);
    const args = SAMPLES[m.code];
    assert.ok(args, `a sample for ${m.code}`);
    const text = (m.format as (...a: unknown[]) => string)(...args);
    assert.doesNotMatch(text, /undefined|NaN|\[object/, `${m.code}: ${text}`);
    assert.match(text, /[.!]$/, `${m.code} ends a sentence: ${text}`);
  }
  assert.deepEqual(Object.keys(SAMPLES).sort(), entries.map((m) => m.code).sort(), "a sample for every entry, and no sample without one");
});

test("every error the compiled code raises has an entry (PRELUDE_ERRORS, and TW5018 from the driver)", () => {
  const codes = new Set(Object.values(runtimeMessages).map((m) => m.code));
  for (const code of [...Object.values(PRELUDE_ERRORS), "TW5018"]) assert.ok(codes.has(code), code);
});

test("TW5001–TW5006 mean what the sandbox means: same keys, same codes, same material", () => {
  for (const [key, m] of Object.entries(sandboxMessages)) {
    const ours = runtimeMessages[key as keyof typeof runtimeMessages];
    assert.ok(ours, `runtimeMessages.${key}`);
    assert.equal(ours.code, m.code, key);
    assert.equal(ours.format.length, m.format.length, `${key} takes the same arguments`);
  }
});

test("formatRuntimeError: a prelude error with its material and its .thwonk position", () => {
  const e = formatRuntimeError({ code: "TW5012", args: ["lastPost", 5000, 5001], line: 14, column: 3 }, "once_a_day.thwonk");
  assert.deepEqual(e, {
    code: "TW5012",
    title: "State over its max",
    message:
      "`state.lastPost` would grow to 5,001, over its declared `max 5000` (entries for a list or map, characters for a string). Nothing the rule did in this run takes effect. Remove old entries before adding new ones, or raise its `max` in the `state` block.",
    file: "once_a_day.thwonk",
    line: 14,
    column: 3,
  });
  assert.match(formatRuntimeError({ code: "TW5010", args: [], line: 2, column: 9 }, "r.thwonk").message, /divided by zero/);
});

test("formatRuntimeError: a limit the code passes is shown as the rule declares it", () => {
  const e = formatRuntimeError({ code: "TW5015", args: ["archive/index.html", 1_000_000], line: 30, column: 5 }, "archive.thwonk");
  assert.match(e.message, /larger than 1,000,000 characters, its `limits.page`/);
});

test("formatRuntimeError: a sandbox error keeps its words; no position becomes null", () => {
  const err = { code: "TW5004", message: sandboxMessages.timeLimit.format(1000) };
  assert.deepEqual(formatRuntimeError(err, "r.thwonk"), { code: "TW5004", title: "Time limit", message: err.message, file: "r.thwonk", line: null, column: null });
  const trig = formatRuntimeError({ code: "TW5018", args: ["every hour"], line: 0, column: 0 }, "r.thwonk");
  assert.equal(trig.line, null);
  assert.match(trig.message, /no trigger `every hour`/);
});

test("formatRuntimeError: a code this runtime does not know still gives words", () => {
  const e = formatRuntimeError({ code: "TW5999", args: [1, "x"], line: 3, column: 1 }, "r.thwonk");
  assert.equal(e.title, "Unknown runtime error");
  assert.match(e.message, /TW5999, which this runtime does not know \(\[1,"x"\]\)/);
});
