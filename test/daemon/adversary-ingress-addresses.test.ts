/**
 * The adversary of thwonkd's address resolution at RCPT, on a real thwonkd (lists deployed through its API) and
 * real clients (raw sockets, Python's smtplib): internationalized domains in their ASCII (A-label) and SMTPUTF8
 * (Unicode) spellings, the same list named twice in one transaction, lists named like another's `+tag` or
 * `-request` form, and the odd addresses that must never reach a list (quotes, source routes, empty parts).
 */
import assert from "node:assert/strict";
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { RawClient } from "./inflight-client.js";
import { have, python, readStore, startDaemon, workspace, type Running } from "./helpers.js";

/** Says in its one send which list ran and how it saw the envelope. */
const WHO = `rule who

limits { members: 10, fanout: 10 }

on message(m: Message) {
  var sender = "none"
  let given = m.envelope.sender
  if given != none {
    sender = "{given}"
  }
  send(to: members, subject: "{list.address} rcpt={m.envelope.recipient} request={m.envelope.isRequest} tag={m.envelope.tag ?? "none"} sender={sender}", text: m.text)
}
`;
const IDN = "idn@xn--bcher-kva.example";
const LISTS = [IDN, "foo@example.org", "foo-request@example.org", "a@example.org", "a+b@example.org"];

let ws: ReturnType<typeof workspace>;
let d: Running;

before(async () => {
  ws = workspace({ quiet: { source: WHO } });
  d = await startDaemon(ws);
  const token = readFileSync(join(ws.data, "admin.token"), "utf8").trim();
  const r = await fetch(`http://127.0.0.1:${d.ports.http}/v1/deploy`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify({ source: WHO, fileName: "who.thwonk", addresses: LISTS }),
  });
  assert.equal(r.status, 200, await r.text());
  const no = await fetch(`http://127.0.0.1:${d.ports.http}/v1/deploy`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify({ source: 'rule no\n\non message(_m: Message) {\n  reject("no thanks")\n}\n', fileName: "no.thwonk", addresses: ["no@example.org"] }),
  });
  assert.equal(no.status, 200, await no.text());
  for (const list of LISTS) {
    const m = await fetch(`http://127.0.0.1:${d.ports.http}/v1/lists/${encodeURIComponent(list)}/members`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ members: ["ann@example.org"] }),
    });
    assert.equal(m.status, 200);
  }
});

after(async () => {
  assert.equal(await d.stop(), 0);
  rmSync(ws.dir, { recursive: true, force: true });
});

let n = 0;

/** One transaction: MAIL (with its parameters), each RCPT's answer, and, when one was accepted, DATA's answer and the run's subject line. */
async function transaction(o: { from: string; params?: string; rcpts: string[]; lmtp?: boolean; header?: string }): Promise<{ rcpts: string[]; data: string[]; said: string[]; next: string }> {
  const subject = `addr-${n++}`;
  const c = await new RawClient(o.lmtp ? d.ports.lmtp! : d.ports.smtp).open(o.lmtp ? "LHLO" : "EHLO");
  // Written as UTF-8: an SMTPUTF8 client sends its addresses so.
  const cmd = (line: string) => {
    c.socket.write(Buffer.from(`${line}\r\n`, "utf8"));
    return c.reply();
  };
  assert.match(await cmd(`MAIL FROM:<${o.from}>${o.params ? ` ${o.params}` : ""}`), /^250 /);
  const rcpts: string[] = [];
  for (const r of o.rcpts) rcpts.push(await cmd(`RCPT TO:<${r}>`));
  const accepted = rcpts.filter((r) => r.startsWith("250")).length;
  let data: string[] = [];
  if (accepted) {
    assert.match(await cmd("DATA"), /^354 /);
    c.socket.write(Buffer.from(`From: ${o.header ?? "ann@example.org"}\r\nTo: x@example.org\r\nSubject: ${subject}\r\n\r\nhi\r\n`, "utf8"));
    data = await c.end(o.lmtp ? accepted : 1);
  }
  // The answer to the next command is its own: the client and the server are still in step.
  const next = await c.command("NOOP");
  await c.command("QUIT");
  c.destroy();
  const said = readStore(ws.data, (db) =>
    (db.prepare("SELECT r.actions FROM runs r JOIN messages m ON m.id = r.message_id WHERE CAST(m.raw AS TEXT) LIKE ? ORDER BY r.id").all(`%Subject: ${subject}\r\n%`) as { actions: string }[]).map(
      (r) => (JSON.parse(r.actions) as { subject?: string }[])[0]?.subject ?? "(nothing sent)",
    ),
  );
  return { rcpts, data, said, next };
}

