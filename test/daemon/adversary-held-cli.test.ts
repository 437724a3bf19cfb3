/**
 * Adversary: what a stranger wrote reaches an owner's terminal through
 * `thwonkc held` only without control characters: the envelope sender
 * (MAIL FROM, sent raw by Python's smtplib), the subject, the From name and
 * an attachment's content type carry ANSI escapes here.
 */
import assert from "node:assert/strict";
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { BufferStream } from "../../cli/io.js";
import { main } from "../../cli/main.js";
import { python, startDaemon, until, workspace } from "./helpers.js";

const LIST = "moderated@example.org";

test("thwonkc held ID prints no terminal escape a stranger sent", async () => {
  const ws = workspace({ moderated: { example: "moderated", members: [{ address: "ann@example.org", role: "owner" }] } });
  const d = await startDaemon(ws);
  try {
    const msg = [
      "From: =?utf-8?B?" + Buffer.from("Eve \x1b]0;pwned\x07\x1b[2J").toString("base64") + "?= <eve@example.net>",
      `To: ${LIST}`,
      "Subject: =?utf-8?B?" + Buffer.from("hi \x1b[31mred").toString("base64") + "?=",
      "MIME-Version: 1.0",
      'Content-Type: multipart/mixed; boundary="b"',
      "",
      "--b",
      "Content-Type: text/plain",
      "",
      "text \x1b[5mblink",
      "--b",
      'Content-Type: application/x-\x1b[2Jevil; name="a.bin"',
      "",
      "DATA",
      "--b--",
      "",
    ].join("\r\n");
    await python(`
import smtplib
s = smtplib.SMTP("127.0.0.1", ${d.ports.smtp})
s.ehlo("client.example")
code, resp = s.docmd("MAIL FROM:<eve\\x1b[2J\\x1b]0;x\\x07@example.net>")
if code != 250:
    s.docmd("RSET"); s.docmd("MAIL FROM:<eve@example.net>")
s.docmd("RCPT TO:<${LIST}>")
s.docmd("DATA")
s.send(${JSON.stringify(msg)}.replace("\\r\\n", "\\r\\n").encode("latin1") + b"\\r\\n.\\r\\n")
print(s.getreply())
s.quit()
`);
    const token = readFileSync(join(ws.data, "admin.token"), "utf8").trim();
    const server = `http://127.0.0.1:${d.ports.http}`;
    const cli = async (...args: string[]): Promise<string> => {
      const out = new BufferStream();
      const err = new BufferStream();
      const code = await main([...args, "--server", server, "--token", token], { cwd: ws.dir, env: {}, stdout: out, stderr: err });
      assert.equal(code, 0, err.text());
      return out.text();
    };
    const listing = await until("the held message", async () => {
      const t = await cli("held", LIST);
      return /#\d+/.test(t) ? t : undefined;
    });
    const id = /#(\d+)/.exec(listing)![1]!;
    const shown = await cli("held", id);
    assert.match(shown, /attachment/);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: what must not reach the terminal
    for (const t of [listing, shown]) assert.ok(!/[\x00-\x08\x0b-\x1f\x7f-\x9f]/.test(t), `a control character reached the terminal: ${JSON.stringify(t)}`);
  } finally {
    await d.stop();
    rmSync(ws.dir, { recursive: true, force: true });
  }
});
