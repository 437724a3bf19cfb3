/**
 * The script the sandbox runs in every new context before any rule code:
 * it takes away what would let a rule see outside its input or keep state
 * from one run for the next, then freezes every object the rule could reach
 * without creating it. Evaluated as trusted code; its completion value is a
 * few helpers that only the host holds: describe(error), sourceOf(fn),
 * invoke(factory, trigger, input, members, after, kept) (which checks the
 * globals with intact()), columns(address, name, role, joined, bounces),
 * the real eval and keep(json).
 *
 * - String evaluation: `eval`, `Function` and the constructors of generator
 *   and async functions throw. (QuickJS's Eval intrinsic cannot be turned off
 *   instead: without it the host cannot evaluate the bundle either.)
 * - Clock and randomness: Date.now, `new Date()` and Math.random throw. Date
 *   otherwise works in UTC only, since QuickJS's local time is the host's
 *   time zone: local getters/setters are the UTC ones, a date string must
 *   name its zone.
 * - GC observers (WeakRef, FinalizationRegistry) are removed: they would make
 *   a run depend on when the collector ran.
 * - Everything reachable from globalThis and from the hidden intrinsics
 *   (generator, async and iterator prototypes) is frozen, so a reused context
 *   is the same for every run: `Object.prototype.x = 1` is a TypeError.
 */
