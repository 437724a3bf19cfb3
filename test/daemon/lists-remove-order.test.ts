/**
 * Removing a list, in the daemon's own order (a Daemon in this process, its list's queue held by a test's gate): a
 * deploy and a message queued behind the removal find the list gone (the deploy then starts a new list, the message
 * gets 550 and is not stored); what the removal drops (held messages expire, the published pages, the signing key)
 * and keeps (the published HTML in its run).
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { repoRoot } from "../helpers/repo.js";
import Database from "better-sqlite3";
import { compileSource, serializeBundle } from "../../compiler/index.js";
import { Daemon } from "../../runtime/daemon/daemon.js";
import { HeldRefusal } from "../../runtime/daemon/holds.js";
import { createLogger } from "../../runtime/daemon/log.js";
import { REMOVED_NOTE } from "../../runtime/daemon/store/sqlite-lists.js";
import { openSchemaBefore, openSqliteStore } from "../../runtime/daemon/store/sqlite.js";
import { listDaemon, postTo } from "./helpers.js";

const PULSE = `rule pulse

limits { members: 20, fanout: 20 }

state { n: int = 0 }

on message(m: Message) {
  if state.n < 1000000 {
    state.n = state.n + 1
  }
  send(to: members, subject: m.subject, text: m.text)
}
`;
const HOLDER = `rule holder

on message(m: Message) {
  if not m.approved {
    hold("wait")
  }
}
`;

test("a deploy and a message queued behind a removal: the deploy starts a new list, the message gets 550, unstored", async () => {
  const X = "x@example.org";
  const l = await listDaemon({ source: PULSE, fileName: "pulse.thwonk", addresses: [X] });
  try {
    assert.equal((await postTo(l.daemon, X, "ann@example.org", "before")).code, 250);
    const keyBefore = await l.daemon.store.tokenKey(X);
    let open!: () => void;
    const gate = new Promise<void>((r) => (open = r));
    const holding = l.daemon.runner.withList(X, () => gate);
    const removing = l.daemon.removeList(X);
    const posting = postTo(l.daemon, X, "ann@example.org", "behind the removal");
    const deploying = l.daemon.deploy({ source: `${PULSE}\n// the next version\n`, fileName: "pulse.thwonk", addresses: [X] });
    // The deploy reaches the list's queue (its swap, behind the removal) before the gate opens.
    await new Promise((r) => setTimeout(r, 200));
    open();
    await holding;
    const removed = await removing;
    assert.equal(removed.members, 1);
    assert.equal(removed.address, X);
    assert.equal((await posting).code, 550);
    const dep = await deploying;
    assert.equal(dep.ok, true, JSON.stringify(dep));
    assert.equal(l.daemon.runner.bundleAt(X)?.sha256, dep.hash);
    assert.deepEqual((await l.daemon.members(X)).members, [], "a new list: no members");
    assert.equal((await l.daemon.stateAsDeployed(X)).state, null, "and the rule's initial state");
    assert.notEqual(await l.daemon.store.tokenKey(X), keyBefore, "a new signing key");
    const subjects = (await l.daemon.store.messages({ address: X })).length;
    assert.equal(subjects, 1, "only the message before the removal is stored");
    // A message to the new list runs on it.
    await l.daemon.addMembers(X, [{ address: "bob@example.org" }]);
    assert.deepEqual(await postTo(l.daemon, X, "bob@example.org", "new"), { code: 250, to: ["bob@example.org"] });
  } finally {
    await l.close();
  }
});

test("removal expires the held messages (approval refused after) and drops the published pages, kept in their runs", async () => {
  const H = "held@example.org";
  const P = "archive@example.org";
  const l = await listDaemon({ source: HOLDER, fileName: "holder.thwonk", addresses: [H] });
  try {
    const held = await postTo(l.daemon, H, "ann@example.org", "wait for me");
    assert.equal(held.code, 250);
    const [h] = await l.daemon.store.heldMessages({ address: H });
    assert.ok(h);
    const r = await l.daemon.removeList(H);
    assert.equal(r.held, 1);
    assert.match(r.message, /^TW6046 .*its 1 held message expired/);
    const after = (await l.daemon.store.heldMessage(h.id))!;
    assert.equal(after.status, "expired");
    assert.equal(after.note, REMOVED_NOTE);
    assert.equal((await l.daemon.store.message(h.id))!.status, "expired");
    await assert.rejects(l.daemon.holds.approve(h.id), HeldRefusal);

    const archive = readFileSync(join(repoRoot, "examples", "archive", "archive.thwonk"), "utf8");
    assert.equal((await l.daemon.deploy({ source: archive, fileName: "archive.thwonk", addresses: [P] })).ok, true);
    await l.daemon.addMembers(P, [{ address: "ann@example.org" }]);
    const a = await l.daemon.runner.deliver({
      address: P,
      rcptTo: P,
      mailFrom: "ann@example.org",
      raw: Buffer.from(`From: <ann@example.org>\r\nTo: <${P}>\r\nSubject: first\r\nMessage-ID: <p1@example.org>\r\n\r\nhello\r\n`),
      receivedAt: Date.now(),
    });
    assert.equal(a.code, 250);
    assert.ok(await l.daemon.store.published(P, "index.html"));
    await l.daemon.removeList(P);
    assert.equal(await l.daemon.store.published(P, "index.html"), undefined, "no longer served, nor a new list's");
    const run = (await l.daemon.store.run(a.runId!))!;
    assert.ok(run.actions.some((x) => x.kind === "publish" && x["path"] === "index.html" && String(x["html"]).includes("first")), "the page's HTML stays in its run");
  } finally {
    await l.close();
  }
});

test("a store of the schema before removals is migrated: its lists and failed runs as they were, none removed", async () => {
  const dir = mkdtempSync(join(tmpdir(), "thwonkd-removals-"));
  try {
    const file = join(dir, "thwonkd.sqlite");
    const db = openSchemaBefore(file, "list_removals");
    db.prepare("INSERT INTO bundles (hash, rule, compiler, source, json, created_at) VALUES ('h', 'r', 'c', '', '{}', 0)").run();
    db.prepare("INSERT INTO lists (address, hash) VALUES ('old@example.org', 'h')").run();
    db.prepare("INSERT INTO deployments (address, hash, deployed_at) VALUES ('old@example.org', 'h', 5)").run();
    db.prepare("INSERT INTO members (address, member, pos, name, role, joined) VALUES ('old@example.org', 'ann@example.org', 1, '', 'member', 0)").run();
    db.prepare(
      "INSERT INTO runs (address, trigger, message_id, now, bundle_hash, outcome, error, gas_used, gas_bound, actions, replay_of, created_at) VALUES ('old@example.org', 'every day', NULL, 0, 'h', 'failed', NULL, 0, 0, '[]', NULL, 0)",
    ).run();
    db.close();
    const store = openSqliteStore(file);
    try {
      assert.deepEqual(await store.removals(), []);
      assert.equal((await store.runs())[0]!.replayable, true);
      assert.deepEqual([...(await store.listCounts())], [["old@example.org", { members: 1, held: 0 }]]);
      const r = await store.removeList("old@example.org", 9);
      assert.deepEqual([r.members, r.lastRun, r.rule], [1, 1, "r"]);
      assert.equal((await store.runs())[0]!.replayable, false, "a removed list's run is not replayable");
      assert.deepEqual(await store.deployments(), []);
      assert.equal((await store.deploymentHistory("old@example.org")).length, 1, "its history kept");
      await assert.rejects(store.removeList("old@example.org", 10), /no list is deployed/);
    } finally {
      await store.close();
    }
    const again = openSqliteStore(file);
    assert.equal((await again.removals("OLD@example.org")).length, 1);
    await again.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a list whose bundle is missing from the store (reported at each start, no mail) is removable, and no longer reported", async () => {
  const dir = mkdtempSync(join(tmpdir(), "thwonkd-stray-"));
  const S = "stray@example.org";
  const open = () => Daemon.open({ dataDir: dir, log: createLogger({ level: "silent", pretty: false }), workers: 1 });
  try {
    const file = join(dir, "thwonkd.sqlite");
    const store = openSqliteStore(file);
    const b = compileSource("pulse.thwonk", PULSE).bundle!;
    await store.putBundle({ hash: b.sha256, rule: b.manifest.rule, compiler: b.manifest.compiler, source: b.source.text, json: serializeBundle(b), createdAt: 1 });
    await store.deploy(S, b.sha256, 1);
    await store.changeMembers(S, [{ op: "add", member: { address: "ann@example.org", name: "", role: "member", joined: 1 } }]);
    await store.close();
    // The bundle gone, as a store damaged by hand would have it.
    const db = new Database(file);
    db.pragma("foreign_keys = OFF");
    db.prepare("DELETE FROM bundles").run();
    db.close();
    let daemon = await open();
    try {
      assert.equal(daemon.startReport.filter((l) => l.includes(S)).length, 1);
      assert.match(daemon.startReport[0]!, /thwonkc lists remove stray@example\.org --yes/);
      const r = await daemon.removeList(S.toUpperCase());
      assert.deepEqual([r.address, r.members], [S, 1]);
      assert.deepEqual(daemon.startReport, []);
      await assert.rejects(daemon.removeList(S), /TW6045/);
    } finally {
      await daemon.close();
    }
    daemon = await open();
    assert.deepEqual(daemon.startReport, [], "not reported at the next start");
    await daemon.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
