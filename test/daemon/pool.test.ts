/**
 * The daemon's pool as a list's runs see it (runner.ts listPool): each run
 * with its rule's own memory limit, the list, and its members' version.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { compileSource, type Bundle } from "../../compiler/index.js";
import { parseEml } from "../../runtime/input/index.js";
import { bundleInput } from "../../runtime/run/input.js";
import { runBundle } from "../../runtime/run/run-rule.js";
import { createSandboxPool } from "../../runtime/sandbox/index.js";
import { listPool } from "../../runtime/daemon/runner.js";

const SOURCE = `rule forward

limits { members: 10, fanout: 10, text: 1000000, memory: 128 * 1024 * 1024 }

on message(m: Message) {
  send(to: members, subject: m.subject, text: m.text, from: "sender", replyTo: "list")
}
`;
const words = { describeRuleError: (e: { code: string; message: string }) => ({ code: e.code, message: e.message, line: null, column: null }) };

function compiled(): Bundle {
  const r = compileSource("forward.thwonk", SOURCE);
  assert.ok(r.bundle, r.diagnostics.map((d) => d.message).join("; "));
  return r.bundle;
}

/** The same bundle declaring another memory limit (the verifier would refuse one this small: the sandbox enforces it regardless). */
function declaring(b: Bundle, bytes: number): Bundle {
  return { ...b, sha256: `${b.sha256}-${bytes}`, manifest: { ...b.manifest, limits: { ...b.manifest.limits, memory: { ...b.manifest.limits["memory"]!, value: bytes } } } };
}

async function run(pool: ReturnType<typeof createSandboxPool>, b: Bundle, address: string, version: number, members: string[], textChars: number) {
  const raw = Buffer.from(`From: a@example.org\r\nSubject: hi\r\n\r\n${"word ".repeat(textChars / 5)}\r\n`);
  const parsed = await parseEml(raw, { listAddress: address, envelope: { mailFrom: "a@example.org", rcptTo: address }, limits: {} });
  const input = bundleInput(b, {
    now: 0,
    address,
    members: members.map((m, k) => ({ address: m, name: `M ${k}`, role: "member", joined: 0 })),
    state: null,
    message: parsed.message,
    messageSize: parsed.size,
  });
  return runBundle(b, { trigger: "message", input, pool: listPool(pool, address, b, version) }, words as never);
}

test("a rule's declared memory limit is its run's limit in the daemon's pool", async () => {
  const b = compiled();
  // The pool as the daemon makes it: with the largest limit among the deployed rules.
  const pool = createSandboxPool({ workers: 1, memoryLimitBytes: 256 << 20 });
  try {
    const big = await run(pool, b, "big@lists.example", 1, ["x@example.org"], 990_000);
    assert.equal(big.error, null, JSON.stringify(big.error));
    assert.deepEqual(big.actions.map((a) => a["to"]), [["x@example.org"]]);
    const small = await run(pool, declaring(b, 64 << 10), "small@lists.example", 1, ["x@example.org"], 990_000);
    assert.equal(small.error?.code, "TW5002", JSON.stringify(small.error));
  } finally {
    await pool.close();
  }
});

test("lists sharing a bundle each get their own members; a new members version is used", async () => {
  const b = compiled();
  const pool = createSandboxPool({ workers: 2 });
  try {
    const to = async (address: string, version: number, members: string[]) => (await run(pool, b, address, version, members, 100)).actions.map((a) => a["to"]);
    assert.deepEqual(await to("a@lists.example", 1, ["a1@example.org"]), [["a1@example.org"]]);
    assert.deepEqual(await to("b@lists.example", 1, ["b1@example.org", "b2@example.org"]), [["b1@example.org", "b2@example.org"]]);
    assert.deepEqual(await to("a@lists.example", 2, ["a1@example.org", "a9@example.org"]), [["a1@example.org", "a9@example.org"]]);
    assert.deepEqual(await to("b@lists.example", 1, ["b1@example.org", "b2@example.org"]), [["b1@example.org", "b2@example.org"]]);
  } finally {
    await pool.close();
  }
});
