/**
 * The one validator of stored state (contract/state.ts checkSavedState),
 * property-tested: for random state types (every kind, bounds at any depth,
 * records in maps in lists), generated saved values that fit are accepted,
 * and every mutation of one place in them (a wrong type, over a bound, an
 * extra or missing record field, a value nested thousands deep) is refused
 * with that place's path.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { checkSavedState, stateRefusals, type StateFieldSchema, type StateType } from "../../contract/index.js";
import { compileSource } from "../../compiler/index.js";

const name = fc.constantFrom("a", "b", "count", "seen", "notes", "x_1");

const typeArb: fc.Arbitrary<StateType> = fc.letrec<{ t: StateType }>((tie) => ({
  t: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.constantFrom<StateType>({ kind: "int" }, { kind: "bool" }, { kind: "address" }, { kind: "time" }, { kind: "duration" }),
    fc.option(fc.integer({ min: 0, max: 6 }), { nil: undefined }).map((max): StateType => (max === undefined ? { kind: "string" } : { kind: "string", max })),
    fc.record({ of: tie("t"), max: fc.integer({ min: 0, max: 4 }) }).map(({ of, max }): StateType => ({ kind: "list", of, max })),
    fc
      .record({ key: fc.constantFrom<StateType>({ kind: "string", max: 8 }, { kind: "int" }, { kind: "address" }), value: tie("t"), max: fc.integer({ min: 0, max: 4 }) })
      .map(({ key, value, max }): StateType => ({ kind: "map", key, value, max })),
    tie("t").filter((t) => t.kind !== "opt").map((of): StateType => ({ kind: "opt", of })),
    fc.uniqueArray(fc.tuple(name, tie("t")), { minLength: 1, maxLength: 3, selector: ([k]) => k }).map((fs): StateType => ({ kind: "rec", fields: Object.fromEntries(fs) })),
  ),
})).t;

/** A saved value of `t` that fits it (collections stay within their max). */
function valueArb(t: StateType): fc.Arbitrary<unknown> {
  switch (t.kind) {
    case "int":
      return fc.integer({ min: -1e6, max: 1e6 });
    case "duration":
      return fc.nat(1e9);
    case "bool":
      return fc.boolean();
    case "string":
      return fc.string({ maxLength: t.max ?? 10, unit: "grapheme-ascii" });
    case "address":
      return fc.constantFrom("ann@example.org", "Bob.Smith@lists.example.com", "c+tag@x.io");
    case "time":
      return fc.integer({ min: 0, max: 4e12 }).map((ms) => new Date(ms).toISOString());
    case "list":
      return fc.array(valueArb(t.of), { maxLength: t.max ?? 3 });
    case "map":
      return fc.uniqueArray(fc.tuple(keyArb(t.key), valueArb(t.value)), { maxLength: t.max ?? 3, selector: ([k]) => k }).map((es) => Object.fromEntries(es));
    case "opt":
      return fc.option(valueArb(t.of), { nil: null });
    case "rec":
      return fc.record(Object.fromEntries(Object.entries(t.fields).map(([k, f]) => [k, valueArb(f)])));
  }
}

function keyArb(t: StateType): fc.Arbitrary<string> {
  if (t.kind === "int") return fc.integer({ min: -99, max: 99 }).map(String);
  if (t.kind === "address") return fc.constantFrom("ann@example.org", "bob@example.org", "carol@example.net");
  return fc.string({ maxLength: 8, unit: "grapheme-ascii" });
}

interface Site {
  path: string;
  type: StateType;
  /** Replaces the value at this place. */
  set(v: unknown): void;
  get(): unknown;
}

