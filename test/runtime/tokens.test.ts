/**
 * Signed tokens (runtime/sandbox/tokens.ts), tried as an attacker would: a
 * real rule compiled and run on real QuickJS signs and verifies; a token for
 * another text or another list, cut short, with its expiry altered or
 * re-spelled, a MAC changed by one character, `__proto__` and friends, an
 * expired one: all refused. Huge texts are charged by their size. The key
 * never enters the sandbox: nothing a rule can reach holds it.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { compileSource } from "../../compiler/emit/bundle.js";
import { runBundle } from "../../runtime/run/run-rule.js";
import { encodeInput } from "../../runtime/input/build.js";
import { Engine } from "../../runtime/sandbox/engine.js";
import { TEST_TOKEN_KEY, tokenMac } from "../../runtime/sandbox/tokens.js";
import { resolveLimits } from "../../runtime/sandbox/types.js";
import { handInput, ruleErrorWords } from "../helpers/run-input.js";
import { bundle as handBundle } from "./harness.js";

const NOW = Date.UTC(2026, 10, 25, 12);
const DAY = 86_400_000;

/** The rule: `sign <text>` in the subject logs a token; `check <token> <text>` logs whether it verifies. */
const RULE = `rule tokens
limits { logs: 5, text: 200000 }
on message(m: Message) {
  if m.subject == "sign" {
    log(list.sign(m.text, now + 3d))
  } else {
    let token = m.subject.slice(6)
    log("{list.verify(token, m.text)}")
  }
}
`;
const compiled = compileSource("tokens.thwonk", RULE);
assert.ok(compiled.bundle, compiled.diagnostics.map((d) => d.message).join("\n"));
const rule = compiled.bundle;

interface Run {
  line: string;
  gas: { used: number; bound: number };
}

async function run(subject: string, text: string, o: { now?: number; list?: string; tokenKey?: string } = {}): Promise<Run> {
  const input = handInput(
    { now: o.now ?? NOW, limits: { members: 2, logs: 5, page: 20, text: 200000 }, ...(o.list ? { list: { address: o.list, name: "News", owners: [] } } : {}) },
    { subject, text },
  );
  const r = await runBundle(rule, { trigger: "message", input, ...(o.tokenKey ? { tokenKey: o.tokenKey } : {}) }, ruleErrorWords);
  assert.equal(r.error, null, JSON.stringify(r.error));
  assert.ok(r.gas.used <= r.gas.bound, `gas ${r.gas.used} over its bound ${r.gas.bound}`);
  const log = r.actions.find((a) => a.kind === "log") as unknown as { text: string };
  return { line: log.text, gas: r.gas };
}

const sign = async (text: string, o: Parameters<typeof run>[2] = {}): Promise<string> => (await run("sign", text, o)).line;
const verify = async (token: string, text: string, o: Parameters<typeof run>[2] = {}): Promise<boolean> => (await run(`check ${token}`, text, o)).line === "true";

test("a token is URL- and mail-safe text, the same for the same input, and verifies for its own text", async () => {
  const t = await sign("ann@example.org");
  assert.match(t, /^[0-9a-z]+\.[A-Za-z0-9_-]{43}$/);
  assert.ok(t.length <= 56);
  assert.equal(await sign("ann@example.org"), t, "deterministic: the run's now and the test key");
  // The expiry (now + 3 days, in base 36) is the first part; the MAC is the host's, with the documented test key.
  const expires = NOW + 3 * DAY;
  assert.equal(t, `${expires.toString(36)}.${tokenMac(TEST_TOKEN_KEY, "news@example.org", expires, JSON.stringify("ann@example.org"))}`);
  assert.equal(await verify(t, "ann@example.org"), true);
});

test("refused: another text, another list, another key", async () => {
  const t = await sign("ann@example.org");
  assert.equal(await verify(t, "bob@example.org"), false);
  assert.equal(await verify(t, "ann@example.org "), false);
  assert.equal(await verify(t, "ANN@example.org"), false);
  assert.equal(await verify(t, "ann@example.org", { list: "other@example.org" }), false);
  assert.equal(await verify(t, "ann@example.org", { tokenKey: "another list's key" }), false);
  const other = await sign("ann@example.org", { tokenKey: "another list's key" });
  assert.notEqual(other, t);
  assert.equal(await verify(other, "ann@example.org", { tokenKey: "another list's key" }), true);
});

test("refused: cut short, the MAC changed by one character, the expiry altered or spelled another way", async () => {
  const t = await sign("ann@example.org");
  const [exp, mac] = t.split(".") as [string, string];
  for (const bad of [
    t.slice(0, -1),
    t.slice(1),
    `${exp}.`,
    exp,
    `.${mac}`,
    `${exp}.${mac.slice(0, -1)}${mac.endsWith("A") ? "B" : "A"}`,
    `${(parseInt(exp, 36) + DAY).toString(36)}.${mac}`,
    `0${exp}.${mac}`,
    `${exp.toUpperCase()}.${mac}`,
    `-${exp}.${mac}`,
    `${exp}.${mac}x`,
    `${t} `,
    `${t}${t}`,
    "",
  ]) {
    assert.equal(await verify(bad, "ann@example.org"), false, JSON.stringify(bad));
  }
});

