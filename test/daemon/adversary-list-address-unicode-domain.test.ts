/**
 * LIST_ADDRESS_MAX (245) counts an address as a client may write it. A list's domain is stored in its `xn--` form
 * (the one address rule takes no other), and a client may write it either way (SMTPUTF8: the U-label): smtp-server
 * counts what it was given, in UTF-16 units. For most scripts the U-label is the shorter, but a character past
 * U+FFFF is two units there and about one in punycode's run of deltas: 40 of U+20000 are 88 units as a U-label and 55
 * as `xn--j50iaaaa…`. wireLength counted only the `xn--` form (and the form given, which is the same), so a list
 * could be deployed at 245 whose address written with its U-label was 278 long: 501 at RCPT TO, as its -request and
 * -bounces. Now the U-label is counted too. A real Daemon and its SMTP ingress on 127.0.0.1, a raw conversation.
 */
import assert from "node:assert/strict";
import { connect } from "node:net";
import { domainToASCII, domainToUnicode } from "node:url";
import { after, before, test } from "node:test";
import type { Daemon } from "../../runtime/daemon/daemon.js";
import { createLogger } from "../../runtime/daemon/log.js";
import { createIngress, type Ingress, LIST_ADDRESS_MAX, wireLength } from "../../runtime/daemon/smtp.js";
import { listDaemon } from "./helpers.js";

const RULE = `rule open

on message(m: Message) {
  send(to: members, subject: m.subject, text: m.text)
}
`;
const DOMAIN = domainToASCII(`${"\u{20000}".repeat(40)}.example`);
/** A list address of `n` characters in its stored (xn--) form. */
const listAt = (n: number): string => `${"a".repeat(n - 1 - DOMAIN.length)}@${DOMAIN}`;
const unicodeForm = (address: string): string => {
  const at = address.lastIndexOf("@");
  return `${address.slice(0, at)}@${domainToUnicode(address.slice(at + 1))}`;
};

let daemon: Daemon;
let close: () => Promise<void>;
let smtp: Ingress;
let port: number;

before(async () => {
  ({ daemon, close } = await listDaemon({ source: RULE, fileName: "open.thwonk", addresses: ["open@example.org"] }));
  smtp = createIngress({ daemon, log: createLogger({ level: "silent", pretty: false }) });
  port = await smtp.listen("127.0.0.1", 0);
});

after(async () => {
  await smtp.close();
  await close();
});

/** The server's answers to EHLO, MAIL FROM and RCPT TO:<rcpt> (SMTPUTF8), one line each. */
async function rcptAnswer(rcpt: string): Promise<string> {
  const s = connect(port, "127.0.0.1");
  const lines: string[] = [];
  let buf = "";
  const next = (): Promise<string> =>
    new Promise((ok) => {
      const look = (): void => {
        // A reply's last line is "NNN text" (a space after the code); the lines before it "NNN-text".
        const m = /^(\d{3}) [^\r\n]*\r\n/m.exec(buf);
        if (!m) return void s.once("data", (c: Buffer) => ((buf += c.toString("utf8")), look()));
        buf = buf.slice(m.index + m[0].length);
        ok(m[0].trim());
      };
      look();
    });
  lines.push(await next());
  s.write("EHLO test.example\r\n");
  lines.push(await next());
  s.write("MAIL FROM:<ann@example.org> SMTPUTF8\r\n");
  lines.push(await next());
  s.write(Buffer.from(`RCPT TO:<${rcpt}>\r\n`, "utf8"));
  const answer = await next();
  s.end("QUIT\r\n");
  return answer;
}

test("wireLength counts the domain's U-label where it is the longer form", () => {
  const a = listAt(LIST_ADDRESS_MAX);
  assert.equal(a.length, LIST_ADDRESS_MAX);
  assert.equal(unicodeForm(a).length, LIST_ADDRESS_MAX + 33);
  assert.equal(wireLength(a), LIST_ADDRESS_MAX + 33);
});

test("a list whose address is 245 in xn-- form but longer with its U-label is refused, TW6043; one that fits both ways is deployed and takes mail at both", async () => {
  const tooLong = listAt(LIST_ADDRESS_MAX);
  assert.match(await rcptAnswer(unicodeForm(tooLong)), /^501 /, "the reason: smtp-server refuses the U-label form");
  const r = await daemon.deploy({ source: RULE, fileName: "open.thwonk", addresses: [tooLong] });
  assert.equal(r.ok, false, JSON.stringify(r));
  assert.match(r.addresses[0]!.problems[0]!, /^TW6043 /);

  const fits = listAt(LIST_ADDRESS_MAX - 33);
  const ok = await daemon.deploy({ source: RULE, fileName: "open.thwonk", addresses: [fits] });
  assert.equal(ok.ok, true, JSON.stringify(ok));
  for (const rcpt of [fits, unicodeForm(fits), unicodeForm(fits).replace("@", "-bounces@")]) assert.match(await rcptAnswer(rcpt), /^250 /, rcpt);
});
