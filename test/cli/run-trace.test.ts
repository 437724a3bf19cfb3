/**
 * `thwonkc run --trace` says which way each `if` went, each loop
 * iteration's variables (a member in full: address, name, role, joined),
 * the value of each `let`, and the gas used so far and since the step
 * before. The real bundled example, run in QuickJS through the CLI.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { runCli, tempDir } from "../helpers/cli.js";

const root = process.cwd();
const RULE = readFileSync(join(root, "examples", "bumplist", "bumplist.thwonk"), "utf8");
const MEMBERS = JSON.stringify([
  { address: "m1@example.org", name: "One", joined: "2026-11-01T12:00:00Z" },
  { address: "m2@example.org", name: "Ünï \"Two\"", joined: "2026-10-01T12:00:00Z" },
]);
const SUBSCRIBE = ["From: Zoe <zoe@example.org>", "To: bumplist-request@example.org", "Subject: subscribe", "Message-ID: <9@example.org>", "", "", ""].join("\r\n");

test("--trace: each if's direction, each iteration's member in full, let values, gas so far and per step", async () => {
  const t = tempDir({ "bumplist.thwonk": RULE, "members.json": MEMBERS, "sub.eml": SUBSCRIBE });
  try {
    const args = ["run", "bumplist.thwonk", "-m", "sub.eml", "--members", "members.json", "--at", "2026-11-25T12:00", "--rcpt-to", "bumplist-request@example.org", "--trace", "--no-color"];
    const r = await runCli(args, { cwd: t.dir });
    assert.equal(r.code, 0, r.stderr);
    const out = r.stdout;
    assert.match(out, /\n {2}27:3 +if m\.envelope\.isRequest \{ +gas \d+ \+\d+\n {2}27:3 +→ true: its block runs +gas \d+\n/);
    assert.match(out, /\n {2}48:3 +→ false: its block is skipped +gas \d+/);
    // The member in full, its name quoted as it is (the JSON escapes inside), the time as an instant.
    assert.match(out, /\n {2}102:3 +→ member = \{ address: "m1@example\.org", name: "One", role: "member", joined: 2026-11-01T12:00:00Z, bounces: 0 \}/);
    assert.match(out, /→ member = \{ address: "m2@example\.org", name: "Ünï \\"Two\\"", role: "member", joined: 2026-10-01T12:00:00Z, bounces: 0 \}/);
    assert.match(out, /\n {2}51:3 +→ command = "subscribe" +gas \d+ \+\d+\n/);
    // The gas per step adds up to the gas so far.
    const steps = [...out.matchAll(/gas ([\d,]+)(?: \+([\d,]+))?\n/g)].map((m) => ({ so: Number(m[1]!.replace(/,/g, "")), since: Number((m[2] ?? "0").replace(/,/g, "")) }));
    assert.ok(steps.length > 20);
    let sum = 0;
    for (const s of steps) {
      sum += s.since;
      assert.equal(sum, s.so);
    }
    // The JSON trace has the same steps, the condition as a bool's words.
    const j = await runCli([...args.filter((a) => a !== "--no-color"), "--json"], { cwd: t.dir });
    const trace = (JSON.parse(j.stdout) as { trace: { what: string; value: string; line: number }[] }).trace;
    assert.deepEqual(trace.filter((s) => s.what === "if").slice(0, 2).map((s) => [s.line, s.value]), [[27, "true"], [48, "false"]]);
    assert.equal(trace.filter((s) => s.what === "for member").length, 3);
  } finally {
    t.remove();
  }
});

test("--trace of a loop over a map shows key and value; a long value is clipped, not the run", async () => {
  const rule = `rule maps

state { counts: Map<string max 300, int> max 100 = {} }

on message(m: Message) {
  if state.counts.size < 100 {
    state.counts.set(m.subject.truncate(300), 1)
  }
  for k, v in state.counts {
    if v > 0 {
      log("{k}")
    }
  }
}
`;
  const long = "x".repeat(300);
  const eml = ["From: ann@example.org", "To: maps@example.org", `Subject: ${long}`, "Message-ID: <1@example.org>", "", "", ""].join("\r\n");
  const t = tempDir({ "maps.thwonk": rule, "m.eml": eml });
  try {
    const r = await runCli(["run", "maps.thwonk", "-m", "m.eml", "--trace", "--no-color"], { cwd: t.dir });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /→ k, v = \["x{20,}…/);
    assert.match(r.stdout, /\n {2}10:5 +→ true: its block runs/);
  } finally {
    t.remove();
  }
});
