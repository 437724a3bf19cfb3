/**
 * Odd and hostile input to `thwonkc run`, in-process (cli/main.ts): documents
 * nested thousands deep, years before 100, offsets that are not offsets,
 * durations past 2^53. Each is refused cleanly or handled exactly; none
 * crashes (exit 70).
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { main } from "../../cli/main.js";
import { BufferStream } from "../../cli/io.js";
import { parseAt } from "../../cli/run.js";
import { parseMailDate } from "../../runtime/input/maildate.js";
import { tempDir, type TempDir } from "../helpers/cli.js";

async function cli(t: TempDir, ...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out = new BufferStream();
  const err = new BufferStream();
  const code = await main(args, { cwd: t.dir, env: {}, stdout: out, stderr: err });
  return { code, out: out.text(), err: err.text() };
}

const nestedArray = (depth: number): string => "[".repeat(depth) + "0" + "]".repeat(depth);
const nestedObject = (depth: number): string => '{"a":'.repeat(depth) + "1" + "}".repeat(depth);

const RULE = `rule odd

state {
  names: List<string max 20> max 5 = []
  total: Duration = 0s
}

on message(m: Message) {
  state.total = state.total + 9007199254740991ms
  log("{now.year}")
}
`;

let t: TempDir;
before(() => {
  t = tempDir({
    "odd.thwonk": RULE,
    "m.eml": "From: ann@example.org\r\nTo: odd@example.org\r\nSubject: s\r\n\r\nt\r\n",
  });
});
after(() => t.remove());

test("a --state file nested 3,000 or 5,000 deep is refused with exit 2, not a crash", async () => {
  for (const depth of [3000, 5000]) {
    for (const [kind, doc] of [["arrays", nestedArray(depth)], ["objects", nestedObject(depth)]] as const) {
      t.write("deep.json", `{"names":${doc}}`);
      const r = await cli(t, "run", "odd.thwonk", "--message", "m.eml", "--state", "deep.json");
      assert.equal(r.code, 2, `${depth} ${kind}: ${r.err}`);
      assert.match(r.err, /nests deeper than 100 levels/);
    }
  }
  // A state within the limit is read as before.
  t.write("ok.json", `{"names":["ann"],"total":0}`);
  const ok = await cli(t, "run", "odd.thwonk", "--message", "m.eml", "--state", "ok.json", "--json");
  assert.notEqual(ok.code, 70);
});

test("a bundle nested 5,000 deep is refused as malformed (TW4001), not a crash", async () => {
  const compiled = await cli(t, "compile", "odd.thwonk", "-o", "odd.thwb");
  assert.equal(compiled.code, 0, compiled.err);
  const bundle = JSON.parse(readFileSync(t.path("odd.thwb"), "utf8")) as Record<string, unknown>;
  for (const depth of [3000, 5000]) {
    const text = JSON.stringify(bundle).replace(/^\{/, `{"extra":${nestedObject(depth)},`);
    t.write("deep.thwb", text);
    const r = await cli(t, "run", "deep.thwb", "--message", "m.eml");
    assert.ok(r.code === 1 || r.code === 2, `exit ${r.code}: ${r.err}`);
    assert.match(r.err, /TW4001[\s\S]*nests deeper than 100 levels/);
  }
});

test("--at reads years 0000–0099 as written, and refuses an offset that is not one", async () => {
  assert.equal(new Date(parseAt("0000-01-01", "UTC")).getUTCFullYear(), 0);
  assert.equal(new Date(parseAt("0050-06-01T12:00Z", "UTC")).toISOString(), "0050-06-01T12:00:00.000Z");
  assert.equal(parseAt("2026-11-25T12:00+14:00", "UTC"), Date.UTC(2026, 10, 24, 22));
  const year = await cli(t, "run", "odd.thwonk", "--message", "m.eml", "--at", "0000-01-01");
  assert.equal(year.code, 0, year.err);
  assert.match(year.out, /at 0000-01-01T00:00:00Z/);
  assert.match(year.out, /log: 0\b/);
  for (const bad of ["2026-01-01T00:00+99:99", "2026-01-01T00:00+18:01", "2026-01-01T00:00-12:60"]) {
    const x = await cli(t, "run", "odd.thwonk", "--message", "m.eml", "--at", bad);
    assert.equal(x.code, 2, bad);
    assert.match(x.err, /is not a UTC offset/);
  }
  assert.equal(parseMailDate("Wed, 25 Nov 2026 09:00:00 +9999"), undefined);
  assert.equal(parseMailDate("2026-11-25T09:00:00+99:99"), undefined);
  assert.equal(parseMailDate("Wed, 25 Nov 2026 09:00:00 -0130"), Date.UTC(2026, 10, 25, 10, 30));
});

test("Duration + Duration past 2^53 is an overflow error (TW5011), never an inexact duration", async () => {
  t.write("big.json", `{"names":[],"total":9007199254740991}`);
  const r = await cli(t, "run", "odd.thwonk", "--message", "m.eml", "--state", "big.json", "--json");
  assert.equal(r.code, 1, r.err);
  const out = JSON.parse(r.out) as { error: { code: string; line: number } };
  assert.equal(out.error.code, "TW5011");
  assert.equal(out.error.line, 9);
});
