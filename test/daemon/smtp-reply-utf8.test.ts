/**
 * SMTP reply texts that name a non-ASCII address or carry a rule's non-ASCII reason, on a real thwonkd, read as bytes:
 * a client that said SMTPUTF8 (Python's smtplib) gets them in UTF-8, as they are; a client that did not (a raw socket)
 * gets an ASCII rendering (`\u{FC}` for `ü`, smtp.ts `replyText`), never bytes it would read one a character. A
 * reason cut at its 400th unit is never cut inside a character (half of a pair went out as U+FFFD).
 */
import assert from "node:assert/strict";
import { connect } from "node:net";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { cliIn, python, readStore, startDaemon, workspace, type Running } from "./helpers.js";

const LONG = `${"a".repeat(399)}😀 and more`;
const RULE = `rule quiet

limits { members: 10 }

on message(m: Message) {
  if m.subject == "long" {
    reject("${LONG}")
  }
  if m.subject == "wide" {
    reject("${"ü".repeat(300)}")
  }
  if m.subject != "ok" {
    reject("Nö, {m.from} ist kein Mitglied")
  }
}
`;
/** A second list, at a non-ASCII address (deployed through the API). */
const OTHER = "ünï@example.org";
const STRANGER = "ünïcode@exämple.org";

let ws: ReturnType<typeof workspace>;
let d: Running;

before(async () => {
  ws = workspace({ quiet: { source: RULE } });
  d = await startDaemon(ws);
  const token = readFileSync(join(ws.data, "admin.token"), "utf8").trim();
  const r = await fetch(`http://127.0.0.1:${d.ports.http}/v1/deploy`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify({ source: RULE, fileName: "quiet.thwonk", addresses: [OTHER] }),
  });
  assert.equal(r.status, 200, await r.text());
});

after(async () => {
  assert.equal(await d.stop(), 0);
  rmSync(ws.dir, { recursive: true, force: true });
});

/** The bytes as UTF-8, refusing any that are not (no U+FFFD stands in). */
const utf8 = (hex: string): string => new TextDecoder("utf-8", { fatal: true }).decode(Buffer.from(hex, "hex"));

test("a client that said SMTPUTF8 gets the replies in UTF-8: 550 and 452 naming a non-ASCII address, a rule's reason", async () => {
  const out = JSON.parse(
    await python(`
import smtplib, json
out = {}
msg = "From: ${STRANGER}\\r\\nSubject: %s\\r\\n\\r\\nhello\\r\\n"
s = smtplib.SMTP("127.0.0.1", ${d.ports.smtp})
try:
    s.sendmail("${STRANGER}", ["${STRANGER}"], (msg % "x").encode("utf-8"), mail_options=["SMTPUTF8"])
except smtplib.SMTPRecipientsRefused as e:
    out["noList"] = list(e.recipients.values())[0][1].hex()
refused = s.sendmail("${STRANGER}", ["quiet@example.org", "${OTHER}"], (msg % "ok").encode("utf-8"), mail_options=["SMTPUTF8"])
out["second"] = list(refused.values())[0][1].hex()
for subject in ["no", "long"]:
    try:
        s.sendmail("${STRANGER}", ["quiet@example.org"], (msg % subject).encode("utf-8"), mail_options=["SMTPUTF8"])
    except smtplib.SMTPDataError as e:
        out[subject] = [e.smtp_code, e.smtp_error.hex()]
s.quit()
print(json.dumps(out))
`),
  ) as { noList: string; second: string; no: [number, string]; long: [number, string] };
  assert.match(utf8(out.noList), /^5\.1\.1 TW6001 No list is deployed at ünïcode@xn--exmple-cua\.org;/);
  assert.match(utf8(out.second), /^4\.5\.3 TW6002 ünï@example\.org is another list than quiet@example\.org,/);
  assert.equal(out.no[0], 550);
  assert.equal(utf8(out.no[1]), "5.7.1 Nö, ünïcode@xn--exmple-cua.org ist kein Mitglied");
  // The reason's first 400 units end inside the emoji: the reply stops before it, and is UTF-8 all through.
  assert.equal(out.long[0], 550);
  assert.equal(utf8(out.long[1]), `5.7.1 ${"a".repeat(399)}`);
});

/** One SMTP session on a raw socket: each command as UTF-8 bytes, and every byte of every reply. */
async function rawSession(lines: string[]): Promise<Buffer> {
  const s = connect(d.ports.smtp, "127.0.0.1");
  const got: Buffer[] = [];
  let replies = 0;
  let wake: (() => void) | undefined;
  s.on("data", (b: Buffer) => {
    got.push(b);
    // A reply's last line is "NNN " (a continued one "NNN-").
    const lines = Buffer.concat(got).toString("latin1").split("\r\n");
    lines.pop(); // not ended yet
    replies = lines.filter((l) => /^\d{3} /.test(l)).length;
    wake?.();
  });
  const until = (n: number): Promise<void> =>
    new Promise((r) => {
      const check = (): void => (replies >= n ? r() : void (wake = check));
      check();
    });
  await until(1);
  let want = 1;
  for (const line of lines) {
    s.write(Buffer.from(`${line}\r\n`, "utf8"));
    // DATA's 354 comes before the message; the message's own lines get no reply until its dot.
    if (!line.includes("\r\n") || line.endsWith("\r\n.")) await until(++want);
  }
  s.destroy();
  return Buffer.concat(got);
}

