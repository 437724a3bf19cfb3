/**
 * Kept input parts (runtime/sandbox/kept-input.ts: tz, list, limits kept per list in a reused context) through the
 * daemon: lists whose addresses differ by one character, a list named __proto__, mail to them interleaved on the
 * same workers, an owner added between runs, and redeploys with other limits and another time zone. Every run
 * must see its own list's parts as they are at its turn.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Daemon } from "../../runtime/daemon/daemon.js";
import { listDaemon } from "./helpers.js";

const LISTS = ["k1@example.org", "k2@example.org", "__proto__@example.org", "constructor@example.org"];

const rule = (members: number, tz: string) => `rule kept

limits { members: ${members}, fanout: 20 }

settings { timezone: "${tz}" }

on message(m: Message) {
  send(to: members, subject: "{list.address}|{list.name}|{list.owners.size}|{limits.members}|{now.hour}", text: m.text, from: "sender", replyTo: "list")
}
`;

let id = 0;
async function post(daemon: Daemon, list: string, at: number): Promise<string> {
  const raw = Buffer.from(`From: <ann@example.org>\r\nTo: <${list}>\r\nSubject: x\r\nMessage-ID: <k.${id++}@example.org>\r\n\r\nhi\r\n`);
  const a = await daemon.runner.deliver({ address: list, rcptTo: list, mailFrom: "ann@example.org", raw, receivedAt: at });
  assert.equal(a.code, 250, a.message);
  const run = await daemon.store.run(a.runId!);
  return String((run!.actions.find((x) => x.kind === "send") as { subject?: string }).subject);
}

/** Mail to every list, interleaved, many at once: each run's subject. */
async function round(daemon: Daemon, at: number): Promise<Map<string, Set<string>>> {
  const out = new Map<string, Set<string>>(LISTS.map((l) => [l, new Set()]));
  await Promise.all(Array.from({ length: 48 }, (_, i) => post(daemon, LISTS[i % LISTS.length]!, at).then((s) => out.get(LISTS[i % LISTS.length]!)!.add(s))));
  return out;
}

test("kept list, limits and time zone parts per list: one character apart, __proto__, an owner added, redeploys", async () => {
  const { daemon, close } = await listDaemon({ source: rule(10, "UTC"), fileName: "kept.thwonk", addresses: LISTS });
  try {
    const at = Date.UTC(2026, 0, 15, 12, 0, 0);
    const expect = (owners: (l: string) => number, limit: number, hour: number) =>
      new Map(LISTS.map((l) => [l, new Set([`${l}|${l.slice(0, l.indexOf("@"))}|${owners(l)}|${limit}|${hour}`])]));
    assert.deepEqual(await round(daemon, at), expect(() => 0, 10, 12));
    // An owner on one list only: that list's `list` part changes, the others' stay.
    await daemon.addMembers("k2@example.org", [{ address: "own@example.org", name: "Own", role: "owner" }]);
    assert.deepEqual(await round(daemon, at), expect((l) => (l === "k2@example.org" ? 1 : 0), 10, 12));
    // Other limits and another time zone: every list's parts change.
    const r = await daemon.deploy({ source: rule(11, "Asia/Kolkata"), fileName: "kept.thwonk", addresses: LISTS });
    assert.ok(r.ok, JSON.stringify(r));
    assert.deepEqual(await round(daemon, at), expect((l) => (l === "k2@example.org" ? 1 : 0), 11, 17));
    // Back to the first version on one list only.
    const back = await daemon.deploy({ source: rule(12, "UTC"), fileName: "kept.thwonk", addresses: ["k1@example.org"] });
    assert.ok(back.ok, JSON.stringify(back));
    const after = await round(daemon, at);
    assert.deepEqual(after.get("k1@example.org"), new Set(["k1@example.org|k1|0|12|12"]));
    assert.deepEqual(after.get("k2@example.org"), new Set(["k2@example.org|k2|1|11|17"]));
    assert.deepEqual(after.get("__proto__@example.org"), new Set(["__proto__@example.org|__proto__|0|11|17"]));
  } finally {
    await close();
  }
});

test("two lists of one rule whose members have the same versions but not the same members: each run sends to its own", async () => {
  const L = ["m1@example.org", "m2@example.org"];
  const { daemon, close } = await listDaemon({ source: rule(10, "UTC"), fileName: "kept.thwonk", addresses: L });
  try {
    await daemon.addMembers(L[0]!, [{ address: "bob@example.org", name: "Bob" }]);
    await daemon.addMembers(L[1]!, [{ address: "carol@example.org", name: "Carol" }]);
    assert.equal((await daemon.members(L[0]!)).version, (await daemon.members(L[1]!)).version);
    const at = Date.UTC(2026, 0, 15, 12, 0, 0);
    for (let round = 0; round < 3; round++) {
      const sent = await Promise.all(
        Array.from({ length: 40 }, async (_, i) => {
          const list = L[(i * 7 + round) % 2]!;
          const raw = Buffer.from(`From: <ann@example.org>\r\nTo: <${list}>\r\nSubject: x\r\nMessage-ID: <mv.${id++}@example.org>\r\n\r\nhi\r\n`);
          const a = await daemon.runner.deliver({ address: list, rcptTo: list, mailFrom: "ann@example.org", raw, receivedAt: at });
          const run = await daemon.store.run(a.runId!);
          return { list, to: [...((run!.actions.find((x) => x.kind === "send") as { to?: string[] }).to ?? [])].sort() };
        }),
      );
      for (const s of sent) assert.deepEqual(s.to, s.list === L[0] ? ["ann@example.org", "bob@example.org"] : ["ann@example.org", "carol@example.org"], s.list);
      // The same change on both, keeping their versions equal.
      await daemon.addMembers(L[0]!, [{ address: `b${round}@example.org`, name: "B" }]);
      await daemon.addMembers(L[1]!, [{ address: `c${round}@example.org`, name: "C" }]);
      await daemon.removeMembers(L[0]!, [`b${round}@example.org`]);
      await daemon.removeMembers(L[1]!, [`c${round}@example.org`]);
    }
  } finally {
    await close();
  }
});
