/**
 * What stays the same between a list's runs is made once (runtime/input/json-parts.ts, limits.ts, build.ts,
 * runtime/run/input.ts): the encoded input must still be JSON.stringify's, byte for byte, and a kept part
 * must be impossible to change.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { compileSource } from "../../compiler/emit/bundle.js";
import { encodeInput } from "../../runtime/input/build.js";
import { parseEml } from "../../runtime/input/index.js";
import { resolveLimits, runtimeLimits } from "../../runtime/input/limits.js";
import { stringifyParts } from "../../runtime/input/json-parts.js";
import { bundleInput, bundleLimits } from "../../runtime/run/input.js";

const SOURCE = `rule kept\n\nlimits { members: 50, fanout: 50 }\n\nsettings { timezone: "Europe/Paris" }\n\non message(m: Message) {\n  send(to: members, subject: m.subject, text: m.text, from: "sender", replyTo: "list")\n}\n`;

function bundle() {
  const r = compileSource("kept.thwonk", SOURCE);
  assert.ok(r.bundle, JSON.stringify(r.diagnostics));
  return r.bundle!;
}

test("a bundle's limits, resolved limits and offset table are made once, frozen, and the same object each run", () => {
  const b = bundle();
  const l = bundleLimits(b);
  assert.equal(bundleLimits(b), l);
  assert.ok(Object.isFrozen(l) && Object.isFrozen(l["members"]));
  assert.equal(resolveLimits(l), resolveLimits(l));
  assert.equal(runtimeLimits(l), runtimeLimits(l));
  assert.throws(() => { (runtimeLimits(l) as Record<string, number>)["members"] = 1e9; }, TypeError);
  const now = Date.UTC(2026, 5, 1);
  const one = bundleInput(b, { now, address: "list@example.org", members: [], state: null });
  const two = bundleInput(b, { now: now + 86_400_000, address: "list@example.org", members: [], state: null });
  assert.equal(one.tz, two.tz);
  assert.equal(one.limits, two.limits);
  assert.equal(one.limits["members"], 50);
  assert.throws(() => { (one.tz[0] as number[])[1] = 5; }, TypeError);
  // A rule's limits object that is not frozen is resolved anew each time: a change to it is seen.
  const loose = { members: { value: 3, unit: null } } as unknown as Parameters<typeof resolveLimits>[0];
  assert.equal(resolveLimits(loose)["members"]?.value, 3);
  (loose as Record<string, { value: number }>)["members"]!.value = 4;
  assert.equal(resolveLimits(loose)["members"]?.value, 4);
  assert.notEqual(runtimeLimits(loose), runtimeLimits(loose));
});

test("the encoded input is JSON.stringify's byte for byte, kept parts and all (unicode, __proto__, undefined)", async () => {
  const b = bundle();
  const { message } = await parseEml("From: b@example.org\r\nTo: list@example.org\r\n__proto__: x\r\nSubject: Zo\u00eb \ud83d\ude00\r\n\r\nhello\r\n");
  await fc.assert(
    fc.asyncProperty(fc.string({ unit: "grapheme" }), fc.dictionary(fc.string(), fc.jsonValue()), fc.integer({ min: 0, max: 4e12 }), async (text, state, now) => {
      const input = bundleInput(b, {
        now,
        address: "list@example.org",
        members: [{ address: "a@example.org", name: "Zoë 😀", role: "owner", joined: 1 }],
        state: { ...state, ["__proto__"]: { x: text } } as Record<string, unknown>,
        message: { ...message, text },
      });
      const { members, ...rest } = input;
      assert.ok(members);
      assert.equal(encodeInput(input).inputJson, JSON.stringify(rest));
    }),
    { numRuns: 150 },
  );
  assert.equal(stringifyParts({}), "{}");
  assert.equal(stringifyParts({ a: undefined, b: () => 1, c: [undefined], d: null }), JSON.stringify({ a: undefined, b: () => 1, c: [undefined], d: null }));
});

test("a frozen members array is checked and turned into columns once per limits; an unfrozen one every time", () => {
  const b = bundle();
  const now = Date.UTC(2026, 5, 1);
  const roster = (n: number) => Array.from({ length: n }, (_, i) => ({ address: `m${i}@example.org`, name: `M ${i}`, role: i === 0 ? ("owner" as const) : ("member" as const), joined: 1 }));
  const members = Object.freeze(roster(40).map((m) => Object.freeze(m)));
  const one = bundleInput(b, { now, address: "list@example.org", members, state: null });
  const two = bundleInput(b, { now: now + 1, address: "list@example.org", members, state: null });
  assert.equal(one.members, two.members, "the columns are made once for the frozen roster");
  assert.ok(Object.isFrozen(one.members));
  assert.deepEqual(one.list.owners, ["m0@example.org"]);
  assert.equal(encodeInput(one).inputJson, encodeInput(two).inputJson.replace(`"now":${now + 1}`, `"now":${now}`));
  // Another roster (a change loads a new array) is checked anew: over the limit of 50, refused.
  const over = Object.freeze(roster(51).map((m) => Object.freeze(m)));
  assert.throws(() => bundleInput(b, { now, address: "list@example.org", members: over, state: null }), /limits\.members|51/);
  // A duplicate in a frozen roster is refused at every run, not only the first.
  const twice = Object.freeze([...roster(3), roster(1)[0]!].map((m) => Object.freeze({ ...m })));
  for (let i = 0; i < 2; i++) assert.throws(() => bundleInput(b, { now, address: "list@example.org", members: twice, state: null }), /listed twice/);
  // An unfrozen roster may change between runs: never taken from the cache.
  const loose = roster(2);
  const a = bundleInput(b, { now, address: "list@example.org", members: loose, state: null });
  loose.push({ address: "late@example.org", name: "Late", role: "member", joined: 1 });
  const c = bundleInput(b, { now, address: "list@example.org", members: loose, state: null });
  assert.notEqual(a.members, c.members);
  assert.match(JSON.stringify(c.members), /late@example\.org/);
});
