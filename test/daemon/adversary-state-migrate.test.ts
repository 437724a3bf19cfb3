/**
 * The adversary of schema changes as a property (compiler/compat.ts, contract/state.ts), the rules thwonkd's
 * deploy and load follow: for random state types, stored values that fit them and random new versions, a change
 * compareVersions allows (with the stored data or without) must give, after migrateState, a state the new
 * version's check takes. Field and key names include JavaScript's own (`__proto__`, `constructor`).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { compareVersions, migrateState } from "../../compiler/index.js";
import { checkSavedState, type StateFieldSchema, type StateType } from "../../contract/index.js";

const NAMES = ["a", "b", "__proto__", "constructor", "toString"];
const name = fc.constantFrom(...NAMES);
const bound = fc.integer({ min: 0, max: 3 });

const scalar: fc.Arbitrary<StateType> = fc.oneof(
  fc.constant({ kind: "int" } as StateType),
  fc.constant({ kind: "bool" } as StateType),
  fc.constant({ kind: "duration" } as StateType),
  fc.constant({ kind: "time" } as StateType),
  fc.constant({ kind: "address" } as StateType),
  bound.map((max) => ({ kind: "string", max }) as StateType),
);
const keyType: fc.Arbitrary<StateType> = fc.oneof(fc.constant({ kind: "int" } as StateType), bound.map((max) => ({ kind: "string", max: max + 9 }) as StateType));

function record(entries: [string, StateType][]): StateType {
  const fields: Record<string, StateType> = {};
  for (const [k, t] of entries) Object.defineProperty(fields, k, { value: t, enumerable: true, writable: true, configurable: true });
  return { kind: "rec", fields };
}

const stateType: fc.Arbitrary<StateType> = fc.letrec<{ t: StateType }>((tie) => ({
  t: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    scalar,
    fc.record({ of: tie("t"), max: bound }).map(({ of, max }) => ({ kind: "list", of, max }) as StateType),
    fc.record({ key: keyType, value: tie("t"), max: bound }).map(({ key, value, max }) => ({ kind: "map", key, value, max }) as StateType),
    tie("t").map((of) => (of.kind === "opt" ? of : ({ kind: "opt", of } as StateType))),
    fc.uniqueArray(fc.tuple(name, tie("t")), { selector: (e) => e[0], maxLength: 3 }).map(record),
  ),
})).t;

/** A stored value of type t, as the runtime saves it. */
function value(t: StateType): fc.Arbitrary<unknown> {
  switch (t.kind) {
    case "int":
    case "duration":
      return fc.integer({ min: -5, max: 5 });
    case "bool":
      return fc.boolean();
    case "time":
      return fc.constant("2026-11-25T08:00:00.000Z");
    case "address":
      return fc.constantFrom("ann@example.org", "bob@example.org");
    case "string":
      return fc.string({ maxLength: t.max ?? 3 });
    case "opt":
      return fc.option(value(t.of), { nil: null });
    case "list":
      return fc.array(value(t.of), { maxLength: t.max ?? 3 });
    case "map": {
      const key = t.key.kind === "int" ? fc.integer({ min: -3, max: 3 }).map(String) : fc.oneof(fc.constantFrom(...NAMES, ""), fc.string({ maxLength: 3 })).filter((k) => [...k].length <= ((t.key as { max?: number }).max ?? 3));
      return fc.uniqueArray(fc.tuple(key, value(t.value)), { selector: (e) => e[0], maxLength: t.max ?? 3 }).map((es) => {
        const o: Record<string, unknown> = {};
        for (const [k, v] of es) Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
        return o;
      });
    }
    case "rec": {
      const es = Object.entries(t.fields);
      return fc.tuple(...es.map(([, ft]) => value(ft))).map((vs) => {
        const o: Record<string, unknown> = {};
        es.forEach(([k], i) => Object.defineProperty(o, k, { value: vs[i], enumerable: true, writable: true, configurable: true }));
        return o;
      });
    }
  }
}

/** `T?`: the language has no `T??` (an optional of an optional type is that type). */
const optional = (t: StateType): StateType => (t.kind === "opt" ? t : { kind: "opt", of: t });

