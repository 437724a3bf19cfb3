/**
 * The adversary of thwonkd's reading of malformed mail, on a real thwonkd over raw sockets (every byte the
 * test's, dot-stuffed by hand where it says so): broken and missing boundaries, multiparts 1,000 deep and 60,000
 * wide, a header of 1 MB, NUL bytes, 8-bit headers, invalid base64 and quoted-printable, charsets that do not
 * exist, a message of header fields only, bare LF line ends, lone dots. Each is answered (250, or 552 over a
 * limit), stored with what could not be read, and the daemon goes on serving its other lists.
 */
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { after, before, test } from "node:test";
import { RawClient } from "./inflight-client.js";
import { readStore, startDaemon, until, workspace, type Running } from "./helpers.js";

const ECHO = `rule echo

limits { members: 10, fanout: 10, text: 1000000 }

on message(m: Message) {
  send(to: members, subject: "echo: {m.subject.truncate(100)}", text: m.text.truncate(1000))
}
`;
const LIST = "echo@example.org";
const OTHER = "other@example.org";

let ws: ReturnType<typeof workspace>;
let d: Running;

before(async () => {
  const members = [{ address: "ann@example.org", name: "Ann" }];
  ws = workspace({ echo: { source: ECHO, members }, other: { source: ECHO, members } });
  d = await startDaemon(ws);
});

after(async () => {
  assert.equal(await d.stop(), 0);
  rmSync(ws.dir, { recursive: true, force: true });
});

/** DATA as given (already dot-stuffed, without the final dot); the answer. */
async function post(data: string | Buffer, to = LIST): Promise<string> {
  const c = await new RawClient(d.ports.smtp).open();
  await c.begin([{ to }]);
  c.write(data);
  c.write(Buffer.byteLength(data) && !String(data).endsWith("\r\n") ? "\r\n" : "");
  const [answer] = await c.end();
  await c.command("QUIT");
  c.destroy();
  return answer!;
}

interface Stored {
  status: string;
  problems: string[];
  raw: Buffer;
  outcome: string | null;
}

function stored(marker: string): Stored | undefined {
  return readStore(ws.data, (db) => {
    const r = db
      .prepare("SELECT m.status, m.problems, m.raw, r.outcome FROM messages m LEFT JOIN runs r ON r.message_id = m.id WHERE instr(m.raw, ?) > 0 ORDER BY m.id DESC")
      .get(Buffer.from(marker, "latin1")) as { status: string; problems: string; raw: Buffer; outcome: string | null } | undefined;
    return r && { status: r.status, problems: JSON.parse(r.problems) as string[], raw: r.raw, outcome: r.outcome };
  });
}

const head = (id: string, more = "") => `From: bob@example.org\r\nTo: ${LIST}\r\nSubject: ${id}\r\nMessage-ID: <${id}@example.org>\r\n${more}`;

function deep(n: number): string {
  let open = "";
  let close = "";
  for (let i = 0; i < n; i++) {
    open += `Content-Type: multipart/mixed; boundary="b${i}"\r\n\r\n--b${i}\r\n`;
    close = `\r\n--b${i}--${close}`;
  }
  return `${open}Content-Type: text/plain\r\n\r\ndeep inside${close}\r\n`;
}

