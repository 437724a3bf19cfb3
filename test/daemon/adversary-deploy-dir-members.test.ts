/**
 * `thwonkd --deploy DIR` whose members file has an entry the members import refuses (one line of members.txt at
 * `bob<U+200B>@example.org`, an address the one address rule refuses since contract/values.ts INVISIBLE; or any line
 * that is no address): the import, all or nothing, is refused (TW6018), and that Refusal came out of the start as an
 * uncaught exception, a stack trace and exit 1, with the list deployed and nothing listening. Now the start goes
 * on, as it does past a rule that does not compile: the file is named in a warning with the reason, and the list
 * is there without its members (the next start tries the file again while the list has none).
 * A real thwonkd, real SMTP (nodemailer) on 127.0.0.1.
 */
import assert from "node:assert/strict";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import nodemailer from "nodemailer";
import { readStore, startDaemon, until, workspace } from "./helpers.js";

test("a --deploy members file with a refused entry: the start goes on, the list deployed without them, a warning says why", async () => {
  const ws = workspace({ seed: { example: "trim140" }, other: { example: "trim140" } });
  writeFileSync(join(ws.rules, "seed", "members.txt"), "ann@example.org\nbob\u200b@example.org\n");
  writeFileSync(join(ws.rules, "other", "members.txt"), "carl@example.org\n");
  const d = await startDaemon(ws);
  try {
    assert.deepEqual([...(d.ports as unknown as { lists: string[] }).lists].sort(), ["other@example.org", "seed@example.org"]);
    // The log's lines reach stderr on their own time, not before the ready line on stdout.
    const warning = await until("the warning", () => {
      const w = d
        .stderr()
        .split("\n")
        .filter((l) => l.includes("members not imported"))
        .map((l) => JSON.parse(l) as { file: string; problem: string });
      return w.length ? w : undefined;
    });
    assert.equal(warning.length, 1, d.stderr());
    assert.equal(warning[0]!.file, join(ws.rules, "seed", "members.txt"));
    assert.match(warning[0]!.problem, /^TW6018 .*import:2/);
    // The problem's own full stop ends it, before the advice: not two.
    assert.match(warning[0]!.problem, /Fix or remove that entry\. Fix those entries and try again\.$/);
    const members = readStore(ws.data, (db) => db.prepare("SELECT address, member FROM members ORDER BY address, pos").all() as { address: string; member: string }[]);
    assert.deepEqual(members, [{ address: "other@example.org", member: "carl@example.org" }], "the other directory's members imported, the refused file's none");
    const t = nodemailer.createTransport({ host: "127.0.0.1", port: d.ports.smtp, secure: false, ignoreTLS: true });
    try {
      assert.match((await t.sendMail({ from: "carl@example.org", to: "other@example.org", subject: "hi", text: "hi" })).response, /^250/);
    } finally {
      t.close();
    }
  } finally {
    assert.equal(await d.stop(), 0);
    rmSync(ws.dir, { recursive: true, force: true });
  }
});
