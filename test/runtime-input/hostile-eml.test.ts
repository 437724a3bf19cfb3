/**
 * Mail chosen by strangers: a header of tens of thousands of addresses costs
 * the host no more than the limits allow. Proved by outcomes, not timings:
 * with the rule's limits, a message over them is refused before any field
 * is parsed (nothing is built), and addresses stop one past the limit.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { parseEml } from "../../runtime/input/eml.js";
import { checkMessage, type RuleLimits } from "../../runtime/input/limits.js";
import { main } from "../../cli/main.js";
import { BufferStream } from "../../cli/io.js";
import { tempDir } from "../helpers/cli.js";
import { repoRoot } from "../helpers/repo.js";
import { join } from "node:path";

const addresses = (n: number, domain = "example.org"): string[] => Array.from({ length: n }, (_, i) => `u${i}@${domain}`);
const eml = (to: string[], cc: string[] = []): string =>
  `From: ann@example.org\r\nTo: ${to.join(", ")}\r\n${cc.length ? `Cc: ${cc.join(", ")}\r\n` : ""}Subject: hi\r\nMessage-ID: <x@example.org>\r\n\r\nhello\r\n`;

test("60,000 To addresses under the default limits: refused from the header block, no address is parsed", async () => {
  const r = await parseEml(eml(addresses(60_000)), { limits: {} });
  assert.deepEqual(r.refused.map((p) => p.code), ["TW5020"]);
  assert.match(r.refused[0]!.message, /longest header field, To,.*limits\.header/);
  assert.deepEqual(r.message.to, []);
  assert.equal(r.message.from, null);
});

test("addresses stop one past limits.recipients, counted over To and Cc together", async () => {
  const limits: RuleLimits = { header: { value: 8192, unit: "characters" }, recipients: { value: 50, unit: "items" } };
  for (const n of [200, 500]) {
    const r = await parseEml(eml(addresses(n, "x.io"), addresses(n, "y.io")), { limits });
    assert.deepEqual(r.refused, []);
    // The same outcome at 200 and at 500: the work stops at the limit, whatever the message holds.
    assert.equal(r.message.to.length, 51);
    assert.equal(r.message.cc.length, 0);
    assert.deepEqual(checkMessage(r.message, limits).map((p) => p.code), ["TW5020"]);
  }
  const within = await parseEml(eml(addresses(30), addresses(20, "example.net")), { limits });
  assert.equal(within.message.to.length + within.message.cc.length, 50);
  assert.deepEqual(checkMessage(within.message, limits), []);
});

test("without limits every address is read, each once, in order (duplicates in any case form)", async () => {
  const list = addresses(20_000);
  const doubled = [...list, ...list.map((a) => a.toUpperCase()), ...list];
  const r = await parseEml(eml(doubled));
  assert.equal(r.message.to.length, 20_000);
  assert.deepEqual(r.message.to.slice(0, 3), ["u0@example.org", "u1@example.org", "u2@example.org"]);
  assert.equal(r.message.to.at(-1), "u19999@example.org");
});

test("thwonkc run refuses a message of 60,000 recipients before parsing it (exit 1, TW5020)", async () => {
  const t = tempDir({ "big.eml": eml(addresses(60_000)) });
  try {
    const out = new BufferStream();
    const err = new BufferStream();
    const rule = join(repoRoot, "examples", "trim140", "trim140.thwonk");
    const code = await main(["run", rule, "--message", "big.eml"], { cwd: t.dir, env: {}, stdout: out, stderr: err });
    assert.equal(code, 1, err.text());
    assert.match(err.text(), /refused[\s\S]*TW5020[\s\S]*To/);
    assert.equal(out.text(), "");
  } finally {
    t.remove();
  }
});