test("a list at an internationalized domain takes mail in its A-label and its SMTPUTF8 spelling, and such a sender is not a bounce", async () => {
  for (const [rcpt, params] of [
    [IDN, undefined],
    ["IDN@XN--BCHER-KVA.EXAMPLE", undefined],
    ["idn@bücher.example", "SMTPUTF8"],
    ["idn@BÜCHER.example", "SMTPUTF8"],
  ] as const) {
    const t = await transaction({ from: "ann@xn--bcher-kva.example", rcpts: [rcpt], ...(params ? { params } : {}) });
    assert.match(t.rcpts[0]!, /^250 /, rcpt);
    assert.match(t.data[0]!, /^250 /, rcpt);
    assert.deepEqual(t.said, [`${IDN} rcpt=${IDN} request=false tag=none sender=ann@xn--bcher-kva.example`], rcpt);
  }
  // The sender in Unicode is the same sender.
  const u = await transaction({ from: "ann@bücher.example", params: "SMTPUTF8", rcpts: ["idn-request@bücher.example"] });
  assert.deepEqual(u.said, [`${IDN} rcpt=idn-request@xn--bcher-kva.example request=true tag=none sender=ann@xn--bcher-kva.example`]);
  // A From field in UTF-8 (RFC 6532) naming the list's own address in Unicode is the list's: a loop, not run.
  const own = await transaction({ from: "ann@xn--bcher-kva.example", params: "SMTPUTF8", rcpts: [IDN], header: "The list <IDN@BÜCHER.example>" });
  assert.match(own.data[0]!, /^250 2\.0\.0 .*loop/);
  assert.deepEqual(own.said, ["(nothing sent)"]);
  // Another internationalized domain is no list's.
  assert.match((await transaction({ from: "ann@example.org", params: "SMTPUTF8", rcpts: ["idn@bücher2.example"] })).rcpts[0]!, /^550 5\.1\.1 /);
});

test("python smtplib: an A-label recipient and sender, as an ordinary client sends them", { skip: have("python3") ? false : "python3 is not installed" }, async () => {
  const out = await python(`
import smtplib
s = smtplib.SMTP("127.0.0.1", ${d.ports.smtp})
print(s.sendmail("bob@xn--bcher-kva.example", ["${IDN}"], "From: bob@xn--bcher-kva.example\\r\\nSubject: py-idn\\r\\n\\r\\nhi\\r\\n"))
s.quit()
`);
  assert.equal(out.trim(), "{}");
  const said = readStore(ws.data, (db) => db.prepare("SELECT actions FROM runs WHERE address = ? ORDER BY id DESC LIMIT 1").get(IDN) as { actions: string });
  assert.match((JSON.parse(said.actions) as { subject: string }[])[0]!.subject, /sender=bob@xn--bcher-kva\.example$/);
});

