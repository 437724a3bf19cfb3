/**
 * The TypeScript front end against JavaScript itself: a rule the compiler
 * accepts must mean what its TypeScript means. Each case is compiled
 * through the one entry and run in the real sandbox, and the same source is
 * transpiled by TypeScript and run by Node (in a fresh `vm` context, with
 * `log` collecting its lines and lists given the stdlib's `size`, `push`,
 * `first`); the lines logged must be the same. fast-check adds random int
 * and bool expressions (`%` and `/` on negatives, `===`, `&&`, `??`, unary
 * minus, templates); `/` is the one documented difference (it truncates),
 * so the JavaScript side reads it as `Math.trunc(a / b)`.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { runInNewContext } from "node:vm";
import fc from "fast-check";
import { ts } from "ts-morph";
import { compileSource } from "../../compiler/index.js";
import { runBundle } from "../../runtime/run/run-rule.js";
import { handInput, ruleErrorWords } from "../helpers/run-input.js";

const HEAD = `import { log, List, Map, type int, type Message } from "thwonk";
export const rule = "diff";
export const limits = { logs: 40 };
`;

/** The lines the sandbox logs for `source`'s `onMessage`, or the run's error code. */
async function sandbox(source: string): Promise<string[]> {
  const { bundle, diagnostics } = compileSource("diff.ts", source);
  const errors = diagnostics.filter((d) => d.severity === "error");
  assert.ok(bundle, `refused:\n${source}\n${errors.map((d) => `${d.span.line}:${d.span.col} ${d.code} ${d.message}`).join("\n")}`);
  const r = await runBundle(bundle, { trigger: "message", input: handInput({ limits: { members: 2, logs: 40, page: 20 } }), limits: { timeLimitMs: 30_000 } }, ruleErrorWords);
  if (r.error) return [`error ${r.error.code}`];
  return r.actions.filter((a) => a.kind === "log").map((a) => String(a["text"]));
}

/** The lines JavaScript logs for the same source, transpiled by TypeScript and run by Node. */
function javascript(source: string): string[] {
  const js = ts.transpileModule(source.replace(/^import .*$/m, ""), { compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.None } }).outputText;
  const lines: string[] = [];
  const prelude = `
    Object.defineProperty(Array.prototype, "size", { get() { return this.length; } });
    Array.prototype.first = function () { return this[0]; };
    // The TypeScript spellings of the stdlib's code-point and sorting members, as JavaScript defines what their names say.
    Object.defineProperty(String.prototype, "codePointLength", { get() { return [...this].length; } });
    String.prototype.codePointSlice = function (a, b) { return [...this].slice(a, b).join(""); };
    String.prototype.codePointIndexOf = function (x) { const i = this.indexOf(x); return i < 0 ? undefined : [...this.slice(0, i)].length; };
    String.prototype.codePoints = function () { return [...this]; };
    const byValue = (a, b) => (a < b ? -1 : a > b ? 1 : 0);
    Array.prototype.sorted = function () { return [...this].sort(byValue); };
    Array.prototype.sortedBy = function (f) { return [...this].sort((a, b) => byValue(a[f], b[f])); };
    const List = Array;
    // The stdlib's Map as JavaScript's, walked by its keys, with \`remove\`.
    class Map extends globalThis.Map {
      remove(k) { this.delete(k); }
      [Symbol.iterator]() { return this.keys(); }
    }
    const exports = {};
  `;
  runInNewContext(`${prelude}\n${js}\nexports.onMessage ?? onMessage`, { log: (s: string) => lines.push(String(s)) })({ subject: "Hello", text: "Some text" });
  return lines;
}

async function same(body: string, top = ""): Promise<void> {
  const source = `${HEAD}${top}\nexport function onMessage(_m: Message) {\n${body}\n}\n`;
  const want = javascript(source);
  assert.ok(want.length > 0, "the case logs nothing");
  assert.deepEqual(await sandbox(source), want, source);
}

test("ints: % and unary minus on negatives, comparisons, ++, --, += and -= mean what JavaScript means", async () => {
  await same(`
  let n = -7;
  n++;
  n -= 3;
  n += -2;
  n--;
  log(\`\${-7 % 2} \${7 % -2} \${-7 % -2} \${n} \${n % 5} \${-n} \${- -n} \${0 * -1} \${-0}\`);
  log(\`\${1 < 2} \${-1 <= -1} \${3 > 4} \${n >= n} \${n === -13} \${n !== -13}\`);`);
});

