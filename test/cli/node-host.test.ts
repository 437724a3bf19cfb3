/**
 * runtime/host/node-host.ts: the Node implementation of the services a run
 * needs from its host (time-zone offsets, .eml files, runtime errors in words).
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { EmlNotFound, NodeHost } from "../../runtime/host/node-host.js";
import { tempDir, type TempDir } from "../helpers/cli.js";

let t: TempDir;
before(() => {
  t = tempDir({
    "rules/mail/post.eml": "From: Ann <ann@example.org>\r\nTo: talk@example.org\r\nSubject: Hi\r\nMessage-ID: <x1@example.org>\r\n\r\nHello\r\n",
  });
});
after(() => t.remove());

test("tzFor: the zone's offsets with their changes; times before the range keep its first offset", () => {
  const host = new NodeHost();
  const from = Date.UTC(2026, 0, 1);
  const to = Date.UTC(2026, 11, 31);
  const table = host.tzFor("Europe/Paris", from, to);
  assert.deepEqual(
    table.map(([, off]) => off),
    [60, 120, 60],
  );
  assert.ok(table[0]![0] < from, "the first entry stands for all earlier times");
  assert.equal(table[1]![0], Date.UTC(2026, 2, 29, 1), "summer time starts at 01:00 UTC on the last Sunday of March");
  assert.deepEqual(host.tzFor("UTC", from, to).map(([, off]) => off), [0]);
});

test("loadEml: relative to the test file (itself relative to cwd); the envelope recipient is left to the run", async () => {
  const host = new NodeHost({ cwd: t.dir });
  const m = (await host.loadEml("mail/post.eml", "rules/echo.test.thwonk")) as Record<string, unknown>;
  assert.equal(m["from"], "ann@example.org");
  assert.equal(m["subject"], "Hi");
  assert.equal(m["messageId"], "x1@example.org");
  const env = m["envelope"] as Record<string, unknown>;
  assert.equal(env["sender"], "ann@example.org");
  assert.equal("recipient" in env, false);
  await assert.rejects(host.loadEml("mail/none.eml", "rules/echo.test.thwonk"), (e: unknown) => {
    assert.ok(e instanceof EmlNotFound);
    assert.equal(e.message, "cannot read mail/none.eml (named in rules/echo.test.thwonk): no such file");
    return true;
  });
});

test("describeRuleError: the catalog's words for the code and its material, with the place", () => {
  const host = new NodeHost();
  const e = host.describeRuleError({ code: "TW5012", args: ["lastPost", 10, 11], line: 7, column: 3 });
  assert.equal(e.code, "TW5012");
  assert.match(e.message, /`state\.lastPost` would grow to 11, over its declared `max 10`/);
  assert.equal(e.line, 7);
  assert.equal(e.column, 3);
  const unknown = host.describeRuleError({ code: "TW5999", args: [], line: 0, column: 0 });
  assert.equal(unknown.line, null);
  assert.match(unknown.message, /TW5999/);
});
