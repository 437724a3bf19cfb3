/**
 * The adversary's differential harness for `.ts` rules (as in
 * differential.test.ts): a rule compiled through the one entry and run in
 * the real sandbox, and the same source transpiled by TypeScript and run
 * by Node, with the stdlib's list and map members given the meaning their
 * names say; and a helper for a rule that must be refused with a code at
 * a line.
 */
import assert from "node:assert/strict";
import { runInNewContext } from "node:vm";
import { ts } from "ts-morph";
import { compileSource, type Diagnostic } from "../../compiler/index.js";
import { runBundle } from "../../runtime/run/run-rule.js";
import { handInput, ruleErrorWords } from "../helpers/run-input.js";

export const HEAD = `import { log, List, Map, type int, type Message, type Text } from "thwonk";
export const rule = "adv";
export const limits = { logs: 40 };
`;

/** The lines the sandbox logs for `source`'s `onMessage`, then the run's error code if it stopped. */
export async function sandbox(source: string): Promise<string[]> {
  const { bundle, diagnostics } = compileSource("adv.ts", source);
  const errors = diagnostics.filter((d) => d.severity === "error");
  assert.ok(bundle, `refused:\n${source}\n${errors.map((d) => `${d.span.line}:${d.span.col} ${d.code} ${d.message}`).join("\n")}`);
  const r = await runBundle(bundle, { trigger: "message", input: handInput({ limits: { members: 2, logs: 40, page: 20 } }), limits: { timeLimitMs: 30_000 } }, ruleErrorWords);
  const lines = r.actions.filter((a) => a.kind === "log").map((a) => String(a["text"]));
  return r.error ? [...lines, `error ${r.error.code}`] : lines;
}

const PRELUDE = `
  Object.defineProperty(Array.prototype, "size", { get() { return this.length; } });
  Array.prototype.first = function () { return this[0]; };
  Array.prototype.last = function () { return this[this.length - 1]; };
  Array.prototype.get = function (i) { return this[i]; };
  Array.prototype.contains = function (x) { return this.includes(x); };
  Array.prototype.copy = function () { return [...this]; };
  Object.defineProperty(String.prototype, "codePointLength", { get() { return [...this].length; } });
  String.prototype.codePointSlice = function (a, b) { return [...this].slice(a, b).join(""); };
  String.prototype.codePointIndexOf = function (x) { const i = this.indexOf(x); return i < 0 ? undefined : [...this.slice(0, i)].length; };
  String.prototype.contains = function (x) { return this.includes(x); };
  String.prototype.truncate = function (n) { return [...this].slice(0, n).join(""); };
  String.prototype.lower = function () { return this.toLowerCase(); };
  String.prototype.upper = function () { return this.toUpperCase(); };
  const List = Array;
  // The stdlib's Map as JavaScript's, walked by its keys, with \`remove\`.
  class Map extends globalThis.Map {
    remove(k) { this.delete(k); }
    [Symbol.iterator]() { return this.keys(); }
  }
  const exports = {};
`;

/** The lines JavaScript logs for the same source, transpiled by TypeScript and run by Node. */
export function javascript(source: string, globals: Record<string, unknown> = {}): string[] {
  const js = ts.transpileModule(source.replace(/^import .*$/m, ""), { compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.None } }).outputText;
  const lines: string[] = [];
  runInNewContext(`${PRELUDE}\n${js}\nexports.onMessage ?? onMessage`, { ...globals, log: (s: string) => lines.push(String(s)) })({ subject: "Hello", text: "Some text", from: "ann@example.org" });
  return lines;
}

/** HEAD + `top` + an `onMessage` of `body`: the sandbox logs what JavaScript logs. */
export async function same(body: string, top = ""): Promise<void> {
  await sameSource(`${HEAD}${top}\nexport function onMessage(_m: Message) {\n${body}\n}\n`);
}

/** A whole rule: the sandbox logs what JavaScript logs (`globals`: the stdlib's functions it calls besides `log`, for JavaScript). */
export async function sameSource(source: string, globals: Record<string, unknown> = {}): Promise<void> {
  const want = javascript(source, globals);
  assert.ok(want.length > 0, "the case logs nothing");
  assert.deepEqual(await sandbox(source), want, source);
}

/** Compiles `source`: no bundle, and an error with `code` on the line holding `marker`. */
export function refusedAt(source: string, code: string, marker: string): Diagnostic {
  const { bundle, diagnostics } = compileSource("adv.ts", source);
  assert.equal(bundle, undefined, `compiled:\n${source}`);
  const line = source.split("\n").findIndex((l) => l.includes(marker)) + 1;
  assert.ok(line > 0, `marker ${marker} not in the text`);
  const d = diagnostics.find((x) => x.code === code && x.span.line === line && x.severity === "error");
  assert.ok(d, `no ${code} on line ${line}; got ${diagnostics.map((x) => `${x.span.line}:${x.span.col} ${x.code} ${x.message}`).join(" | ")}`);
  return d;
}
