/**
 * The input's parts kept in a reused context (runtime/sandbox/kept-parts.ts): the list, its limits and the
 * offset table, parsed and frozen once, passed beside the rest of the input. A run sees the same input as
 * with everything in the JSON (the examples give byte for byte the same output and gas as with the fresh
 * strategy, which keeps nothing), lists, limits and zones that change between runs are never mixed up, and
 * a hostile run can change nothing in them for the next.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { compileSource } from "../../compiler/emit/bundle.js";
import type { Bundle } from "../../compiler/index.js";
import { PRELUDE } from "../../contract/index.js";
import { parseEml } from "../../runtime/input/index.js";
import { bundleInput } from "../../runtime/run/input.js";
import { encodeRun } from "../../runtime/run/run-rule.js";
import { Engine } from "../../runtime/sandbox/engine.js";
import { KEPT_SIGNATURE, splitInput } from "../../runtime/sandbox/kept-parts.js";
import { resolveLimits } from "../../runtime/sandbox/types.js";
import { repoRoot } from "../helpers/repo.js";

const DAY = 86_400_000;

function example(name: string): Bundle {
  const src = readFileSync(join(repoRoot, "examples", name, `${name}.thwonk`), "utf8");
  const r = compileSource(`${name}.thwonk`, src);
  assert.ok(r.bundle, name);
  return r.bundle;
}

test("an input splits into its kept parts and the rest, which together are the input; other inputs do not split", () => {
  const input = { gas: 5, now: 1, tz: [[-8.64e15, 60]], list: { address: "l@example.org", name: "l 🎉", owners: [] }, __proto__x: 1, state: { tz: 1 }, limits: { members: 10 }, message: { list: '"tz":[]' } };
  const json = JSON.stringify(input);
  const split = splitInput(json)!;
  assert.equal(split.keptJson, JSON.stringify({ tz: input.tz, list: input.list, limits: input.limits }));
  assert.equal(split.runJson, JSON.stringify({ gas: 5, now: 1, __proto__x: 1, state: input.state, message: input.message }));
  // An own `__proto__` key stays in the rest, as a key.
  const proto = '{"__proto__":{"tz":1},"tz":[[0,0]],"state":null}';
  assert.equal(splitInput(proto)?.runJson, '{"__proto__":{"tz":1},"state":null}');
  assert.equal(splitInput('{"list":{"a":1}}')?.runJson, "{}");
  assert.equal(splitInput('{"gas":1,"state":null}'), undefined, "nothing to keep");
  assert.equal(splitInput('{"tz":[], "gas":1}'), undefined, "not as JSON.stringify writes it");
  assert.equal(splitInput('{"tz":[],"tz":[[0,1]]}'), undefined, "a key twice");
  const owners = Array.from({ length: 500 }, (_, i) => `owner${i}@example.org`);
  assert.equal(splitInput(JSON.stringify({ list: { address: "l@example.org", owners }, gas: 1 })), undefined, "too long to keep");
});

test("the examples give the same output and gas with kept parts as without, across lists, zones, years and limits", async () => {
  const { message } = await parseEml("From: Ann <m1@example.org>\r\nTo: list@example.org\r\nSubject: Hello 🎉\r\n\r\nA post with ünïcödé.\r\n");
  const members = Array.from({ length: 5 }, (_, i) => ({ address: `m${i}@example.org`, name: `Member ${i}`, role: i === 0 ? ("owner" as const) : ("member" as const), joined: 0 }));
  const limits = resolveLimits({ timeLimitMs: 10_000 });
  const reuse = new Engine({ limits, strategy: "reuse" });
  const fresh = new Engine({ limits, strategy: "fresh" });
  const runs = [
    { address: "list@example.org", now: Date.UTC(2026, 5, 1) },
    { address: "other@example.org", now: Date.UTC(2026, 5, 1) },
    { address: "list@example.org", now: Date.UTC(2027, 0, 1) + DAY / 2 },
    { address: "list@example.org", now: Date.UTC(2026, 5, 2) },
    { address: "third@lists.example.org", now: Date.UTC(2030, 11, 31) },
  ];
  let compared = 0;
  let distinct = 0;
  for (const name of ["once_a_day", "moderated", "auto_reply", "archive", "trim140", "subscribe"]) {
    const bundle = example(name);
    assert.ok(bundle.code.text.includes(KEPT_SIGNATURE), "compiled code takes the kept parts");
    const memoryLimitBytes = bundle.manifest.limits["memory"]?.value;
    const parts = new Set<string>();
    for (const [k, r] of [...runs, ...runs].entries()) {
      // The same lists with other members (and so no owners) halfway through.
      const ms = k >= runs.length ? members.slice(1) : members;
      const input = bundleInput(bundle, { now: r.now, address: r.address, members: ms, state: null, message: { ...message, from: `m${k % 3}@example.org` } });
      const enc = encodeRun(bundle, "message", input);
      parts.add(splitInput(enc.inputJson)!.keptJson);
      const options = { list: r.address, ...(memoryLimitBytes ? { memoryLimitBytes } : {}), timeLimitMs: 10_000 };
      const a = await reuse.run(bundle.code.text, bundle.sha256, "message", enc.inputJson, enc.members, options);
      const b = await fresh.run(bundle.code.text, bundle.sha256, "message", enc.inputJson, enc.members, options);
      assert.ok(a.result.ok && b.result.ok, `${name} run ${k}`);
      assert.equal(a.result.output, b.result.output, `${name} run ${k}`);
      compared++;
    }
    distinct += parts.size;
  }
  assert.equal(compared, 60);
  assert.equal(reuse.reuse.keptParts, 60, "every run was given kept parts");
  // Parts are parsed once per bundle for each list, owners and offset table (the zone's, for the year).
  assert.ok(distinct >= 6 * 6, `${distinct} distinct`);
  assert.equal(reuse.reuse.keptPartsMade, distinct);
});

test("a hostile run cannot change the kept parts for the next run, nor reach another list's", async () => {
  // After the real prelude, a rule part with the driver's signature that tries to change what it was given.
  const code = `${PRELUDE}// hand-written\n${KEPT_SIGNATURE}
  const frozen = (o) => typeof o !== "object" || o === null || (Object.isFrozen(o) && Object.values(o).every(frozen));
  const seen = { keys: Object.keys(kept).join(","), frozen: frozen(kept), address: kept.list.address, members: kept.limits.members, tz: kept.tz.length, input: JSON.parse(inputJson) };
  try { kept.list.address = "evil@example.org"; } catch (e) {}
  try { kept.limits.members = 1e9; } catch (e) {}
  try { kept.tz.push([0, 999]); } catch (e) {}
  try { kept.list.owners.push("evil@example.org"); } catch (e) {}
  try { Object.defineProperty(kept, "extra", { value: 1 }); } catch (e) {}
  try { kept.list.__proto__.polluted = 1; } catch (e) {}
  seen.polluted = ({}).polluted === undefined ? null : "polluted";
  return JSON.stringify(seen);
}\n`;
  const engine = new Engine({ limits: resolveLimits({ timeLimitMs: 10_000 }), strategy: "reuse" });
  const input = (address: string, members: number): string => JSON.stringify({ gas: 1, now: 2, tz: [[-8.64e15, 0]], list: { address, name: "n", owners: [] }, state: null, limits: { members }, x: "run" });
  const outs = [];
  for (const [address, members] of [["a@example.org", 10], ["a@example.org", 10], ["b@example.org", 20], ["a@example.org", 10], ["a@example.org", 11]] as const) {
    const r = await engine.run(code, "hostile", "message", input(address, members), undefined, { list: address, timeLimitMs: 10_000 });
    assert.ok(r.result.ok, JSON.stringify(r.result));
    outs.push(JSON.parse(r.result.output));
  }
  for (const [k, [address, members]] of ([["a@example.org", 10], ["a@example.org", 10], ["b@example.org", 20], ["a@example.org", 10], ["a@example.org", 11]] as const).entries()) {
    assert.deepEqual(outs[k], { keys: "tz,list,limits", frozen: true, address, members, tz: 1, input: { gas: 1, now: 2, state: null, x: "run" }, polluted: null });
  }
  assert.equal(engine.reuse.keptParts, 5);
  assert.equal(engine.reuse.keptPartsMade, 3, "a@10 kept and taken again; b@20 and a@11 made");
});