test("the same list named twice in one SMTP transaction, by its address in another case or spelling, is one recipient: 250, one run", async () => {
  for (const [a, b] of [
    ["foo@example.org", "FOO@Example.ORG"],
    [IDN, "idn@bücher.example"],
    ["foo@example.org", '"foo"@example.org'],
  ]) {
    const t = await transaction({ from: "ann@example.org", params: "SMTPUTF8", rcpts: [a, b] });
    assert.match(t.rcpts[1]!, /^250 /, `${a} then ${b}`);
    assert.equal(t.said.length, 1, `${a} then ${b}: run once`);
  }
  // Another address of the same list, or another list, waits for a transaction of its own.
  for (const [a, b] of [
    ["foo@example.org", "foo+x@example.org"],
    ["foo@example.org", "foo-request@example.org"],
    ["a@example.org", "a+b@example.org"],
  ]) {
    const t = await transaction({ from: "ann@example.org", rcpts: [a, b] });
    assert.match(t.rcpts[1]!, /^452 4\.5\.3 /, `${a} then ${b}`);
    assert.equal(t.said.length, 1);
  }
  // LMTP: an answer after DATA for each RCPT answered 250 (RFC 2033 4.2), the same address delivered once.
  const l = await transaction({ from: "ann@example.org", rcpts: ["foo@example.org", "Foo@example.org", "foo+x@example.org", "FOO@example.org"], lmtp: true });
  assert.deepEqual(l.rcpts.map((r) => r.slice(0, 3)), ["250", "250", "250", "250"]);
  assert.deepEqual(l.data.map((r) => r.slice(0, 9)), ["250 2.0.0", "250 2.0.0", "250 2.0.0", "250 2.0.0"]);
  assert.match(l.next, /^250 /, "the NOOP after DATA gets its own answer");
  assert.equal(l.said.length, 2);
  const quoted = await transaction({ from: "ann@example.org", rcpts: ['"foo"@example.org', "foo@example.org"], lmtp: true });
  assert.deepEqual(quoted.data.map((r) => r.slice(0, 9)), ["250 2.0.0", "250 2.0.0"]);
  assert.equal(quoted.said.length, 1, "quoted and not, one recipient: run once");
  // Two lists, one rejecting, each named twice: each RCPT gets its list's answer, in the order of the RCPTs.
  const two = await transaction({ from: "ann@example.org", rcpts: ["no@example.org", "foo@example.org", "NO@example.org", "FOO@example.org"], lmtp: true });
  assert.deepEqual(two.data.map((r) => r.slice(0, 9)), ["550 5.7.1", "250 2.0.0", "550 5.7.1", "250 2.0.0"]);
  assert.match(two.next, /^250 /);
  assert.equal(two.said.length, 2, "one run a list");
});

test("a list named like another's +tag or -request form gets its own mail, and its own +tag and -request forms", async () => {
  const cases: [string, string][] = [
    ["a+b@example.org", "a+b@example.org rcpt=a+b@example.org request=false tag=none"],
    ["a+b+c@example.org", "a+b@example.org rcpt=a+b+c@example.org request=false tag=c"],
    ["A+B-Request@example.org", "a+b@example.org rcpt=a+b-request@example.org request=true tag=none"],
    ["a+b-request+z@example.org", "a+b@example.org rcpt=a+b-request+z@example.org request=true tag=z"],
    ["a+c@example.org", "a@example.org rcpt=a+c@example.org request=false tag=c"],
    ["a-request+b@example.org", "a@example.org rcpt=a-request+b@example.org request=true tag=b"],
    ["foo-request@example.org", "foo-request@example.org rcpt=foo-request@example.org request=false tag=none"],
    ["foo-request+x@example.org", "foo-request@example.org rcpt=foo-request+x@example.org request=false tag=x"],
    ["foo-request-request@example.org", "foo-request@example.org rcpt=foo-request-request@example.org request=true tag=none"],
    ["foo+x-request@example.org", "foo@example.org rcpt=foo+x-request@example.org request=false tag=x-request"],
    // A quoted local part that needs no quotes is the same local part (RFC 5321 4.1.2).
    ['"foo"@example.org', "foo@example.org rcpt=foo@example.org request=false tag=none"],
    ['"A+B-request"@example.org', "a+b@example.org rcpt=a+b-request@example.org request=true tag=none"],
    ['"f\\oo"@example.org', "foo@example.org rcpt=foo@example.org request=false tag=none"],
    // A source route is ignored (RFC 5321 4.1.2): the address after it is the recipient.
    ["@relay.example,@other.example:foo@example.org", "foo@example.org rcpt=foo@example.org request=false tag=none"],
  ];
  for (const [rcpt, said] of cases) {
    const t = await transaction({ from: rcpt.startsWith('"') ? '"ann"@example.org' : "ann@example.org", rcpts: [rcpt] });
    assert.deepEqual(t.said, [`${said} sender=ann@example.org`], rcpt);
  }
});