test("refused: tokens made of `__proto__`, constructor and other names, and a text that is one", async () => {
  for (const bad of ["__proto__", "__proto__.__proto__", "constructor.prototype", "toString", "0.__proto__", "hasOwnProperty.x"]) {
    assert.equal(await verify(bad, "__proto__"), false, bad);
  }
  const t = await sign("__proto__");
  assert.equal(await verify(t, "__proto__"), true);
  assert.equal(await verify(t, "constructor"), false);
});

test("the expiry is checked against the run's now: valid through it, refused after", async () => {
  const t = await sign("ann@example.org");
  assert.equal(await verify(t, "ann@example.org", { now: NOW + 3 * DAY }), true);
  assert.equal(await verify(t, "ann@example.org", { now: NOW + 3 * DAY + 1 }), false);
  assert.equal(await verify(t, "ann@example.org", { now: NOW - 365 * DAY }), true);
});

test("texts that differ only in lone surrogates, or in unicode, get different tokens", async () => {
  const a = await sign("\ud800");
  const b = await sign("\ud801");
  const c = await sign("\ufffd");
  assert.equal(new Set([a, b, c]).size, 3);
  assert.equal(await verify(a, "\ud801"), false);
  assert.equal(await verify(await sign("Zoë 😀"), "Zoë 😀"), true);
});

test("a huge text is signed and verified within the bound, charged by its size", async () => {
  const small = await run("sign", "x");
  const huge = "😀".repeat(100_000);
  const big = await run("sign", huge);
  assert.ok(big.gas.used > small.gas.used + 100_000 / 4, `${big.gas.used} vs ${small.gas.used}: a huge text costs by its size`);
  assert.equal(await verify(big.line, huge), true);
  assert.equal(await verify(big.line, huge.slice(0, -2)), false);
});

test("a run given no key fails with TW5050 instead of signing with some other key", async () => {
  const engine = new Engine({ limits: resolveLimits({}), strategy: "fresh" });
  const { inputJson, members } = encodeInput({ ...handInput({}, { subject: "sign", text: "x" }), gas: 10_000, fanout: 0 } as never);
  const r = await engine.run(rule.code.text, "tokens", "message", inputJson, members);
  assert.ok(r.result.ok, JSON.stringify(r.result));
  const out = JSON.parse(r.result.output) as { error: { code: string } | null; actions: unknown[] };
  assert.equal(out.error?.code, "TW5050");
  assert.deepEqual(out.actions, []);
});

test("the key never enters the sandbox: nothing reachable from the global object holds it, before, during or after a sign", async () => {
  const key = "S3CRET-list-key-0123456789";
  // Walks every own property (enumerable or not) of everything reachable from globalThis, and what the host
  // functions say of themselves and return for odd arguments, into one text the host then searches.
  const probe = handBundle(`
    var seen = new Set(), out = [];
    function walk(v, depth) {
      if (v === null || (typeof v !== "object" && typeof v !== "function")) { out.push(String(v)); return; }
      if (seen.has(v) || depth > 6) return;
      seen.add(v);
      if (typeof v === "function") { try { out.push(Function.prototype.toString.call(v)); } catch (e) { out.push(String(e)); } }
      for (var k of Reflect.ownKeys(v)) {
        out.push(String(k));
        var d = Object.getOwnPropertyDescriptor(v, k);
        if (d && "value" in d) walk(d.value, depth + 1);
      }
      walk(Object.getPrototypeOf(v), depth + 1);
    }
    walk(globalThis, 0);
    out.push(String(__host_sign("list@example.org", 1, '"x"')));
    out.push(String(__host_sign()), String(__host_sign({ toString: function () { return "x"; } }, "1", 2)));
    out.push(String(__host_verify("list@example.org", 1, '"x"', "")));
    walk(globalThis, 0);
    return JSON.stringify(out.join("\\n"));
  `);
  const engine = new Engine({ limits: resolveLimits({}), strategy: "reuse" });
  for (let i = 0; i < 2; i++) {
    const r = await engine.run(probe, "probe", "message", "{}", undefined, { tokenKey: key });
    assert.ok(r.result.ok, JSON.stringify(r.result));
    const text = JSON.parse(r.result.output) as string;
    assert.ok(text.length > 10_000, "the walk reached the built-ins");
    assert.ok(text.includes("__host_sign"), "the walk reached the host functions");
    assert.ok(!text.includes(key) && !text.includes(Buffer.from(key).toString("hex")) && !text.includes(Buffer.from(key).toString("base64")), "the key is nowhere");
    // Odd arguments get null, never an error that could carry anything.
    assert.ok(text.includes("\nnull\nnull\n"), "odd arguments give null");
  }
});