test("strings: +, +=, ===, <, templates, an escape and an astral character", async () => {
  await same(`
  let s = "a";
  s += "b";
  s = s + \`\${s}!\`;
  log(s);
  log(\`\${"a" < "B"} \${"é" < "z"} \${"ab" === "a" + "b"} \${"\\u00e9" === "é"} \${"😀".codePointLength} \${"x\\ty".codePointLength}\`);
  log(\`\${s === "abab!"}\${"\`"}\${"\${"}\`);
  log("a\\"b\\"c".replaceAll("\\"", "") + "x.y.z".replaceAll(".", "&"));`);
});

test("code points and sorting: the TypeScript spellings mean what their JavaScript definitions mean, on emoji too", async () => {
  await same(
    `
  const s = "a😀b👋🏽c";
  log(\`\${s.codePointLength} \${s.codePointSlice(1, 3)} \${s.codePointSlice(-2)} \${s.codePointIndexOf("b") ?? -1} \${s.codePointIndexOf("z") ?? -1}\`);
  log(s.codePoints().join("|") + " " + "x,y,,z".split(",").join("+") + " " + s.split(SEP).join("+"));
  const ns: List<int, 10> = [10, 9, 1, 100, -3];
  const sorted = ns.sorted();
  log(\`\${sorted.join(",")} \${ns.join(",")} \${ns.slice(1, -1).join(",")} \${ns.slice(-2).join(",")}\`);
  const words: List<string, 10> = ["b", "B", "é", "a", "😀", "z"];
  log(words.sorted().join(","));
  const rows: List<Row, 10> = [{ k: 3, n: "c" }, { k: 1, n: "a" }, { k: 3, n: "b" }, { k: 2, n: "d" }];
  let names = "";
  for (const r of rows.sortedBy("k")) names += r.n;
  log(names);`,
    `const SEP = "😀";\ntype Row = { k: int; n: string };\n`,
  );
});

test("shadowing, early return, if / else if, for … of with break and continue", async () => {
  await same(
    `
  const x = 1;
  if (x === 1) {
    const x = 2;
    log(\`inner \${x}\`);
  }
  log(\`outer \${x} \${pick(5)} \${pick(-5)} \${pick(0)}\`);
  const xs: List<int, 10> = [3, -1, 4, -1, 5, 9];
  let total = 0;
  for (const v of xs) {
    if (v < 0) continue;
    if (v > 5) break;
    total += v;
  }
  for (const v of xs) if (v === -1) {
    total -= 100;
  }
  log(\`\${total} \${xs.size}\`);`,
    `function pick(n: int): string {
  if (n > 0) {
    return "pos";
  } else if (n < 0) {
    return "neg";
  }
  return "zero";
}
`,
  );
});

test("records and lists: a record stored in two places, or changed through a loop variable, is one record in both", async () => {
  await same(
    `
let a: R = { n: 1, s: "x" };
let b = a;
b.n = 2;
b.n++;
b.s += "y";
const xs: List<R, 10> = [];
xs.push(a);
a.n += 10;
for (const r of xs) {
  const q = r;
  q.n = q.n * 2;
}
let first = 0;
const f = xs.first();
if (f !== undefined) {
  first = f.n;
}
log(\`\${a.n} \${a.s} \${b.n} \${first}\`);`,
    "type R = { n: int; s: string };\n",
  );
});

test("undefined, ?? and !== undefined", async () => {
  await same(
    `
  const none: int | undefined = undefined;
  const some: int | undefined = 0;
  log(\`\${none ?? 7} \${some ?? 7} \${none === undefined} \${some !== undefined} \${find(3) ?? -1} \${find(9) ?? -1}\`);`,
    `function find(n: int): int | undefined {
  const xs: List<int, 10> = [1, 3, 5];
  for (const x of xs) {
    if (x === n) {
      return x * 10;
    }
  }
  return undefined;
}
`,
  );
});

test("evaluation order and short circuits: &&, ||, ??, operands, arguments and += left to right, as in JavaScript", async () => {
  await same(
    `
  let t = 0;
  const a = said("a", true) || said("b", true);
  const b = said("c", false) && said("d", true);
  const c = maybe("e", 1) ?? maybe("f", 2);
  const d = maybe("g", -1) ?? maybe("h", 2);
  const e = two(n("i", 1), n("j", 2)) - n("k", 3) * n("l", 4);
  t += n("m", 5);
  log(\`\${a} \${b} \${c ?? 0} \${d ?? 0} \${e} \${t}\`);`,
    `function said(what: string, v: boolean): boolean {
  log(what);
  return v;
}
function maybe(what: string, v: int): int | undefined {
  log(what);
  if (v < 0) {
    return undefined;
  }
  return v;
}
function n(what: string, v: int): int {
  log(what);
  return v;
}
function two(x: int, y: int): int {
  return x * 10 + y;
}
`,
  );
});

