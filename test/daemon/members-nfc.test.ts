/**
 * An address written composed (`é`, U+00E9) and decomposed (`e` + U+0301) is one address (contract/values.ts: the
 * canonical form is NFC): a member added one way is a member when mail comes from the other, is not added twice,
 * and is removed by either; and a store an older thwonkd wrote, with members stored decomposed (and one address twice,
 * once each way), is migrated to the canonical form. A real Daemon, real QuickJS workers, real SQLite.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { Daemon } from "../../runtime/daemon/daemon.js";
import { openSchemaBefore, openSqliteStore } from "../../runtime/daemon/store/sqlite.js";
import { listDaemon, postTo } from "./helpers.js";

const RULE = `rule nfc

limits { members: 10, fanout: 10 }

on message(m: Message) {
  if members.has(m.from) {
    send(to: members, subject: "member", text: m.text)
  } else {
    send(to: m.from, subject: "stranger", text: m.text)
  }
}
`;
const COMPOSED = "jos\u00e9@example.org";
const DECOMPOSED = "jose\u0301@example.org";

describe("a list on a new store", () => {
  const LIST = "nfc@example.org";
  let daemon: Daemon;
  let close: () => Promise<void>;
  before(async () => {
    ({ daemon, close } = await listDaemon({ source: RULE, fileName: "nfc.thwonk", addresses: [LIST] }));
  });
  after(() => close());

  test("a member added composed is a member when mail comes from the decomposed form, and is one member", async () => {
    await daemon.addMembers(LIST, [{ address: COMPOSED, name: "José" }]);
    const r = await postTo(daemon, LIST, DECOMPOSED, "hello");
    assert.equal(r.code, 250);
    assert.deepEqual(r.to, ["ann@example.org", COMPOSED], "members.has(m.from): the sender is the member");
    await daemon.addMembers(LIST, [{ address: DECOMPOSED.toUpperCase(), name: "José again" }]);
    assert.deepEqual((await daemon.members(LIST)).members.map((m) => m.address), ["ann@example.org", COMPOSED]);
    await daemon.removeMembers(LIST, [DECOMPOSED]);
    assert.deepEqual((await daemon.members(LIST)).members.map((m) => m.address), ["ann@example.org"]);
    assert.deepEqual((await postTo(daemon, LIST, DECOMPOSED, "again")).to, [COMPOSED], "no member now: the stranger's answer");
  });
});

describe("a store an older thwonkd wrote, members stored decomposed", () => {
  const LIST = "old@example.org";
  const REFUSED = "bob\u200b@example.org";
  let daemon: Daemon;
  let close: () => Promise<void>;
  before(async () => {
    ({ daemon, close } = await listDaemon({
      source: RULE,
      fileName: "nfc.thwonk",
      addresses: [LIST],
      store: (dir) => {
        const file = join(dir, "old.sqlite");
        // The schema before the migration to NFC, with rows as an older thwonkd wrote them: René decomposed, Zoë twice
        // (composed first, with her name; decomposed after), an address the rule refuses, and a bounce of René's.
        const db = openSchemaBefore(file, "nfc_members");
        const add = db.prepare("INSERT INTO members (address, member, pos, name, role, joined) VALUES (?, ?, ?, ?, ?, ?)");
        add.run(LIST, "rene\u0301@example.org", 1, "René", "owner", 1);
        add.run(LIST, "zo\u00eb@example.org", 2, "Zoë", "member", 2);
        add.run(LIST, "zoe\u0308@example.org", 3, "Zoe twice", "member", 3);
        add.run(LIST, REFUSED, 4, "Bob", "member", 4);
        db.prepare("INSERT INTO runs (address, trigger, now, bundle_hash, outcome, gas_used, gas_bound, actions, created_at) VALUES (?, 'message', 1, 'h', 'ok', 0, 0, '[]', 1)").run(LIST);
        db.prepare("INSERT INTO bounces (address, member, member_key, at, status, action, diagnostic, verp, run_id) VALUES (?, ?, ?, 5, '5.1.1', 'failed', 'gone', 0, 1)").run(
          LIST,
          "rene\u0301@example.org",
          "rene\u0301@example.org",
        );
        db.close();
        return openSqliteStore(file, { synchronous: "NORMAL" });
      },
    }));
  });
  after(() => close());

  test("each member is at its canonical form, once, the first of two kept; one the rule refuses stays as stored", async () => {
    const members = (await daemon.members(LIST)).members;
    assert.deepEqual(
      members.map((m) => [m.address, m.name]),
      [["ren\u00e9@example.org", "René"], ["zo\u00eb@example.org", "Zoë"], [REFUSED, "Bob"], ["ann@example.org", "Ann"]],
    );
    assert.equal(members[0]!.bounces, 1, "René's bounce is counted against the address he is stored at now");
  });

  test("mail from either form is a member's; a removal by the composed form finds the member", async () => {
    assert.deepEqual((await postTo(daemon, LIST, "ren\u00e9@example.org", "hello")).to, ["ann@example.org", "ren\u00e9@example.org", "zo\u00eb@example.org"]);
    assert.deepEqual((await postTo(daemon, LIST, "zoe\u0308@example.org", "hi")).to, ["ann@example.org", "ren\u00e9@example.org", "zo\u00eb@example.org"]);
    await daemon.removeMembers(LIST, ["ren\u00e9@example.org"]);
    assert.deepEqual((await daemon.members(LIST)).members.map((m) => m.address), ["zo\u00eb@example.org", REFUSED, "ann@example.org"]);
  });
});

describe("state saved with an address key written decomposed", () => {
  const LIST = "votes@example.org";
  const VOTES = `rule votes

limits { members: 10, fanout: 10 }

state {
  votes: Map<Address, int> max 10 = {}
}

on message(m: Message) {
  if state.votes.has(m.from) or state.votes.size < 10 { state.votes.set(m.from, (state.votes.get(m.from) ?? 0) + 1) }
}
`;
  let daemon: Daemon;
  let close: () => Promise<void>;
  before(async () => {
    ({ daemon, close } = await listDaemon({ source: VOTES, fileName: "votes.thwonk", addresses: [LIST] }));
  });
  after(() => close());

  test("is the key of the composed sender, saved composed by the next run", async () => {
    // As a run before NFC saved it: the sender's address as the client wrote it, decomposed.
    await daemon.setState(LIST, { votes: { [DECOMPOSED]: 4 } });
    assert.equal((await postTo(daemon, LIST, COMPOSED, "vote")).code, 250);
    assert.deepEqual((await daemon.state(LIST)).state, { votes: { [COMPOSED]: 5 } });
  });

  test("the same address twice, once each way, is refused as the same key spelled twice (the owner repairs it)", async () => {
    await assert.rejects(daemon.setState(LIST, { votes: { [COMPOSED]: 1, [DECOMPOSED]: 2 } }), /the same key as/);
  });
});
