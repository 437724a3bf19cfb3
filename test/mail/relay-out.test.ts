/**
 * List mail as it reaches the world, over real protocols: a real thwonkd
 * (bin/thwonkd.js) relaying to an smtp-server sink on 127.0.0.1. The DKIM
 * signature on what arrived is verified with mailauth against the TXT
 * record `thwonkc dkim-key` printed, and fails on a changed body; the
 * one-click URL of a member's message removes that member (a run of
 * trigger `unsubscribe`), while a forged URL, one changed to name another
 * member and a replay do not; a delivery status report to the VERP bounce
 * address is recorded for its member, runs no rule and sends nothing.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { simpleParser } from "mailparser";
import { dkimVerify } from "mailauth/lib/dkim/verify.js";
import nodemailer from "nodemailer";
import { runCli } from "../helpers/cli.js";
import { repoRoot } from "../helpers/repo.js";
import { readStore, startDaemon, until, workspace } from "../daemon/helpers.js";
import { verpAddress } from "../../runtime/daemon/verp.js";
import { makeKey, resolverWith, sink } from "./helpers.js";

const MEMBERS = ["ann@example.org", "bob@example.org", "cat@example.org", "dan@example.org"];
const LIST = "trim140@example.org";

function dsn(to: string, member: string, originalId: string, opts: { action?: string; status?: string; returned?: boolean } = {}): string {
  return [
    "From: Mail Delivery System <MAILER-DAEMON@mx.example.net>",
    `To: ${to}`,
    "Subject: Undelivered Mail Returned to Sender",
    "Auto-Submitted: auto-replied",
    "MIME-Version: 1.0",
    'Content-Type: multipart/report; report-type=delivery-status; boundary="=b1"',
    "",
    "--=b1",
    "Content-Type: text/plain; charset=us-ascii",
    "",
    "Your message could not be delivered.",
    "",
    "--=b1",
    "Content-Type: message/delivery-status",
    "",
    "Reporting-MTA: dns; mx.example.net",
    "",
    `Final-Recipient: rfc822; ${member}`,
    `Action: ${opts.action ?? "failed"}`,
    `Status: ${opts.status ?? "5.1.1"}`,
    "Diagnostic-Code: smtp; 550 5.1.1 <" + member + ">: Recipient address rejected:",
    " User unknown in local recipient table",
    "",
    ...(opts.returned === false
      ? []
      : ["--=b1", "Content-Type: text/rfc822-headers", "", `Message-ID: <${originalId}>`, `From: "Ann via trim140" <${LIST}>`, "Subject: Hello", ""]),
    "--=b1--",
    "",
  ].join("\r\n");
}

test("DKIM-signed, one-click unsubscribe, VERP bounces: what reached the sink, verified", async () => {
  const keys = mkdtempSync(join(tmpdir(), "thwonk-dkim-"));
  const { keyFile, txt } = await makeKey(keys, "example.org", "s1");
  assert.equal(statSync(keyFile).mode & 0o777, 0o600);
  const relay = await sink();
  const ws = workspace({ trim140: { example: "trim140", members: MEMBERS } });
  const d = await startDaemon(ws, {
    args: ["--relay", `smtp://127.0.0.1:${relay.port}`, "--relay-retry-min", "200", "--dkim", `example.org=s1:${keyFile}`, "--one-click"],
    env: { THWONKD_LISTS: JSON.stringify({ [LIST]: { verp: true } }) },
  });
  const token = readFileSync(join(ws.data, "admin.token"), "utf8").trim();
  const api = async (path: string): Promise<Record<string, unknown>> => {
    const r = await fetch(`http://127.0.0.1:${d.ports.http}/v1/${path}`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(r.status, 200, path);
    return (await r.json()) as Record<string, unknown>;
  };
  const members = async (): Promise<{ address: string; bounces?: number }[]> =>
    (await api(`lists/${encodeURIComponent(LIST)}/members`))["members"] as { address: string; bounces?: number }[];
  try {
    const mta = nodemailer.createTransport({ host: "127.0.0.1", port: d.ports.smtp, secure: false, ignoreTLS: true });
    await mta.sendMail({
      envelope: { from: "ann@example.org", to: [LIST] },
      raw: ["From: Ann <ann@example.org>", `To: ${LIST}`, "Subject: Hello", "Message-ID: <p1@example.org>", "", "Hello, list. Grüße 👋", ""].join("\r\n"),
    });
    await until("every member's own transaction", () => (relay.got.length >= MEMBERS.length ? true : undefined));
    assert.equal(relay.got.length, MEMBERS.length, "one transaction per recipient (VERP and one-click)");

    const resolver = resolverWith("s1._domainkey.example.org", txt);
    const listKey = readStore(ws.data, (db) => (db.prepare("SELECT secret FROM list_secrets WHERE address = ?").get(LIST) as { secret: string }).secret);
    const urls = new Map<string, string>();
    for (const t of relay.got) {
      assert.equal(t.to.length, 1);
      const rcpt = t.to[0]!;
      // VERP: the envelope sender names the recipient, tagged with the list's key.
      assert.equal(t.from, verpAddress(LIST, rcpt, listKey));
      assert.match(t.from, new RegExp(`^trim140-bounces\\+[a-z2-7]{8}-${rcpt.replace("@", "=").replace(/\./g, "\\.")}@example\\.org$`));
      const v = await dkimVerify(t.raw, { resolver });
      const r = v.results[0]!;
      assert.equal(r.status.result, "pass", JSON.stringify(r.status));
      assert.equal(r.signingDomain, "example.org");
      assert.equal(r.selector, "s1");
      const signed = String(/^DKIM-Signature:[\s\S]*?\bh=([^;]+);/im.exec(t.raw.toString("latin1"))?.[1]).replace(/\s+/g, "").toLowerCase().split(":");
      for (const f of ["from", "subject", "message-id", "list-id", "list-unsubscribe", "list-unsubscribe-post"]) assert.ok(signed.includes(f), `${f} is signed: ${signed}`);

      // A changed body, or a changed one-click URL, no longer verifies.
      const text = t.raw.toString("latin1");
      const tampered = Buffer.from(text.replace(/Hello, list\./, "Hello, LIST."), "latin1");
      assert.notEqual(tampered.toString("latin1"), text);
      assert.notEqual((await dkimVerify(tampered, { resolver })).results[0]!.status.result, "pass");
      const otherUrl = Buffer.from(text.replace(/\/unsubscribe\/([A-Za-z0-9_-]+)/, "/unsubscribe/$1x"), "latin1");
      assert.notEqual((await dkimVerify(otherUrl, { resolver })).results[0]!.status.result, "pass");

      const mail = await simpleParser(t.raw);
      const list = mail.headers.get("list") as unknown as Record<string, { url?: string; mail?: string; name?: string }>;
      assert.equal(list["unsubscribe-post"]?.name, "List-Unsubscribe=One-Click");
      assert.equal(list["unsubscribe"]?.mail, "trim140-request@example.org?subject=unsubscribe");
      assert.equal((text.match(/^List-Unsubscribe-Post:/gim) ?? []).length, 1);
      assert.equal((text.match(/^List-Unsubscribe:/gim) ?? []).length, 1);
      const lu = String(text.match(/^List-Unsubscribe:((?:.*)(?:\r\n[ \t].*)*)/im)?.[1]).replace(/\r\n/g, "");
      const url = /<(http:\/\/127\.0\.0\.1:\d+\/unsubscribe\/[^>]+)>/.exec(lu)?.[1];
      assert.ok(url, lu);
      assert.match(lu, /<mailto:trim140-request@example\.org\?subject=unsubscribe>/);
      urls.set(rcpt, url);
    }
    assert.equal(new Set(urls.values()).size, MEMBERS.length, "a URL per member");

    const post = (url: string, body = "List-Unsubscribe=One-Click") =>
      fetch(url, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body }).then(async (r) => ({ status: r.status, text: await r.text() }));
    const bobUrl = urls.get("bob@example.org")!;

    // Forged: a changed signature; another member's address put in bob's token; a made-up token.
    const parts = bobUrl.split("/").pop()!.split(".");
    const flip = (s: string): string => (s[0] === "A" ? "B" : "A") + s.slice(1);
    const base = bobUrl.slice(0, bobUrl.lastIndexOf("/") + 1);
    const forged = [
      base + [parts[0], parts[1], parts[2], flip(parts[3]!)].join("."),
      base + [parts[0], Buffer.from("cat@example.org").toString("base64url"), parts[2], parts[3]].join("."),
      base + [Buffer.from("other@example.org").toString("base64url"), parts[1], parts[2], parts[3]].join("."),
      base + "__proto__",
      base + "",
    ];
    for (const f of forged) assert.equal((await post(f)).status, 403, f);
    assert.equal((await post(bobUrl, "List-Unsubscribe=Yes")).status, 400, "not the one-click body");
    const page = await fetch(bobUrl);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /<form method="post"/);
    assert.deepEqual((await members()).map((m) => m.address), MEMBERS, "a GET, a forged POST and a wrong body change nothing");

    // Ann unsubscribes the way some providers post: multipart/form-data.
    const form = new FormData();
    form.set("List-Unsubscribe", "One-Click");
    const annOut = await fetch(urls.get("ann@example.org")!, { method: "POST", body: form });
    assert.equal(annOut.status, 200, await annOut.text());
    assert.deepEqual((await members()).map((m) => m.address), MEMBERS.filter((m) => m !== "ann@example.org"));

    const ok = await post(bobUrl);
    assert.equal(ok.status, 200, ok.text);
    assert.match(ok.text, /TW6124 bob@example\.org is unsubscribed from trim140@example\.org/);
    assert.deepEqual((await members()).map((m) => m.address), ["cat@example.org", "dan@example.org"]);
    const runs = (await api(`lists/${encodeURIComponent(LIST)}/runs`))["runs"] as { trigger: string; outcome: string; id: number }[];
    const unsub = runs.filter((r) => r.trigger === "unsubscribe");
    assert.equal(unsub.length, 2);
    assert.equal(unsub[0]!.outcome, "ok");
    const run = await api(`runs/${unsub[1]!.id}`);
    assert.deepEqual((run["actions"] as { kind: string; address: string }[]).map((a) => [a.kind, a.address]), [["members.remove", "bob@example.org"]]);

    // Replayed: nothing changes, and bob subscribed again is not removed by his old URL.
    const again = await post(bobUrl);
    assert.equal(again.status, 200);
    assert.match(again.text, /TW6125/);
    await fetch(`http://127.0.0.1:${d.ports.http}/v1/lists/${encodeURIComponent(LIST)}/members`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ members: ["bob@example.org"] }),
    });
    assert.match((await post(bobUrl)).text, /TW6125/);
    assert.ok((await members()).some((m) => m.address === "bob@example.org"), "bob's old link does not remove the new subscription");
    const thwonkcRuns = await runCli(["runs", LIST, "--server", `http://127.0.0.1:${d.ports.http}`, "--token", token], { cwd: keys });
    assert.equal(thwonkcRuns.code, 0, thwonkcRuns.stderr);
    assert.match(thwonkcRuns.stdout, /unsubscribe/);

    // A bounce for cat, to cat's VERP address, with the null sender: recorded, no rule run, nothing sent.
    const catMail = relay.got.find((t) => t.to[0] === "cat@example.org")!;
    const catId = String((await simpleParser(catMail.raw)).messageId).replace(/^<|>$/g, "");
    const sent = relay.got.length;
    const runsBefore = readStore(ws.data, (db) => (db.prepare("SELECT COUNT(*) AS n FROM runs WHERE trigger = 'message'").get() as { n: number }).n);
    const info = await mta.sendMail({ envelope: { from: "", to: [catMail.from] }, raw: dsn(catMail.from, "cat@mailbox.example.net", catId) });
    assert.match(info.response, /^250 2\.0\.0 TW6126 .*cat@example\.org/);
    const bounces = readStore(ws.data, (db) => db.prepare("SELECT member, status, action, verp FROM bounces").all());
    assert.deepEqual(bounces, [{ member: "cat@example.org", status: "5.1.1", action: "failed", verp: 1 }]);
    assert.equal((await members()).find((m) => m.address === "cat@example.org")?.bounces, 1);
    assert.equal((await members()).find((m) => m.address === "dan@example.org")?.bounces, undefined);
    const listed = await runCli(["members", "list", LIST, "--server", `http://127.0.0.1:${d.ports.http}`, "--token", token], { cwd: keys });
    assert.match(listed.stdout, /^cat@example\.org {2}1 bounce$/m);
    assert.match(listed.stdout, /^dan@example\.org$/m);

    // Not counted: a delay, a report to the plain address of this VERP list (about a member, a non-member, or a
    // message this list did not send), a plain message.
    const plain = `trim140-bounces@example.org`;
    const viaPlain = /VERP address of whom it is about, not the plain bounce address/;
    for (const [raw, why] of [
      [dsn(plain, "dan@example.org", catId, { action: "delayed", status: "4.4.1" }), /no permanent failure/],
      [dsn(plain, "dan@example.org", catId), viaPlain],
      [dsn(plain, "dan@example.org", "someone.else@example.com"), viaPlain],
      [dsn(plain, "dan@example.org", catId.replace(/\.1@/, ".9@")), viaPlain],
      [dsn(plain, "dan@example.org", catId, { returned: false }), /names no original message/],
      [dsn(plain, "eve@example.com", catId), viaPlain],
      [`From: x@example.com\r\nTo: ${plain}\r\nSubject: hi\r\n\r\nplease reply\r\n`, /not a delivery status report/],
    ] as const) {
      const r = await mta.sendMail({ envelope: { from: "", to: [plain] }, raw });
      assert.match(r.response, /^250 2\.0\.0 TW6127/);
      assert.match(r.response, why);
    }
    // Only the report to cat's own VERP address was counted (a plain report counts on lists without VERP:
    // test/mail/adversary-bounces.test.ts).
    assert.equal(readStore(ws.data, (db) => (db.prepare("SELECT COUNT(*) AS n FROM bounces").get() as { n: number }).n), 1);
    await new Promise((w) => setTimeout(w, 300));
    assert.equal(relay.got.length, sent, "nothing answers a bounce");
    assert.equal(readStore(ws.data, (db) => (db.prepare("SELECT COUNT(*) AS n FROM runs WHERE trigger = 'message'").get() as { n: number }).n), runsBefore, "no rule ran");
    mta.close();
  } finally {
    await d.stop();
    await relay.close();
    rmSync(ws.dir, { recursive: true, force: true });
    rmSync(keys, { recursive: true, force: true });
  }
});

test("thwonkd with a DKIM key it cannot use stops at start: exit 2 and why, before it takes any mail", async () => {
  const dir = mkdtempSync(join(tmpdir(), "thwonk-badkey-"));
  try {
    const r = spawnSync(process.execPath, [join(repoRoot, "bin", "thwonkd.js"), "--data", join(dir, "data"), "--smtp", "127.0.0.1:0", "--http", "127.0.0.1:0", "--dkim", `example.org=s1:${join(dir, "missing.pem")}`], {
      encoding: "utf8",
      timeout: 60_000,
    });
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /^thwonkd: dkim\.example\.org\.keyFile .*missing\.pem cannot be read .*thwonkc dkim-key example\.org --out FILE/m);
    assert.equal(r.stdout, "", "no ports were bound");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
