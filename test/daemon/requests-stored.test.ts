/**
 * Lists deployed before the compiler recorded whether a rule answers its -request address (a bundle of stdlib
 * 0.2.0 does not say): at start thwonkd compiles such a stored bundle again, so trim140's -request mail is answered
 * by thwonkd from then on; one whose source no longer compiles keeps its old bundle and its -request mail goes to
 * its rule, as before (compiler/emit/bundle.ts ruleAnswersRequests).
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import Database from "better-sqlite3";
import { Daemon } from "../../runtime/daemon/daemon.js";
import { createLogger } from "../../runtime/daemon/log.js";
import { answeredByDaemon } from "../../runtime/daemon/requests.js";
import { stdlib } from "../../stdlib/index.js";
import { repoRoot } from "../helpers/repo.js";

const LIST = "trim140@example.org";
const open = (dir: string): Promise<Daemon> => Daemon.open({ dataDir: dir, log: createLogger({ level: "silent", pretty: false }), workers: 1 });

/** Every stored bundle made as an older compiler wrote it: stdlib 0.2.0 (and, with `source`, another source). */
function aged(dir: string, source?: string, version = "0.2.0", code?: (text: string) => string): void {
  const db = new Database(join(dir, "thwonkd.sqlite"));
  try {
    for (const row of db.prepare("SELECT hash, json FROM bundles").all() as { hash: string; json: string }[]) {
      const b = JSON.parse(row.json) as { manifest: { stdlib: string }; source: { text: string }; code: { text: string } };
      b.manifest.stdlib = version;
      if (code) b.code.text = code(b.code.text);
      if (source !== undefined) b.source.text = source;
      db.prepare("UPDATE bundles SET json = ? WHERE hash = ?").run(JSON.stringify(b), row.hash);
    }
  } finally {
    db.close();
  }
}

test("a stored bundle of stdlib 0.2.0 is compiled again at start: thwonkd then answers trim140's -request address", async () => {
  const dir = mkdtempSync(join(tmpdir(), "thwonkd-requests-"));
  try {
    let daemon = await open(dir);
    const r = await daemon.deploy({ source: readFileSync(join(repoRoot, "examples/trim140/trim140.thwonk"), "utf8"), fileName: "trim140.thwonk", addresses: [LIST] });
    assert.ok(r.ok);
    await daemon.close();
    aged(dir);
    daemon = await open(dir);
    try {
      assert.equal(daemon.runner.bundleAt(LIST)!.manifest.stdlib, stdlib.version);
      assert.equal(answeredByDaemon(daemon, LIST, "trim140-request@example.org"), true);
      assert.equal(answeredByDaemon(daemon, LIST, LIST), false, "the list's own address runs the rule");
    } finally {
      await daemon.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a stored bundle of stdlib 0.2.0 whose source no longer compiles is kept, and its rule still gets its -request mail", async () => {
  const dir = mkdtempSync(join(tmpdir(), "thwonkd-requests-"));
  try {
    let daemon = await open(dir);
    await daemon.deploy({ source: readFileSync(join(repoRoot, "examples/trim140/trim140.thwonk"), "utf8"), fileName: "trim140.thwonk", addresses: [LIST] });
    await daemon.addMembers(LIST, [{ address: "ann@example.org", name: "Ann" }]);
    await daemon.close();
    aged(dir, "rule trim140\n\non message(m: Message) { this does not compile }\n");
    daemon = await open(dir);
    try {
      daemon.start();
      assert.ok(daemon.startReport.some((l) => l.includes("TW6013")), daemon.startReport.join("\n"));
      assert.equal(answeredByDaemon(daemon, LIST, "trim140-request@example.org"), false);
      const raw = Buffer.from("From: <ann@example.org>\r\nTo: <trim140-request@example.org>\r\nSubject: unsubscribe\r\nMessage-ID: <u.1@example.org>\r\n\r\n\r\n");
      const a = await daemon.deliver({ address: LIST, rcptTo: "trim140-request@example.org", mailFrom: "ann@example.org", raw, receivedAt: Date.now() });
      assert.equal(a.code, 250);
      const run = (await daemon.store.run(a.runId!))!;
      assert.equal(run.trigger, "message", "the old rule ran, as before");
      // The defect as it was for every list: the member's "unsubscribe" went to the whole list.
      assert.ok(run.actions.some((x) => x.kind === "send" && x["subject"] === "unsubscribe" && x.to.join() === "ann@example.org"), JSON.stringify(run.actions));
    } finally {
      await daemon.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a stored bundle of stdlib 0.3.0 (its prelude's isAutomated() without the de facto markers) is compiled again at start", async () => {
  const dir = mkdtempSync(join(tmpdir(), "thwonkd-requests-"));
  const AWAY = "rule away\n\non message(m: Message) {\n  if m.isAutomated() { return }\n  reply(m, text: \"got it\")\n}\n";
  try {
    let daemon = await open(dir);
    const r = await daemon.deploy({ source: AWAY, fileName: "away.thwonk", addresses: [LIST] });
    assert.ok(r.ok, JSON.stringify(r));
    const deployed = daemon.runner.bundleAt(LIST)!.sha256;
    await daemon.close();
    // As stdlib 0.3.0 compiled it: its prelude read no X-Autoreply (the code runs as it is stored: runtime/sandbox/bundle.ts).
    aged(dir, undefined, "0.3.0", (text) => {
      const old = text.replace('any("X-Autoreply", notNo) ||', "false ||");
      assert.notEqual(old, text);
      return old;
    });
    daemon = await open(dir);
    try {
      daemon.start();
      const now = daemon.runner.bundleAt(LIST)!;
      assert.equal(now.manifest.stdlib, stdlib.version);
      assert.equal(now.sha256, deployed, "the source compiled again is the bundle deployed");
      const raw = Buffer.from("From: <ann@example.org>\r\nTo: <trim140@example.org>\r\nSubject: away\r\nX-Autoreply: yes\r\nMessage-ID: <a.1@example.org>\r\n\r\nI am away.\r\n");
      const a = await daemon.deliver({ address: LIST, rcptTo: LIST, mailFrom: "ann@example.org", raw, receivedAt: Date.now() });
      assert.equal(a.code, 250);
      const run = (await daemon.store.run(a.runId!))!;
      assert.deepEqual(run.actions, [], "the auto-reply is not answered");
    } finally {
      await daemon.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