/** Every place in `v` (of type `t`, at `path`), outermost first. */
function sites(t: StateType, holder: Record<string | number, unknown>, at: string | number, path: string, out: Site[]): void {
  const v = holder[at];
  out.push({ path, type: t, set: (x) => void (holder[at] = x), get: () => holder[at] });
  const inner = t.kind === "opt" ? t.of : t;
  if (v === null) return;
  if (inner.kind === "list") (v as unknown[]).forEach((_, i) => sites(inner.of, v as unknown[] as Record<number, unknown>, i, `${path}[${i}]`, out));
  if (inner.kind === "map") for (const k of Object.keys(v as object)) sites(inner.value, v as Record<string, unknown>, k, `${path}[${JSON.stringify(k)}]`, out);
  if (inner.kind === "rec") for (const [f, ft] of Object.entries(inner.fields)) sites(ft, v as Record<string, unknown>, f, `${path}.${f}`, out);
}

/** A value no type of kind `t` accepts. */
function wrongFor(t: StateType): unknown {
  switch (t.kind) {
    case "int":
      return "lots";
    case "duration":
      return 1.5;
    case "bool":
      return 1;
    case "string":
      return 5;
    case "address":
      return "not an address";
    case "time":
      return "yesterday";
    case "list":
      return { 0: 1 };
    case "map":
    case "rec":
      return [1];
    case "opt":
      return wrongFor(t.of);
  }
}

const stateArb = fc
  .uniqueArray(fc.tuple(name, typeArb), { minLength: 1, maxLength: 3, selector: ([k]) => k })
  .chain((fs) => {
    const fields: StateFieldSchema[] = fs.map(([n, schema]) => ({ name: n, schema }));
    return fc.record(Object.fromEntries(fields.map((f) => [f.name, valueArb(f.schema)]))).map((saved) => ({ fields, saved: saved as Record<string, unknown> }));
  });

function allSites(fields: readonly StateFieldSchema[], saved: Record<string, unknown>): Site[] {
  const out: Site[] = [];
  for (const f of fields) sites(f.schema, saved, f.name, `state.${f.name}`, out);
  return out;
}

const RUNS = { numRuns: 300 };

test("state that fits its types is accepted", () => {
  fc.assert(fc.property(stateArb, ({ fields, saved }) => assert.deepEqual(checkSavedState(fields, saved), [])), RUNS);
});

test("a field left out is accepted (it starts at its initial value); an undeclared one is refused", () => {
  fc.assert(
    fc.property(stateArb, ({ fields, saved }) => {
      const first = fields[0]!.name;
      const { [first]: _, ...rest } = saved;
      assert.deepEqual(checkSavedState(fields, rest), []);
      const problems = checkSavedState(fields, { ...saved, zz_extra: 1 });
      assert.deepEqual(problems.map((p) => p.path), ["state.zz_extra"]);
    }),
    RUNS,
  );
});

test("a wrong type anywhere is refused, naming that place", () => {
  fc.assert(
    fc.property(stateArb, fc.nat(), ({ fields, saved }, pick) => {
      const all = allSites(fields, saved);
      const site = all[pick % all.length]!;
      site.set(wrongFor(site.type));
      const problems = checkSavedState(fields, saved);
      assert.equal(problems.length, 1, JSON.stringify(problems));
      assert.equal(problems[0]!.path, site.path);
      assert.match(problems[0]!.problem, /^expected /);
    }),
    RUNS,
  );
});

test("over a bound anywhere is refused, naming that place", () => {
  fc.assert(
    fc.property(stateArb, fc.nat(), ({ fields, saved }, pick) => {
      const bounded = allSites(fields, saved).filter((s) => {
        const t = s.type.kind === "opt" ? s.type.of : s.type;
        return (t.kind === "string" || t.kind === "list" || t.kind === "map") && t.max !== undefined && s.get() !== null;
      });
      fc.pre(bounded.length > 0);
      const site = bounded[pick % bounded.length]!;
      const t = (site.type.kind === "opt" ? site.type.of : site.type) as StateType & { max: number };
      const v = site.get();
      if (t.kind === "string") site.set("é".repeat(t.max + 1));
      else if (t.kind === "list") site.set([...(v as unknown[]), ...Array.from({ length: t.max + 1 - (v as unknown[]).length }, () => (v as unknown[])[0] ?? null)]);
      else {
        const o = { ...(v as Record<string, unknown>) };
        for (let i = 0; Object.keys(o).length <= t.max; i++) o[`${i}`] = null;
        site.set(o);
      }
      const problems = checkSavedState(fields, saved);
      assert.equal(problems[0]?.path, site.path, JSON.stringify(problems));
      assert.match(problems[0]!.problem, new RegExp(`over its declared max ${t.max}$`));
    }),
    RUNS,
  );
});

