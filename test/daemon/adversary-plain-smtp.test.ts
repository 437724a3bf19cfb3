/**
 * Plain messages through real SMTP on 127.0.0.1 (the ingress un-stuffs dot lines, keeps what the client wrote): the
 * text and subject the rule sees are mailparser's reading of the stored message, for dot lines, a header-only
 * message, lone LF in the body, a subject of spaces, and a long line.
 */
import assert from "node:assert/strict";
import { connect } from "node:net";
import { after, before, test } from "node:test";
import { simpleParser } from "mailparser";
import type { Daemon } from "../../runtime/daemon/daemon.js";
import { createLogger } from "../../runtime/daemon/log.js";
import { createIngress, type Ingress } from "../../runtime/daemon/smtp.js";
import { listDaemon } from "./helpers.js";

const A = "plainsmtp@example.org";
const SOURCE = `rule echo

limits { members: 10, fanout: 10 }

on message(m: Message) {
  send(to: members, subject: "[{m.subject}]", text: m.text, from: "sender", replyTo: "list")
}
`;

let daemon: Daemon;
let close: () => Promise<void>;
let ingress: Ingress;
let port: number;

before(async () => {
  ({ daemon, close } = await listDaemon({ source: SOURCE, fileName: "echo.thwonk", addresses: [A] }));
  ingress = createIngress({ daemon, log: createLogger({ level: "silent", pretty: false }) });
  port = await ingress.listen("127.0.0.1", 0);
});

after(async () => {
  await ingress.close();
  await close();
});

/** One SMTP transaction with DATA written as given (already dot-stuffed); the replies. */
function smtp(data: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const s = connect(port, "127.0.0.1");
    const lines: string[] = [];
    const script = ["EHLO client", "MAIL FROM:<ann@example.org>", `RCPT TO:<${A}>`, "DATA"];
    let buf = "";
    let step = 0;
    s.setEncoding("latin1");
    s.on("data", (chunk: string) => {
      buf += chunk;
      let nl: number;
      while ((nl = buf.indexOf("\r\n")) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 2);
        lines.push(line);
        if (line[3] === "-") continue;
        if (step < script.length) s.write(`${script[step++]}\r\n`);
        else if (step === script.length) {
          step++;
          s.write(`${data}\r\n.\r\n`, "latin1");
        } else if (step === script.length + 1) {
          step++;
          s.end("QUIT\r\n");
        }
      }
    });
    s.on("close", () => resolve(lines));
    s.on("error", reject);
  });
}

let n = 0;
async function through(head: string, bodyStuffed: string | undefined): Promise<string | undefined> {
  const id = `<ps.${n++}@example.org>`;
  const data = `From: <ann@example.org>\r\nTo: <${A}>\r\nMessage-ID: ${id}\r\n${head}${bodyStuffed === undefined ? "" : `\r\n${bodyStuffed}`}`;
  const replies = await smtp(data);
  assert.ok(replies.some((r) => r.startsWith("250 2.0.0 accepted")), replies.join("\n"));
  await daemon.runner.drain();
  const runs = await daemon.runs({ address: A });
  const last = runs.sort((x, y) => y.id - x.id)[0]!;
  const stored = await daemon.store.message(last.messageId!);
  if (!stored) throw new Error(`message ${last.messageId} is not stored`);
  assert.ok(stored.raw.includes(id), "the run is this message's");
  const m = await simpleParser(stored.raw, { keepCidLinks: true, skipTextToHtml: true, checksumAlgo: false });
  const send = last.actions.find((a) => a.kind === "send") as { subject?: string; text?: string };
  assert.equal(send.subject, `[${m.subject ?? ""}]`);
  assert.equal(send.text, m.text ?? "");
  return send.text;
}

test("dot lines sent stuffed reach the rule un-stuffed, as mailparser reads the stored message", async () => {
  assert.equal(await through("Subject: dots\r\n", "..\r\n...\r\n..x\r\nmid . dot\r\n. \r\nend"), ".\n..\n.x\nmid . dot\n. \nend\n");
});

test("a header-only message, a subject of spaces, lone LF in the body, a long line", async () => {
  await through("Subject: header only\r\n", undefined);
  await through("Subject:     \r\n", "x");
  await through("Subject: lf\r\n", "one\ntwo\n\nthree");
  await through("Subject: long\r\n", `${"a".repeat(50_000)}\r\nb`);
  await through("Subject: 8bit ascii\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n", "plain");
});
