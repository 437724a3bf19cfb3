/**
 * The parts of the -request address's answers (runtime/daemon/requests.ts): the command read from a message, the
 * tagged confirmation address (its bound, its reading back), and a confirmation in a thwonkd without --public-url
 * or for an address too long to tag, composed and committed in process.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { simpleParser } from "mailparser";
import { AnswerCounts, answerKey, commandOf, confirmAddress, confirmTag, readConfirm, REPLY_PREFIXES, withoutReplyPrefixes } from "../../runtime/daemon/requests.js";
import { listDaemon, readStore } from "./helpers.js";

const TRIM = `rule trim140

limits { members: 50, fanout: 50 }

on message(m: Message) {
  send(to: members, subject: m.subject, text: m.text.truncate(140))
}
`;

test("the command: the subject's first word, else the body's first non-empty line; leave words, any case", () => {
  assert.equal(commandOf("unsubscribe", ""), "unsubscribe");
  assert.equal(commandOf("  UNSUBSCRIBE me please", ""), "unsubscribe");
  assert.equal(commandOf("Re: Fwd: leave", ""), "unsubscribe");
  assert.equal(commandOf("", "\n\n  Remove\nthanks"), "unsubscribe");
  assert.equal(commandOf("help", "unsubscribe"), "help", "the subject's word decides when it has one");
  assert.equal(commandOf("", ""), "help");
  assert.equal(commandOf("unsubscribed?", "x"), "help", "a word, not a prefix");
  assert.equal(commandOf("Please unsubscribe me", ""), "help");
  // A reply to the list's mail keeps its subject tag: the word after it decides, not the quoted body's first line.
  assert.equal(commandOf("Re: [news] unsubscribe", "> quoted post\nthanks"), "unsubscribe");
  assert.equal(commandOf("[news] AW: [news] leave", "hello"), "unsubscribe");
  assert.equal(commandOf("Re: [news] hello", "unsubscribe"), "help", "the subject's word after the tag decides");
  assert.equal(commandOf(`${"[t] ".repeat(5000)}unsubscribe`, "x"), "help", "a few tags at most are looked past");
  assert.equal(commandOf("[not a tag unsubscribe", "x"), "help");
});

test("the command as the reader sees it: any width, case and accent, unseen characters aside; another script's look-alike is another word", () => {
  // Before, a word was ASCII letters alone: the full-width word (an East Asian input method's) got the help, and
  // "unsubscribeé" was read as "unsubscribe" (the word cut at its first other letter) while "unsubscribed" was not.
  assert.equal(commandOf("\uff55\uff4e\uff53\uff55\uff42\uff53\uff43\uff52\uff49\uff42\uff45", ""), "unsubscribe");
  assert.equal(commandOf("\uff32\uff45\uff1a \uff2c\uff25\uff21\uff36\uff25", ""), "unsubscribe", "a full-width prefix and word");
  assert.equal(commandOf("", "\uff55\uff4e\uff53\uff55\uff42\uff53\uff43\uff52\uff49\uff42\uff45"), "unsubscribe");
  assert.equal(commandOf("UNSUBSCR\u0130BE", ""), "unsubscribe", "a Turkish capital I");
  assert.equal(commandOf("unsubscrib\u00e9", ""), "unsubscribe");
  assert.equal(commandOf("\u200bunsubscribe", ""), "unsubscribe", "a zero-width space before it");
  assert.equal(commandOf("un\u00adsubscribe", ""), "unsubscribe", "a soft hyphen inside it");
  assert.equal(commandOf("Re:\ufeff unsubscribe", ""), "unsubscribe");
  assert.equal(commandOf("", "\u0000\u200b\u202e\nleave"), "unsubscribe", "a first line of unseen characters is empty");
  assert.equal(commandOf("", "\ufeffRemove me"), "unsubscribe");
  // Quoted as the help writes it, or in other quotes and brackets, or a quoted body line: the word inside.
  assert.equal(commandOf('"unsubscribe"', ""), "unsubscribe", "copied from the help with its quotes");
  for (const s of ["\u201cunsubscribe\u201d", "\u00ableave\u00bb", "'remove'", "(signoff)", "*unsubscribe*", "\u300cunsubscribe\u300d", "--unsubscribe"]) assert.equal(commandOf(s, ""), "unsubscribe", s);
  assert.equal(commandOf("", "> unsubscribe"), "unsubscribe");
  assert.equal(commandOf('"unsubscribe me" please', ""), "unsubscribe");
  assert.equal(commandOf("1. unsubscribe", "x"), "help", "a number is no punctuation");
  // Letters of another word: help, which says how to leave.
  assert.equal(commandOf("unsubscrib\u0435", "unsubscribe"), "help", "a Cyrillic \u0435 ends it: the subject's word decides");
  assert.equal(commandOf("\u0443nsubscribe", ""), "help", "a Cyrillic \u0443");
  assert.equal(commandOf("unsubscribe\u00e9", ""), "help", "a longer word");
  assert.equal(commandOf("unsubscribe\u0436", ""), "help");
  assert.equal(commandOf("\u043e\u0442\u043f\u0438\u0441\u0430\u0442\u044c\u0441\u044f", "unsubscribe"), "help");
  assert.equal(commandOf("", `${"\u200b".repeat(1_000_000)}unsubscribe`), "unsubscribe", "what is seen, past any number of them");
});

test("every reply and forward prefix of the list, any case, counted or not, before the command; a longer word is not one", () => {
  for (const p of REPLY_PREFIXES) {
    // (The case forms with as many characters: "İLT" lowercased outside Turkish is "i̇lt", a dotted i no one writes.)
    for (const written of [p, p.toLowerCase(), p.toUpperCase()].filter((w) => w.length === p.length)) {
      for (const sep of [": ", ":", " : ", "[3]: ", "^2: ", "\uff1a"]) assert.equal(commandOf(`${written}${sep}unsubscribe`, "help"), "unsubscribe", `${written}${sep}`);
      assert.equal(commandOf(`${written}: Fwd: ${written}: signoff`, "help"), "unsubscribe");
    }
    // Not a prefix without its colon, nor inside a longer word: the first word read is then that word.
    if (!REPLY_PREFIXES.some((q) => q.toLowerCase() === `${p}x`.toLowerCase())) assert.equal(withoutReplyPrefixes(`${p}x: unsubscribe`), `${p}x: unsubscribe`, `${p}x`);
    if (/^[A-Za-z]+$/.test(p)) assert.equal(commandOf(`${p} unsubscribe`, "unsubscribe"), "help", `${p} without a colon`);
  }
  // Decomposed (as a program may write é), and the subject's length: a prefix run over the whole header stays quick.
  assert.equal(commandOf("Re\u0301f: unsubscribe", ""), "unsubscribe");
  const start = performance.now();
  for (const s of ["Re ".repeat(20_000), `${"Re:".repeat(20_000)}x`, `${"Re[1]".repeat(5000)}`, `${" ".repeat(50_000)}:`]) assert.equal(commandOf(s, ""), "help");
  assert.ok(performance.now() - start < 500, `${performance.now() - start} ms`);
});

test("the tagged address: read back, any case, within 64 octets before the @; none when it would not fit", () => {
  const key = "k".repeat(64);
  const now = Date.UTC(2026, 11, 7, 15);
  const day = Math.floor(now / 86_400_000);
  const a = confirmAddress(key, "trim140@example.org", "ann@example.org", 1234, now)!;
  const tag = confirmTag(key, "trim140@example.org", "ann@example.org", 1234, day);
  assert.equal(a, `trim140-request+${tag}-ann=example.org@example.org`);
  assert.deepEqual(readConfirm(a.split("@")[0]!.slice("trim140-request+".length)), { member: "ann@example.org", tag });
  assert.deepEqual(readConfirm(`${tag.toUpperCase()}-ANN=EXAMPLE.ORG`)?.tag, tag);
  assert.notEqual(confirmTag(key, "trim140@example.org", "ann@example.org", 1235, day), tag, "a new subscription, a new tag");
  assert.notEqual(confirmTag(key, "trim140@example.org", "bob@example.org", 1234, day), tag);
  assert.notEqual(confirmTag(key, "trim140@example.org", "ann@example.org", 1234, day + 1), tag, "another day, another tag");
  assert.equal(confirmTag(key, "TRIM140@example.org", "Ann@Example.org", 1234, day), tag);
  assert.equal(readConfirm("nothing"), undefined);
  assert.equal(readConfirm(`${tag}-no-at-sign`), undefined);
  const long = `${"a".repeat(40)}@example.org`;
  assert.equal(confirmAddress(key, "trim140@example.org", long, 1, now), undefined);
  const fits = `${"a".repeat(64 - "trim140-request+".length - 13 - "=example.org".length)}@example.org`;
  assert.ok(confirmAddress(key, "trim140@example.org", fits, 1, now));
  assert.equal(Buffer.byteLength(confirmAddress(key, "trim140@example.org", fits, 1, now)!.split("@")[0]!), 64);
});

test("without --public-url a confirmation offers the reply alone; for an address too long to tag, it says to ask the owner", async () => {
  const list = "trim140@example.org";
  const l = await listDaemon({ source: TRIM, fileName: "trim140.thwonk", addresses: [list] });
  try {
    const long = `${"l".repeat(40)}@example.org`;
    await l.daemon.addMembers(list, [{ address: long, name: "" }]);
    const ask = async (from: string): Promise<void> => {
      const raw = Buffer.from(`From: <${from}>\r\nTo: <trim140-request@example.org>\r\nSubject: unsubscribe\r\nMessage-ID: <u.${from.length}@example.org>\r\n\r\n\r\n`);
      const a = await l.daemon.deliver({ address: list, rcptTo: "trim140-request@example.org", mailFrom: from, raw, receivedAt: Date.now() });
      assert.equal(a.code, 250, a.message);
      const run = (await l.daemon.store.run(a.runId!))!;
      assert.equal(run.trigger, "request");
      assert.deepEqual(run.actions.map((x) => [x.kind, x.to]), [["reply", [from]]]);
    };
    await ask("ann@example.org");
    await ask(long);
    await l.daemon.runner.drain();
    const texts: { to: string; replyTo: string; text: string }[] = [];
    const rows = readStore(l.dir, (db) => db.prepare("SELECT recipients, raw FROM outbox ORDER BY id").all() as { recipients: string; raw: Buffer }[]);
    for (const r of rows) {
      const m = await simpleParser(r.raw);
      const to = r.recipients.startsWith("[") ? (JSON.parse(r.recipients) as string[])[0]! : r.recipients.split(",")[0]!;
      texts.push({ to, replyTo: m.replyTo?.value[0]?.address ?? "", text: m.text ?? "" });
    }
    const ann = texts.find((t) => t.to === "ann@example.org")!;
    assert.match(ann.replyTo, /^trim140-request\+[a-z2-7]{12}-ann=example\.org@example\.org$/);
    assert.doesNotMatch(ann.text, /unsubscribe\//, "no link without --public-url");
    assert.match(ann.text, /reply to this message/);
    const lng = texts.find((t) => t.to === long)!;
    assert.equal(lng.replyTo, "trim140-request@example.org");
    assert.match(lng.text, /ask the owner/);
    assert.doesNotMatch(lng.text, /reply to this message/);
  } finally {
    await l.close();
  }
});

test("the answer counts: one mailbox however spelt; constant work per answer, and bounded under a flood of senders", () => {
  const key = answerKey("news@example.org", "ann@example.org");
  for (const a of ["ANN@Example.org", "ann+x@example.org", "Ann+a+b@EXAMPLE.ORG"]) assert.equal(answerKey("news@example.org", a), key, a);
  assert.equal(answerKey("news@example.org", "z\u00f6e@b\u00fccher.example"), answerKey("news@example.org", "zo\u0308e+1@xn--bcher-kva.example"));
  assert.notEqual(answerKey("news@example.org", "bob@example.org"), key);
  assert.notEqual(answerKey("other@example.org", "ann@example.org"), key, "each list counts its own");
  assert.notEqual(answerKey("news@example.org", "+ann@example.org"), answerKey("news@example.org", "@example.org"), "a local part starting with + is its own");

  const DAY = 86_400_000;
  const c = new AnswerCounts(10, 100);
  for (let i = 0; i < 10; i++) assert.equal(c.take("loop", i), true);
  assert.equal(c.take("loop", 10), false);
  // A flood of strangers, each answered once, while the loop goes on: the loop stays counted, the flood is cut to 100.
  for (let i = 0; i < 5000; i++) {
    assert.equal(c.take(`stranger${i}`, 20 + i), true);
    if (i % 50 === 0) assert.equal(c.take("loop", 20 + i), false, `loop at ${i}`);
    assert.ok(c.size <= 100, `${c.size} kept`);
  }
  // A day after its tenth answer the loop's address may be answered again; the ones answered over a day ago are forgotten.
  assert.equal(c.take("loop", 9 + DAY + 1), true);
  assert.equal(c.take("late", 2 * DAY + 10_000), true);
  assert.equal(c.size, 1);
});