test("a client that did not say SMTPUTF8 gets ASCII: each character past it as \\u{HEX}, the addresses still the ones it wrote", async () => {
  const bytes = await rawSession([
    "EHLO client.example.org",
    `MAIL FROM:<${STRANGER}>`,
    `RCPT TO:<${STRANGER}>`,
    "RCPT TO:<quiet@example.org>",
    `RCPT TO:<${OTHER}>`,
    "DATA",
    `From: ${STRANGER}\r\nSubject: no\r\n\r\nhello\r\n.`,
    "QUIT",
  ]);
  const high = [...bytes].filter((b) => b > 0x7f);
  assert.deepEqual(high, [], `every byte of the replies is ASCII:\n${bytes.toString("utf8")}`);
  const text = bytes.toString("latin1");
  assert.match(text, /\r\n550 5\.1\.1 TW6001 No list is deployed at \\u\{FC\}n\\u\{EF\}code@xn--exmple-cua\.org;/);
  assert.match(text, /\r\n452 4\.5\.3 TW6002 \\u\{FC\}n\\u\{EF\}@example\.org is another list than quiet@example\.org,/);
  assert.match(text, /\r\n550 5\.7\.1 N\\u\{F6\}, \\u\{FC\}n\\u\{EF\}code@xn--exmple-cua\.org ist kein Mitglied\r\n/);
});

test("SMTPUTF8 holds for its transaction only: the next MAIL FROM without it gets ASCII again", async () => {
  const bytes = await rawSession([
    "EHLO client.example.org",
    `MAIL FROM:<${STRANGER}> SMTPUTF8`,
    `RCPT TO:<${STRANGER}>`,
    "RSET",
    `MAIL FROM:<${STRANGER}>`,
    `RCPT TO:<${STRANGER}>`,
    "QUIT",
  ]);
  const refusals = bytes.toString("utf8").split("\r\n").filter((l) => l.startsWith("550 "));
  assert.deepEqual(
    refusals.map((l) => /deployed at (\S+);/.exec(l)?.[1]),
    ["ünïcode@xn--exmple-cua.org", "\\u{FC}n\\u{EF}code@xn--exmple-cua.org"],
  );
});

test("thwonkc mail takes a non-ASCII From as the envelope sender as it is (it was read a byte a character), and prints the reply in UTF-8", async () => {
  const file = join(ws.dir, "unicode.eml");
  writeFileSync(file, `From: Ünï <${STRANGER}>\r\nTo: quiet@example.org\r\nSubject: no\r\nMessage-ID: <mail-utf8@example.org>\r\n\r\nhello\r\n`);
  const r = await cliIn(ws.dir, ["mail", file, "--to", "quiet@example.org", "--server", `smtp://127.0.0.1:${d.ports.smtp}`]);
  assert.equal(r.code, 1, r.out + r.err);
  assert.match(r.err, /550 5\.7\.1 Nö, ünïcode@xn--exmple-cua\.org ist kein Mitglied/);
  const from = readStore(ws.data, (db) => (db.prepare("SELECT mail_from FROM messages WHERE CAST(raw AS TEXT) LIKE '%mail-utf8@%'").get() as { mail_from: string }).mail_from);
  assert.equal(from, "ünïcode@xn--exmple-cua.org");
});

test("a reply line is at most 512 octets with its code and CRLF (RFC 5321 4.5.3.1.5): a long reason is cut with `...`, never inside a character or an escape", async () => {
  const wide = "\u00fc".repeat(120);
  const unknown = `${wide}@example.org`;
  for (const smtputf8 of [false, true]) {
    const bytes = await rawSession([
      "EHLO client.example.org",
      `MAIL FROM:<${STRANGER}>${smtputf8 ? " SMTPUTF8" : ""}`,
      `RCPT TO:<${unknown}>`,
      "RCPT TO:<quiet@example.org>",
      "DATA",
      `From: ${STRANGER}\r\nSubject: wide\r\n\r\nhello\r\n.`,
      "QUIT",
    ]);
    const lines = bytes.toString("latin1").split("\r\n").slice(0, -1);
    for (const line of lines) assert.ok(Buffer.byteLength(line, "latin1") + 2 <= 512, `${line.length}: ${line.slice(0, 60)}`);
    const text = utf8(bytes.toString("hex"));
    const reject = text.split("\r\n").find((l) => l.startsWith("550 5.7.1 "))!;
    const noList = text.split("\r\n").find((l) => l.startsWith("550 5.1.1 "))!;
    if (smtputf8) {
      assert.match(reject, /^550 5\.7\.1 ü+\.\.\.$/);
      assert.match(noList, /^550 5\.1\.1 TW6001 No list is deployed at ü+/);
    } else {
      assert.match(reject, /^550 5\.7\.1 (?:\\u\{FC\})+\.\.\.$/, "cut between escapes");
      assert.match(noList, /^550 5\.1\.1 TW6001 No list is deployed at (?:\\u\{FC\})+\.\.\.$/);
    }
  }
});