test("malformed MIME is answered 250, stored with what could not be read, and run", async () => {
  const cases: { id: string; data: string; problem?: RegExp }[] = [
    { id: "mal-boundary", data: `${head("mal-boundary", 'MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="zzz"\r\n')}\r\n--zz\r\nnot a part\r\n--zzz\r\n\r\n` },
    { id: "mal-noboundary", data: `${head("mal-noboundary", "Content-Type: multipart/mixed\r\n")}\r\n--x\r\nContent-Type: text/plain\r\n\r\nhi\r\n--x--\r\n` },
    { id: "mal-unclosed", data: `${head("mal-unclosed", 'Content-Type: multipart/mixed; boundary="nope\r\n')}\r\n--nope\r\n` },
    { id: "mal-deep", data: `${head("mal-deep", "MIME-Version: 1.0\r\n")}${deep(1000)}`, problem: /MIME structure could not be parsed/ },
    { id: "mal-wide", data: `${head("mal-wide", "Content-Type: multipart/mixed; boundary=w\r\n")}\r\n${"--w\r\nContent-Type: text/plain\r\n\r\nx\r\n".repeat(60_000)}--w--\r\n`, problem: /MIME structure could not be parsed/ },
    { id: "mal-nul", data: `${head("mal-nul", "X-Nul: a\u0000b\r\n")}\r\nbo\u0000dy\r\n` },
    { id: "mal-8bit", data: `${head("mal-8bit", "X-Latin: caf\u00e9 \u00ff\r\nX-Utf8: caf\u00c3\u00a9\r\n")}\r\nbody \u00e9\r\n` },
    { id: "mal-base64", data: `${head("mal-base64", "Content-Transfer-Encoding: base64\r\n")}\r\n!!!not*base64===\r\n%%%\r\n` },
    { id: "mal-qp", data: `${head("mal-qp", "Content-Transfer-Encoding: quoted-printable\r\n")}\r\n=ZZ=\r\n=4\r\nsoft=\r\n` },
    { id: "mal-charset", data: `${head("mal-charset", "Content-Type: text/plain; charset=x-no-such-charset\r\n")}\r\nhi\r\n` },
    { id: "mal-charset-word", data: `From: =?x-bogus?B?YWJj?= <bob@example.org>\r\nSubject: mal-charset-word =?utf-8?B?////?=\r\n\r\nhi\r\n` },
    { id: "mal-rfc822", data: `${head("mal-rfc822", "Content-Type: message/rfc822\r\n")}\r\n${"Content-Type: message/rfc822\r\n\r\n".repeat(1000)}hi\r\n` },
    { id: "mal-unreadable-from", data: "From: <<<>>>\r\nSubject: mal-unreadable-from\r\n\r\nhi\r\n", problem: /no readable From address/ },
    { id: "mal-bad-fold", data: ` leading fold\r\n${head("mal-bad-fold")}not a field\r\n\r\nhi\r\n`, problem: /continues a field that does not exist|not a header field/ },
  ];
  for (const c of cases) {
    assert.match(await post(c.data), /^250 /, c.id);
    const s = stored(`Subject: ${c.id}`);
    assert.ok(s, `${c.id} is stored`);
    assert.notEqual(s.outcome, null, `${c.id} has its run`);
    if (c.problem) {
      assert.ok(s.problems.some((p) => c.problem!.test(p)), `${c.id}: ${JSON.stringify(s.problems)}`);
      // Reported: the log says which run saw less than was sent, and what could not be read.
      const runId = readStore(ws.data, (db) => (db.prepare("SELECT r.id FROM runs r JOIN messages m ON m.id = r.message_id WHERE instr(m.raw, ?) > 0").get(Buffer.from(`Subject: ${c.id}`)) as { id: number }).id);
      const said = await until(`the log line of ${c.id}`, () =>
        d
          .stderr()
          .split("\n")
          .filter((l) => l.startsWith("{"))
          .map((l) => JSON.parse(l) as { msg: string; run?: number; list?: string; problems?: string[] })
          .find((l) => l.run === runId && l.problems !== undefined),
      );
      assert.equal(said.list, LIST);
      assert.deepEqual(said.problems, s.problems);
    }
  }
  // The daemon goes on: the other list is run, and health answers.
  assert.match(await post(`${head("after-malformed").replace(LIST, OTHER)}\r\nfine\r\n`, OTHER), /^250 2\.0\.0 accepted$/);
  assert.equal((await fetch(`http://127.0.0.1:${d.ports.http}/v1/health`)).status, 200);
});

test("a message of header fields only, bare LF line ends and lone dots are stored as sent, un-stuffed", async () => {
  assert.match(await post(head("only-headers").slice(0, -2)), /^250 /);
  assert.equal(stored("Subject: only-headers")!.outcome, "ok");
  // Bare LF: the lines are the client's; a "\n.\n" inside is no end of DATA (only CRLF.CRLF is).
  assert.match(await post("From: bob@example.org\nSubject: bare-lf\n\none\n.\ntwo\n"), /^250 /);
  const lf = stored("Subject: bare-lf")!;
  assert.ok(lf.raw.toString("latin1").endsWith("From: bob@example.org\nSubject: bare-lf\n\none\n.\ntwo\n\r\n"));
  // A line of one dot is sent as "..", a line starting with a dot with one more: stored with one fewer.
  assert.match(await post(`${head("lone-dot")}\r\n..\r\n...\r\n.. x\r\nend\r\n`), /^250 /);
  assert.ok(stored("Subject: lone-dot")!.raw.toString("latin1").endsWith("\r\n\r\n.\r\n..\r\n. x\r\nend\r\n"));
});

test("a header field of 1 MB gets 552 naming limits.header, is not stored, and the next message is run", async () => {
  const answer = await post(`${head("huge-header", `X-Huge: ${"a".repeat(1024 * 1024)}\r\n`)}\r\nbody\r\n`);
  assert.match(answer, /^552 5\.3\.4 .*limits\.header/);
  assert.equal(stored("Subject: huge-header"), undefined);
  const folded = await post(`${head("huge-folded", `X-Folded: ${`${"b".repeat(70)}\r\n `.repeat(15_000)}end\r\n`)}\r\nbody\r\n`);
  assert.match(folded, /^552 5\.3\.4 .*limits\.header/);
  assert.match(await post(`${head("after-huge")}\r\nfine\r\n`), /^250 2\.0\.0 accepted$/);
});

test("a dot after a bare LF or CR is no end of DATA: a message smuggled behind one is part of the first, never a second", async () => {
  for (const [i, sep] of ["\n.\r\n", "\r\n.\n", "\n.\n", "\r.\r\n", "\r\n.\r"].entries()) {
    const smuggled = `smuggled-${i}`;
    const answer = await post(`${head(`carrier-${i}`)}\r\nhi${sep}MAIL FROM:<evil@example.org>\r\nRCPT TO:<${OTHER}>\r\nDATA\r\nFrom: ceo@example.org\r\nSubject: ${smuggled}\r\n\r\nx\r\n`);
    assert.match(answer, /^250 /, JSON.stringify(sep));
    assert.ok(stored(`Subject: carrier-${i}`)!.raw.includes(`Subject: ${smuggled}`), "the would-be second message is the first's text");
    const runs = readStore(ws.data, (db) => db.prepare("SELECT count(*) AS n FROM messages WHERE instr(raw, ?) > 0").get(Buffer.from(`Subject: ${smuggled}`)) as { n: number });
    assert.equal(runs.n, 1, `${JSON.stringify(sep)}: one message`);
  }
});
