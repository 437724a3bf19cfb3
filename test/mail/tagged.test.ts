/**
 * The tagged example (examples/tagged) end to end: a real multipart post
 * with a binary attachment, run through the compiled rule in the QuickJS
 * sandbox by `thwonkc run --write` (the dry run), read back with
 * mailparser: tagged once, the footer with the unsubscribe address, the
 * attachment byte for byte; and the daemon's composer (outbox.ts) writes
 * the same bytes for the same run.
 */
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { simpleParser } from "mailparser";
import MailComposer from "nodemailer/lib/mail-composer/index.js";
import type { RunAction } from "../../contract/index.js";
import { composeAll } from "../../runtime/daemon/outbox.js";
import { parseEml } from "../../runtime/input/index.js";
import { runCli, tempDir } from "../helpers/cli.js";
import { repoRoot } from "../helpers/repo.js";

const RULE = join(repoRoot, "examples", "tagged", "tagged.thwonk");
const MEMBERS = join(repoRoot, "examples", "tagged", "members.txt");
const AT = "2026-11-25T12:00:00Z";

function build(options: ConstructorParameters<typeof MailComposer>[0]): Promise<Buffer> {
  return new Promise((resolve, reject) => new MailComposer(options).compile().build((err, b) => (err ? reject(err) : resolve(b))));
}

async function dryRun(eml: Buffer, json = false): Promise<{ out: Buffer; envelope: { messageId: string; from: string; to: string[] }; stdout: string }> {
  const t = tempDir();
  try {
    writeFileSync(t.path("post.eml"), eml);
    const r = await runCli(["run", RULE, "--members", MEMBERS, "--message", "post.eml", "--address", "tagged@example.org", "--at", AT, "--write", "out", ...(json ? ["--json"] : [])], { cwd: t.dir });
    assert.equal(r.code, 0, r.stderr);
    return {
      out: readFileSync(t.path("out/1.eml")),
      envelope: JSON.parse(readFileSync(t.path("out/1.envelope.json"), "utf8")) as { messageId: string; from: string; to: string[] },
      stdout: r.stdout,
    };
  } finally {
    t.remove();
  }
}