test("names: the rule language's keywords, $ and non-ASCII letters, a loop variable shadowing a constant", async () => {
  await same(`
  const and = 1; const or = 2; const not = 3; const fn = 4; const on = 5; const where = 6; const max = 7; const none = 8;
  const $ = 10; const $$ = 20; const _$t = 30; const café = 100; const ŝ = 200;
  const x = 9;
  const xs: List<int, 5> = [1, 2];
  for (const x of xs) {
    log(\`\${x}\`);
  }
  log(\`\${x} \${and + or + not + fn + on + where + max + none} \${$ + $$ + _$t} \${café + ŝ}\`);`);
});

test("maps: insertion order kept through set, remove and set again, walked by keys and by entries", async () => {
  await same(`
  const mm = new Map<string, int, 5>();
  mm.set("b", 1);
  mm.set("a", 2);
  mm.set("c", 3);
  mm.set("b", 4);
  let keys = "";
  for (const k of mm) {
    keys += k;
  }
  mm.remove("a");
  mm.set("a", 5);
  let pairs = "";
  for (const [k, v] of mm.entries()) {
    pairs += \`\${k}\${v}\`;
  }
  log(\`\${keys} \${pairs} \${mm.size} \${mm.get("zz") ?? -1}\`);`);
});

/** A random int or bool expression: its TypeScript text and the JavaScript that means the same (`/` truncates). */
type Gen = { ts: string; js: string };
const lit = fc.integer({ min: -20, max: 20 }).map((n): Gen => (n < 0 ? { ts: `(${n})`, js: `(${n})` } : { ts: `${n}`, js: `${n}` }));
const divisor = fc.integer({ min: -9, max: 9 }).filter((n) => n !== 0).map((n) => `(${n})`);
const intExpr: fc.Memo<Gen> = fc.memo((depth) => {
  if (depth <= 1) return fc.oneof(lit, fc.constantFrom<Gen>({ ts: "a", js: "a" }, { ts: "b", js: "b" }));
  const sub = intExpr(depth - 1);
  return fc.oneof(
    lit,
    fc.tuple(sub, fc.constantFrom("+", "-", "*"), sub).map(([l, op, r]): Gen => ({ ts: `(${l.ts} ${op} ${r.ts})`, js: `(${l.js} ${op} ${r.js})` })),
    fc.tuple(sub, divisor).map(([l, d]): Gen => ({ ts: `(${l.ts} % ${d})`, js: `(${l.js} % ${d})` })),
    fc.tuple(sub, divisor).map(([l, d]): Gen => ({ ts: `(${l.ts} / ${d})`, js: `Math.trunc(${l.js} / ${d})` })),
    sub.map((e): Gen => ({ ts: `(-${e.ts})`, js: `(-${e.js})` })),
  );
});
const boolExpr: fc.Arbitrary<Gen> = fc.oneof(
  // `+ z` (z a `let` 0) keeps TypeScript from refusing a comparison of two literals (TS2367).
  fc.tuple(intExpr(3), fc.constantFrom("===", "!==", "<", "<=", ">", ">="), intExpr(3)).map(([l, op, r]) => ({ ts: `(${l.ts} + z ${op} ${r.ts})`, js: `(${l.js} + z ${op} ${r.js})` })),
  fc.tuple(intExpr(2), intExpr(2), fc.constantFrom("&&", "||")).map(([l, r, op]) => ({ ts: `(!(${l.ts} + z < 0) ${op} (${r.ts} + z === 0))`, js: `(!(${l.js} + z < 0) ${op} (${r.js} + z === 0))` })),
);

test("random int and bool expressions: the sandbox gives what JavaScript gives (with / truncating)", async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(fc.oneof(intExpr(4), boolExpr), { minLength: 1, maxLength: 12 }), fc.integer({ min: -30, max: 30 }), fc.integer({ min: -30, max: 30 }), async (es, a, b) => {
      const body = `  let a = ${a};\n  let b = ${b};\n  let z = 0;\n  log(\`${es.map((e) => `\${${e.ts}}`).join("|")}\`);`;
      const source = `${HEAD}\nexport function onMessage(_m: Message) {\n${body}\n}\n`;
      const want = [runInNewContext(`const a = ${a}, b = ${b}, z = 0; [${es.map((e) => e.js).join(", ")}].map(String).join("|")`) as string];
      assert.deepEqual(await sandbox(source), want, source);
    }),
    { numRuns: 25, seed: 20261206 },
  );
});
