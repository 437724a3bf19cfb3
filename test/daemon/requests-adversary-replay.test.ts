/**
 * Mail to the -request address that went to the list's rule (the rule read `m.envelope.isRequest`) and failed,
 * run again after a deploy of a rule that does not read it: the version deployed now decides who answers it, as
 * for a message arriving now. Before, the replay ran the new rule on it, which sent the member's "unsubscribe" to
 * every member (the defect the -request address answered by thwonkd exists to end).
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { confirmAddress } from "../../runtime/daemon/requests.js";
import { repoRoot } from "../helpers/repo.js";
import { listDaemon } from "./helpers.js";

const LIST = "req@example.org";
/** Answers its -request address itself, and fails doing so: a division by zero. */
const ANSWERS_FAILING = `rule req

on message(m: Message) {
  if m.envelope.isRequest {
    let n = m.subject.length
    reply(m, text: "{100 / (n - n)}")
    return
  }
  send(to: members, subject: m.subject, text: m.text)
}
`;
/** Does not read isRequest: everything goes to every member. */
const BROADCAST = `rule req

on message(m: Message) {
  send(to: members, subject: m.subject, text: m.text)
}
`;

test("a failed run of -request mail replayed after a deploy of a rule that does not read isRequest: thwonkd answers it, nothing goes to the members", async () => {
  const { daemon, close } = await listDaemon({ source: ANSWERS_FAILING, fileName: "req.thwonk", addresses: [LIST] });
  try {
    await daemon.addMembers(LIST, [{ address: "bob@example.org" }]);
    const raw = Buffer.from("From: <ann@example.org>\r\nTo: <req-request@example.org>\r\nSubject: unsubscribe\r\nMessage-ID: <u.1@example.org>\r\n\r\n\r\n");
    const first = await daemon.deliver({ address: LIST, rcptTo: "req-request@example.org", mailFrom: "ann@example.org", raw, receivedAt: Date.now() });
    assert.equal(first.code, 250);
    const failed = await daemon.store.run(first.runId!);
    assert.equal(failed?.outcome, "failed", "the rule ran it, and failed");

    assert.ok((await daemon.deploy({ source: BROADCAST, fileName: "req.thwonk", addresses: [LIST] })).ok);
    const again = await daemon.runner.replay(first.runId!);
    const runs = await daemon.store.runs({ address: LIST });
    const sent = runs.flatMap((r) => r.actions).filter((a) => a.kind === "send");
    assert.deepEqual(sent, [], `the rule did not run it: ${JSON.stringify(again)}`);
    const last = runs.find((r) => r.id === again.runId);
    assert.equal(last?.trigger, "request", "thwonkd answered it");
    assert.deepEqual(
      last?.actions.map((a) => [a.kind, a["request"], a.to]),
      [["reply", "confirm", ["ann@example.org"]]],
    );
    assert.equal(last?.replayOf, first.runId);
    assert.equal(last?.messageId, failed?.messageId, "the stored message, not a new one");
    assert.equal((await daemon.store.message(failed!.messageId!))?.status, "replayed");
    await assert.rejects(daemon.runner.replay(first.runId!), "replayed once only");
    assert.equal((await daemon.store.runs({ address: LIST })).length, 2);
  } finally {
    await close();
  }
});

test("-request mail is queued in the order it came: a confirmation then a post, handed in at once, remove the member before the post runs", async () => {
  const source = readFileSync(join(repoRoot, "examples", "trim140", "trim140.thwonk"), "utf8");
  const list = "trim140@example.org";
  const { daemon, close } = await listDaemon({ source, fileName: "trim140.thwonk", addresses: [list] });
  try {
    await daemon.addMembers(list, [{ address: "bob@example.org" }]);
    const ann = (await daemon.store.member(list, "ann@example.org"))!;
    const now = Date.now();
    const tagged = confirmAddress(await daemon.store.tokenKey(list), list, ann.address, ann.joined, now)!;
    const mail = (to: string, subject: string): Buffer => Buffer.from(`From: <ann@example.org>\r\nTo: <${to}>\r\nSubject: ${subject}\r\nMessage-ID: <${subject.replace(/\W/g, "")}@example.org>\r\n\r\nhello\r\n`);
    // Before: the -request mail was read first and queued after, so the post handed in after it ran first (to bob).
    const [confirmed, post] = await Promise.all([
      daemon.deliver({ address: list, rcptTo: tagged, mailFrom: "ann@example.org", raw: mail(tagged, "Re: confirm"), receivedAt: now }),
      daemon.deliver({ address: list, rcptTo: list, mailFrom: "ann@example.org", raw: mail(list, "a post"), receivedAt: now }),
    ]);
    assert.match(confirmed.message, /TW6124 /);
    assert.ok(confirmed.runId! < (post.runId ?? Number.POSITIVE_INFINITY), `${JSON.stringify(confirmed)} ${JSON.stringify(post)}`);
    const runs = await daemon.store.runs({ address: list });
    assert.deepEqual(runs.flatMap((r) => r.actions).filter((a) => a.kind === "send"), [], "the post of a member who had left is not sent to the list");
  } finally {
    await close();
  }
});