test("an extra or a missing record field is refused, naming it", () => {
  fc.assert(
    fc.property(stateArb, fc.nat(), fc.boolean(), ({ fields, saved }, pick, extra) => {
      const records = allSites(fields, saved).filter((s) => s.type.kind === "rec" || (s.type.kind === "opt" && s.type.of.kind === "rec" && s.get() !== null));
      fc.pre(records.length > 0);
      const site = records[pick % records.length]!;
      const r = { ...(site.get() as Record<string, unknown>) };
      const rec = (site.type.kind === "opt" ? site.type.of : site.type) as Extract<StateType, { kind: "rec" }>;
      if (extra) {
        r["zz_extra"] = 0;
        site.set(r);
        assert.deepEqual(checkSavedState(fields, saved).map((p) => p.path), [`${site.path}.zz_extra`]);
      } else {
        const f = Object.keys(rec.fields)[0]!;
        delete r[f];
        site.set(r);
        const problems = checkSavedState(fields, saved);
        assert.equal(problems.length, 1);
        assert.equal(problems[0]!.path, site.path);
        assert.match(problems[0]!.problem, new RegExp(`no field \`${f}\``));
      }
    }),
    RUNS,
  );
});

test("a value nested thousands deep is refused where its type ends, without a stack overflow", () => {
  fc.assert(
    fc.property(stateArb, fc.nat(), ({ fields, saved }, pick) => {
      const all = allSites(fields, saved);
      const site = all[pick % all.length]!;
      let deep: unknown = 1;
      for (let i = 0; i < 5000; i++) deep = site.type.kind === "list" || (site.type.kind === "opt" && site.type.of.kind === "list") ? { x: deep } : [deep];
      site.set(deep);
      const problems = checkSavedState(fields, saved);
      assert.equal(problems[0]?.path, site.path);
    }),
    { numRuns: 100 },
  );
});

test("the examples from the issue: a string where an int is, a number where a list is", () => {
  const { bundle } = compileSource("b.thwonk", 'rule b\nstate {\n  bumps: int = 0\n  names: List<string max 20> max 5 = []\n}\non message(m: Message) {\n  state.bumps += 1\n  if state.names.size < 5 { state.names.push(m.subject.truncate(20)) }\n}\n');
  assert.ok(bundle);
  assert.deepEqual(checkSavedState(bundle.manifest.state, { bumps: "lots" }), [{ path: "state.bumps", problem: 'expected int, got "lots"' }]);
  assert.deepEqual(checkSavedState(bundle.manifest.state, { names: 5 }), [{ path: "state.names", problem: "expected List<string max 20> max 5, got 5" }]);
  assert.deepEqual(checkSavedState(bundle.manifest.state, [1]), [{ path: "state", problem: "expected an object of the state's fields, got a list (1 entries)" }]);
  assert.match(stateRefusals(bundle.manifest.state, { names: ["ok", "x".repeat(21)] })[0]!, /^TW5070 .*state\.names\[1\]: 21 characters, over its declared max 20\./);
});

test("the manifest keeps bounds at every depth and record shapes", () => {
  const { bundle } = compileSource("n.thwonk", "rule n\ntype Post = { from: Address, tags: List<string max 10> max 3, at: Time? }\nstate {\n  posts: Map<Address, List<Post> max 4> max 50 = {}\n}\non message(m: Message) { }\n");
  assert.ok(bundle);
  assert.deepEqual(bundle.manifest.state[0]!.schema, {
    kind: "map",
    key: { kind: "address" },
    value: {
      kind: "list",
      of: { kind: "rec", name: "Post", fields: { from: { kind: "address" }, tags: { kind: "list", of: { kind: "string", max: 10 }, max: 3 }, at: { kind: "opt", of: { kind: "time" } } } },
      max: 4,
    },
    max: 50,
  });
});