test("a member's post with a binary attachment: tagged, the footer with the unsubscribe address, the attachment byte for byte", async () => {
  const pdf = Buffer.concat([Buffer.from("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "latin1"), Buffer.from(Array.from({ length: 40_000 }, (_, i) => (i * 131 + 7) % 256))]);
  const eml = await build({
    from: "Ann Lee <ann@example.org>",
    to: "tagged@example.org",
    subject: "Minutes of the meeting",
    text: "The minutes are attached.\nSee you next week.",
    html: "<html><body><p>The minutes are <b>attached</b>.</p></body></html>",
    messageId: "<minutes.1@example.org>",
    attachments: [{ filename: "minutes.pdf", content: pdf, contentType: "application/pdf" }],
  });
  const { out, envelope, stdout } = await dryRun(eml, true);
  assert.deepEqual(envelope.to.sort(), ["ann@example.org", "bob@example.org"]);
  assert.equal(envelope.from, "tagged-bounces@example.org");
  assert.equal(envelope.messageId, "minutes.1@example.org");
  const p = await simpleParser(out);
  assert.equal(p.subject, "[tagged] Minutes of the meeting");
  const att = p.attachments.find((a) => a.filename === "minutes.pdf");
  assert.ok(att, "the attachment is there");
  assert.equal(att.contentType, "application/pdf");
  assert.ok(att.content.equals(pdf), "the attachment is not byte for byte the original");
  const footer = "-- \ntagged mailing list: tagged@example.org\nTo unsubscribe, send \"unsubscribe\" as the subject to tagged-request@example.org\n";
  assert.equal(p.text, `The minutes are attached.\nSee you next week.\n\n${footer}`);
  assert.match(String(p.html), /<b>attached<\/b>\.<\/p><div class="thwonk-footer"[^>]*>-- <br>\r?\ntagged mailing list: tagged@example\.org<br>\r?\nTo unsubscribe, send &#34;unsubscribe&#34; as the subject to tagged-request@example\.org<\/div>/);
  assert.equal(p.from?.value[0]?.name, "Ann Lee via tagged");
  assert.match(out.toString("latin1"), /\r\nList-Unsubscribe: <mailto:tagged-request@example\.org\?subject=unsubscribe>\r\n/i);

  // The daemon composes the run's actions with the same builder: the same bytes go to the relay.
  const result = JSON.parse(stdout) as { actions: RunAction[] };
  const m = (await parseEml(eml, { listAddress: "tagged@example.org" })).message;
  const [daemon] = await composeAll(result.actions, { list: "tagged@example.org", incoming: { from: m.from, headers: m.headers, raw: eml }, now: Date.parse(AT) });
  assert.ok(daemon?.raw.equals(out), "thwonkd would send other bytes than the dry run wrote");
});

test("an answer keeps its one tag; the example's own post.eml goes out with its photo", async () => {
  const eml = await build({
    from: "Bob Martin <bob@example.org>",
    to: "tagged@example.org",
    subject: "Re: [tagged] Minutes of the meeting",
    text: "Thanks!",
    messageId: "<re.1@example.org>",
    inReplyTo: "<minutes.1@example.org>",
    references: "<minutes.1@example.org>",
  });
  const { out, stdout } = await dryRun(eml);
  assert.match(stdout, /footer: -- ⏎ tagged mailing list: tagged@example\.org ⏎ To unsubscribe/, "the dry run shows the footer");
  const p = await simpleParser(out);
  assert.equal(p.subject, "Re: [tagged] Minutes of the meeting");
  assert.equal(p.inReplyTo, "<minutes.1@example.org>");

  const post = readFileSync(join(repoRoot, "examples", "tagged", "post.eml"));
  const photo = (await simpleParser(post)).attachments[0]!.content;
  const q = await simpleParser((await dryRun(post)).out);
  assert.equal(q.subject, "[tagged] Photos from Saturday");
  assert.ok(q.attachments[0]?.content.equals(photo));
  assert.match(q.text ?? "", /Café at ten on Saturday again\?\n\n-- \ntagged mailing list/);
});

test("send(thread: m) through the sandbox: the new message goes in m's thread; forward and reply keep theirs", async () => {
  const t = tempDir({
    "note.thwonk": `rule note

on message(m: Message) {
  send(to: [m.from], subject: "Noted: {m.subject}", text: "We read it.", thread: m)
  send(to: [m.from], subject: "Unthreaded", text: "x")
  reply(m, text: "Thanks")
}
`,
  });
  try {
    writeFileSync(t.path("in.eml"), "From: Ann <ann@example.org>\r\nTo: note@example.org\r\nSubject: Plan\r\nMessage-ID: <p.3@example.org>\r\nIn-Reply-To: <p.2@example.org>\r\nReferences: <p.1@example.org> <p.2@example.org>\r\n\r\nThe plan.\r\n");
    const r = await runCli(["run", "note.thwonk", "--message", "in.eml", "--at", AT, "--write", "out"], { cwd: t.dir });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /in the thread of <p\.3@example\.org>/);
    const [noted, plain, reply] = await Promise.all([1, 2, 3].map(async (n) => simpleParser(readFileSync(t.path(`out/${n}.eml`)))));
    for (const p of [noted!, reply!]) {
      assert.equal(p.inReplyTo, "<p.3@example.org>");
      assert.deepEqual(p.references, ["<p.1@example.org>", "<p.2@example.org>", "<p.3@example.org>"]);
    }
    assert.equal(plain!.inReplyTo, undefined);
    assert.equal(reply!.headers.get("auto-submitted"), "auto-replied");
    assert.equal(noted!.headers.get("auto-submitted"), undefined);
  } finally {
    t.remove();
  }
});