test("a list named like another's +tag form has its own bounce address and VERP forms: recorded as bounces, never run by the other list", async () => {
  for (const rcpt of ["a+b-bounces@example.org", "A+B-Bounces+abcdefgh-ann=example.org@example.org", "a-bounces@example.org", "foo-request-bounces@example.org"]) {
    const t = await transaction({ from: "", rcpts: [rcpt] });
    assert.match(t.rcpts[0]!, /^250 /, rcpt);
    assert.match(t.data[0]!, /^250 2\.0\.0 TW6127 /, `${rcpt}: taken as a bounce report`);
    assert.deepEqual(t.said, [], `${rcpt}: no rule ran`);
  }
  // Tagged forms of a list that are no bounce address still reach it.
  assert.deepEqual((await transaction({ from: "ann@example.org", rcpts: ["a+bounces@example.org"] })).said, ["a@example.org rcpt=a+bounces@example.org request=false tag=bounces sender=ann@example.org"]);
});

test("addresses no list has get 550 or 501 at RCPT, never a relay, and the daemon goes on", async () => {
  for (const rcpt of [
    '"foo"x@example.org',
    '"foo@x"@example.org',
    '"fo.."@example.org',
    "foo@example.org.evil",
    "foo@other.example",
    "-request@example.org",
    "+foo@example.org",
    "foo@[127.0.0.1]",
    "foo%example.org@example.org",
    "foo@example.org.",
    "@example.org",
    `${"f".repeat(300)}@example.org`,
    "foo@xn--bcher-kva.example",
    "postmaste",
    "postmaster@",
  ]) {
    const t = await transaction({ from: "ann@example.org", rcpts: [rcpt] });
    assert.match(t.rcpts[0]!, /^5(50 5\.1\.1|01) /, rcpt);
  }
  // RCPT TO:<Postmaster> without a domain is the server's postmaster (RFC 5321 4.1.1.3), kept: test/daemon/postmaster.test.ts.
  assert.match((await transaction({ from: "ann@example.org", rcpts: ["Postmaster"] })).rcpts[0]!, /^250 /);
  const ok = await transaction({ from: "ann@example.org", rcpts: ["foo@example.org"] });
  assert.match(ok.data[0]!, /^250 /);
});

/** Says whether the sender is a member, and the addresses as the run sees them. */
const NFC_RULE = `rule nfc

limits { members: 10, fanout: 10 }

on message(m: Message) {
  send(to: members, subject: "{list.address} rcpt={m.envelope.recipient} member={members.has(m.from)} from={m.from}", text: m.text)
}
`;

test("an address written composed and decomposed (é, e + U+0301) is one: a member is the sender either way, a list named both ways in one transaction is one recipient", async () => {
  const token = readFileSync(join(ws.data, "admin.token"), "utf8").trim();
  const api = (path: string, body: unknown) =>
    fetch(`http://127.0.0.1:${d.ports.http}/v1/${path}`, { method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: JSON.stringify(body) });
  const LIST = "r\u00e9sum\u00e9@example.org";
  const r = await api("deploy", { source: NFC_RULE, fileName: "nfc.thwonk", addresses: [LIST] });
  assert.equal(r.status, 200, await r.text());
  assert.equal((await api(`lists/${encodeURIComponent(LIST)}/members`, { members: ["jos\u00e9@example.org"] })).status, 200);
  // The sender written decomposed, in the envelope and in From, to the list written decomposed.
  const t = await transaction({ from: "jose\u0301@example.org", params: "SMTPUTF8", rcpts: ["re\u0301sume\u0301@example.org"], header: "Jose\u0301 <jose\u0301@example.org>" });
  assert.match(t.rcpts[0]!, /^250 /);
  assert.match(t.data[0]!, /^250 /);
  assert.deepEqual(t.said, [`${LIST} rcpt=${LIST} member=true from=jos\u00e9@example.org`]);
  // The list twice, once each way: one recipient, one run.
  const two = await transaction({ from: "jos\u00e9@example.org", params: "SMTPUTF8", rcpts: [LIST, "RE\u0301SUME\u0301@example.org"], header: "jos\u00e9@example.org" });
  assert.match(two.rcpts[1]!, /^250 /);
  assert.equal(two.said.length, 1, "one run");
});