/** A new version of t: what a rule's author might change, allowed or not. */
function changed(t: StateType): fc.Arbitrary<StateType> {
  const same = fc.constant(t);
  const deeper: fc.Arbitrary<StateType>[] = [];
  if (t.kind === "string") deeper.push(fc.integer({ min: 0, max: 5 }).map((max) => ({ kind: "string", max })));
  if (t.kind === "list") deeper.push(fc.tuple(changed(t.of), fc.integer({ min: 0, max: 5 })).map(([of, max]) => ({ kind: "list", of, max })));
  if (t.kind === "map") deeper.push(fc.tuple(changed(t.value), fc.integer({ min: 0, max: 5 })).map(([value, max]) => ({ ...t, value, max })));
  if (t.kind === "opt") deeper.push(changed(t.of), changed(t.of).map(optional));
  if (t.kind === "rec") {
    const es = Object.entries(t.fields);
    deeper.push(
      fc
        .tuple(fc.tuple(...es.map(([, ft]) => changed(ft))), fc.subarray(es.map(([k]) => k)), fc.option(fc.tuple(name, stateType), { nil: undefined }))
        .map(([fts, keep, added]) => {
          const out: [string, StateType][] = es.map(([k], i) => [k, fts[i]!] as [string, StateType]).filter(([k]) => keep.includes(k));
          if (added && !out.some(([k]) => k === added[0])) out.push(added);
          return record(out);
        }),
    );
  }
  return fc.oneof(same, fc.constant(optional(t)), stateType, ...deeper);
}

const fields = fc.uniqueArray(fc.tuple(name, stateType), { selector: (e) => e[0], minLength: 1, maxLength: 3 });

test("a change compareVersions allows leaves, after migrateState, every field kept and a state the new version's check takes", () => {
  fc.assert(
    fc.property(
      fields.chain((before) =>
        fc.tuple(
          fc.constant(before),
          fc.tuple(...before.map(([, t]) => value(t))),
          fc.tuple(...before.map(([, t]) => changed(t))),
          fc.subarray(before.map(([k]) => k), { minLength: 1 }),
        ),
      ),
      ([before, values, afterTypes, kept]) => {
        const b: StateFieldSchema[] = before.map(([n, schema]) => ({ name: n, schema }));
        const a: StateFieldSchema[] = before.map(([n], i) => ({ name: n, schema: afterTypes[i]! })).filter((f) => kept.includes(f.name));
        const saved: Record<string, unknown> = {};
        before.forEach(([n], i) => Object.defineProperty(saved, n, { value: values[i], enumerable: true, writable: true, configurable: true }));
        assert.deepEqual(checkSavedState(b, saved), [], "the generated state fits its own version");
        for (const options of [{}, { state: saved }]) {
          if (compareVersions({ state: b }, { state: a }, options).length) continue;
          const migrated = migrateState(b, a, saved);
          assert.deepEqual(checkSavedState(a, migrated), [], JSON.stringify({ b, a, saved, options: Object.keys(options) }));
          // Nothing stored is lost: every field both versions have is still there.
          for (const f of a) assert.ok(Object.hasOwn(migrated, f.name), `state.${f.name} kept`);
        }
      },
    ),
    { numRuns: 3000, seed: 20261207 },
  );
});

test("two deploys with no run between, each allowed: the state saved by the first migrates straight to the third and fits", () => {
  const version = (before: [string, StateType][]) =>
    fc.tuple(fc.tuple(...before.map(([, t]) => changed(t))), fc.subarray(before.map(([k]) => k), { minLength: 1 })).map(([ts, kept]) =>
      before.map(([n], i) => [n, ts[i]!] as [string, StateType]).filter(([n]) => kept.includes(n)),
    );
  fc.assert(
    fc.property(
      fields.chain((first) => fc.tuple(fc.constant(first), fc.tuple(...first.map(([, t]) => value(t))), version(first))).chain(([first, values, second]) => fc.tuple(fc.constant(first), fc.constant(values), fc.constant(second), version(second))),
      ([first, values, second, third]) => {
        const schema = (fs: [string, StateType][]): StateFieldSchema[] => fs.map(([n, t]) => ({ name: n, schema: t }));
        const [a, b, c] = [schema(first), schema(second), schema(third)];
        // As thwonkd checks a deploy: the running version against the new one, without the data.
        if (compareVersions({ state: a }, { state: b }).length || compareVersions({ state: b }, { state: c }).length) return;
        const saved: Record<string, unknown> = {};
        first.forEach(([n], i) => Object.defineProperty(saved, n, { value: values[i], enumerable: true, writable: true, configurable: true }));
        const migrated = migrateState(a, c, saved);
        assert.deepEqual(checkSavedState(c, migrated), [], JSON.stringify({ a, b, c, saved }));
        for (const f of c) assert.ok(Object.hasOwn(migrated, f.name), `state.${f.name} kept`);
      },
    ),
    { numRuns: 3000, seed: 20261207 },
  );
});