export const LOCKDOWN_SOURCE = String.raw`(() => {
"use strict";
const G = globalThis;
const { defineProperty, freeze, getOwnPropertyDescriptor, getPrototypeOf } = Object;
const { apply, construct, ownKeys } = Reflect;
const RealDate = G.Date, DP = RealDate.prototype, toSource = Function.prototype.toString;
const fixed = (o, k, value) => defineProperty(o, k, { value, writable: false, enumerable: false, configurable: false });
// A plain function (not a method), so that "new Function(...)" gets this message too.
const refuse = (name, why) => ({ [name]: function () { throw new TypeError(name + " is not available in a Thwonk rule: " + why); } })[name];

// The real eval goes to the host alone (the fifth helper): the shared prelude loads each bundle with it (bundle.ts).
const realEval = G.eval;
const noEval = refuse("eval", "rules cannot evaluate strings as code");
const noFunction = refuse("Function", "rules cannot evaluate strings as code");
defineProperty(noFunction, "prototype", { value: Function.prototype });
fixed(G, "eval", noEval);
fixed(G, "Function", noFunction);
for (const f of [function () {}, function* () {}, async function () {}, async function* () {}]) {
  fixed(getPrototypeOf(f), "constructor", noFunction);
}

fixed(Math, "random", refuse("Math.random", "rules are deterministic"));
delete G.WeakRef;
delete G.FinalizationRegistry;

const ZONED = /(?:Z|GMT|UTC|[+-]\d\d:?\d\d)\s*$|^[+-]?\d{4,6}(?:-\d\d){0,2}$/i;
const zoned = (s) => {
  if (!ZONED.test(s)) throw new RangeError("the date string " + JSON.stringify(s) + " has no time zone: add Z or an offset (rules do not see the host's zone)");
  return s;
};
const arraySlice = Array.prototype.slice;
const isDate = (v) => { try { DP.getTime.call(v); return true; } catch { return false; } };
// new Date(ms), the prelude's own call for every calendar field, takes the first branch: no rest array, no
// try/catch (isDate throws and catches, some microseconds under QuickJS: far more than the gas of a field read).
function Date(v) {
  if (new.target !== undefined && arguments.length === 1 && typeof v === "number") return construct(RealDate, [v], new.target);
  return slowDate(new.target, arguments);
}
function slowDate(target, given) {
  const args = apply(arraySlice, given, []);
  if (target === undefined || args.length === 0) {
    throw new TypeError("Date() and new Date() read the clock, which rules cannot see: use the trigger's time");
  }
  if (args.length > 1) return construct(RealDate, [apply(RealDate.UTC, void 0, args)], target);
  const v = args[0];
  return construct(RealDate, [typeof v === "string" ? zoned(v) : isDate(v) ? v : Number(v)], target);
}
Date.prototype = DP;
fixed(DP, "constructor", Date);
fixed(Date, "UTC", RealDate.UTC);
fixed(Date, "parse", function parse(s) { return RealDate.parse(zoned(String(s))); });
fixed(Date, "now", refuse("Date.now", "rules cannot read the clock: use the trigger's time"));
fixed(G, "Date", Date);
for (const n of ["FullYear", "Month", "Date", "Day", "Hours", "Minutes", "Seconds", "Milliseconds"]) {
  fixed(DP, "get" + n, DP["getUTC" + n]);
  if (n !== "Day") fixed(DP, "set" + n, DP["setUTC" + n]);
}
delete DP.getYear;
delete DP.setYear;
const iso = DP.toISOString;
const utcText = (from, to) => function () {
  const t = DP.getTime.call(this);
  return t !== t ? "Invalid Date" : apply(iso, this, []).slice(from, to);
};
fixed(DP, "getTimezoneOffset", function getTimezoneOffset() { const t = DP.getTime.call(this); return t !== t ? NaN : 0; });
for (const k of ["toString", "toLocaleString"]) fixed(DP, k, utcText(0, undefined));
for (const k of ["toDateString", "toLocaleDateString"]) fixed(DP, k, utcText(0, 10));
for (const k of ["toTimeString", "toLocaleTimeString"]) fixed(DP, k, utcText(11, undefined));

// Freeze all that is reachable: from the global object, and from intrinsics
// that only syntax reaches (generators, async functions, iterators, arguments).
const roots = [G];
const reach = (make) => { try { roots.push(make()); } catch {} };
reach(() => function* () {});
reach(() => (function* () {})());
reach(() => async function () {});
reach(() => async function* () {});
reach(() => (async function* () {})());
reach(() => [][Symbol.iterator]());
reach(() => ""[Symbol.iterator]());
reach(() => new Map()[Symbol.iterator]());
reach(() => new Set()[Symbol.iterator]());
reach(() => /x/[Symbol.matchAll](""));
reach(() => [].values().map((x) => x));
reach(() => Iterator.from({ next() { return { done: true }; } }));
reach(() => (function () { return arguments; })());
const seen = new Set();
while (roots.length > 0) {
  const o = roots.pop();
  if ((typeof o !== "object" && typeof o !== "function") || o === null || seen.has(o)) continue;
  seen.add(o);
  freeze(o);
  roots.push(getPrototypeOf(o));
  for (const k of ownKeys(o)) {
    const d = getOwnPropertyDescriptor(o, k);
    if ("value" in d) roots.push(d.value);
    else roots.push(d.get, d.set);
  }
}

// Host helpers. They run after the rule's code in the same context, so they
// use only what was captured here, never a global name: QuickJS (2025-09)
// lets Object.defineProperty change even a frozen global's value. intact()
// finds such a change (the host then fails the run and drops the context).
// describe() reads a thrown value without running the rule's code where it
// can help it (no getters, no toString): data properties only.
const { stringify } = JSON, { isSafeInteger } = Number, Str = String;
// The frozen global object has data properties only, and QuickJS refuses every
// change to them but a new value (a getter, a deletion, a new property all
// fail as on any frozen object): comparing the values is enough, and reading
// a data property runs no code. (About 10x cheaper than comparing descriptors.)
// The check is written out, one property read by its name each, as G.name: QuickJS
// compiles G["name"] as a computed read, which makes an atom of the name at every
// read (4.3 µs for the 63 globals against 2.4 µs as G.name; it runs after every run). Each
// value it compares with is a variable of the closure, not an element of an array: 1 µs less.
const globalKeys = ownKeys(G);
for (const k of globalKeys) if (!("value" in getOwnPropertyDescriptor(G, k))) throw new TypeError("lockdown: the global object has an accessor");
const pristine = globalKeys.map((k) => G[k]);
const symbols = [];
const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
const read = (k) => typeof k === "symbol" ? "G[S[" + (symbols.push(k) - 1) + "]]" : IDENTIFIER.test(k) ? "G." + k : "G[" + stringify(k) + "]";
const named = (k) => stringify(typeof k === "symbol" ? k.toString() : k);
const intact = realEval("(function (G, P, S) {\n\"use strict\";\nvar " + globalKeys.map((k, i) => "p" + i + " = P[" + i + "]").join(", ") + ";\nreturn function intact() {\nvar v;\n" +
  globalKeys.map((k, i) => "if ((v = " + read(k) + ") !== p" + i + " && (v === v || p" + i + " === p" + i + ")) return " + named(k) + ";\n").join("") +
  "return \"\";\n};\n})")(G, freeze(pristine), freeze(symbols));
const data = (o, k) => {
  for (let p = o; p !== null; p = getPrototypeOf(p)) {
    const d = getOwnPropertyDescriptor(p, k);
    if (d) return "value" in d ? d.value : void 0;
  }
  return void 0;
};
const describe = (e) => {
  try {
    if (e === null || (typeof e !== "object" && typeof e !== "function")) {
      return stringify({ message: typeof e === "symbol" ? e.toString() : Str(e) });
    }
    const pick = (k, ok) => { const v = data(e, k); return ok(v) ? v : void 0; };
    const isText = (v) => typeof v === "string";
    const isPos = (v) => isSafeInteger(v) && v > 0;
    return stringify({
      name: pick("name", isText), message: pick("message", isText),
      line: pick("thwonkLine", isPos), column: pick("thwonkColumn", isPos),
    });
  } catch {
    return "{}";
  }
};
const sourceOf = (f) => apply(toSource, f, []);
// One run in one call from the host (each call costs microseconds): make the
// run's function (given the input parts kept for its list, when the host has
// them: bundle.ts), call it, check the globals, then set the prelude's run state
// back (after, when given: so that nothing of the run stays alive in a kept
// context). The output string, or an object saying what went wrong; a throw is
// the run's own error. A run state that could not be set back leaves the output
// as it is (wrong: "reset"): the host then drops the context.
const invoke = (factory, trigger, input, members, after, kept) => {
  const run = kept === void 0 ? factory() : factory(kept);
  if (typeof run !== "function") return { wrong: "noRun", detail: "" };
  const out = members === void 0 ? run(trigger, input) : run(trigger, input, members);
  const changed = intact();
  if (changed !== "") return { wrong: "global", detail: changed };
  if (typeof out !== "string") return { wrong: "type", detail: typeof out };
  if (after !== void 0) {
    try { after(); } catch { return { wrong: "reset", detail: out }; }
  }
  return out;
};
// The members, kept by the host between runs while they stay the same: their
// columns (each the values joined by newlines) behind two frozen functions.
// col(key) splits a column the first time it is asked for and keeps it as a
// frozen array; pos(address) scans the addresses for the first few look-ups
// and then builds an index. What they keep depends on the members alone, so
// a run learns nothing from an earlier one, and no run can change it.
const { split } = String.prototype, { indexOf: arrayIndexOf, map } = Array.prototype;
const RealMap = Map, mapGet = Map.prototype.get, mapSet = Map.prototype.set, Num = Number;
const columns = (address, name, role, joined, bounces) => {
  const text = { address, name, role, joined, bounces: typeof bounces === "string" ? bounces : "" };
  const made = { address: null, name: null, role: null, joined: null, bounces: null };
  const col = (key) => {
    if (key !== "address" && key !== "name" && key !== "role" && key !== "joined" && key !== "bounces") throw new TypeError("no member column " + Str(key));
    if (made[key] === null) {
      const values = text[key] === "" ? [] : apply(split, text[key], ["\n"]);
      made[key] = freeze(key === "joined" || key === "bounces" ? apply(map, values, [(x) => Num(x)]) : values);
    }
    return made[key];
  };
  let index = null, scans = 0;
  const pos = (a) => {
    if (index === null && ++scans <= 4) return apply(arrayIndexOf, col("address"), [a]);
    if (index === null) {
      const addresses = col("address"), m = new RealMap();
      for (let i = 0; i < addresses.length; i++) apply(mapSet, m, [addresses[i], i]);
      index = m;
    }
    const i = apply(mapGet, index, [a]);
    return i === void 0 ? -1 : i;
  };
  return freeze({ col: freeze(col), pos: freeze(pos) });
};
// The parts of a run's input a reused context keeps for a list (kept-input.ts): parsed once, and frozen all
// through (JSON.parse makes data properties only), so that no run can change what the next one reads.
const parse = JSON.parse;
const keep = (json) => {
  const value = parse(json);
  const todo = [value];
  while (todo.length > 0) {
    const o = todo.pop();
    if (typeof o !== "object" || o === null) continue;
    freeze(o);
    const keys = ownKeys(o);
    for (let i = 0; i < keys.length; i++) todo.push(o[keys[i]]);
  }
  return value;
};
return [describe, sourceOf, invoke, columns, realEval, keep];
})()`;
