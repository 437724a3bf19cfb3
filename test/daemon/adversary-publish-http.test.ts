/**
 * Adversary: published pages (runtime/daemon/publish.ts) as browsers, caches, curl -z and wget -N ask for them, on a
 * real thwonkd whose clock a test sets (THWONKD_TEST_CLOCK_FILE). A page's time must move with every change of the
 * page, or a cache that revalidates with If-Modified-Since alone keeps a stale copy for good: a page changed twice in
 * one second, or after the clock jumped back, kept the second it had and was answered 304. The Last-Modified sent is
 * never later than the clock (RFC 9110 8.8.2.1). An
 * If-Modified-Since that is no HTTP-date (RFC 9110 5.6.7; `9999`, `2100-01-01`, which Date.parse reads) or that is
 * later than the server's clock is ignored. Also: If-None-Match (strong, weak, lists, `*`), HEAD, Range (ignored: the
 * whole page), path tricks, a page replaced while a client reads it, non-ASCII pages, a removed list's pages.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { get, request } from "node:http";
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import nodemailer from "nodemailer";
import { testClock } from "./adversary-schedule-helpers.js";
import { cliIn, startDaemon, until, workspace, type Running } from "./helpers.js";

const RULE = `rule pages

limits { text: 100000 }

on message(m: Message) {
  if m.subject == "big" {
    publish("big.html", m.text)
  } else {
    publish("page.html", "<!doctype html><meta charset=utf-8><title>{m.subject.escapeHtml()}</title><p>{m.text.escapeHtml()}</p>")
  }
}
`;
const T0 = "2026-12-07T12:00:00.100Z";

let ws: ReturnType<typeof workspace>;
let d: Running;
let base: string;
let clock: ReturnType<typeof testClock>;
let mta: ReturnType<typeof nodemailer.createTransport>;

before(async () => {
  ws = workspace({ pages: { source: RULE } });
  clock = testClock(ws);
  clock.set(T0);
  d = await startDaemon(ws, { env: clock.env });
  base = `http://127.0.0.1:${d.ports.http}/lists/pages@example.org`;
  mta = nodemailer.createTransport({ host: "127.0.0.1", port: d.ports.smtp, secure: false, ignoreTLS: true });
});

after(async () => {
  mta.close();
  await d.stop();
  rmSync(ws.dir, { recursive: true, force: true });
});

/** A post whose run publishes `text` (as page.html, or big.html for the subject "big"); resolves once it is served. */
async function publish(subject: string, text: string): Promise<void> {
  const r = await mta.sendMail({ envelope: { from: "ann@example.org", to: ["pages@example.org"] }, raw: `From: ann@example.org\r\nTo: pages@example.org\r\nSubject: ${subject}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n${text}\r\n` });
  assert.match(r.response, /^250 /);
}

const fetchPage = async (path: string, headers: Record<string, string> = {}, method = "GET") => {
  const r = await fetch(`${base}/${path}`, { headers, method });
  return { status: r.status, headers: r.headers, body: await r.text() };
};

test("a page changed twice in one second: If-Modified-Since with the first Last-Modified gets the second page; Last-Modified is never later than the clock", async () => {
  await publish("one", "first");
  const first = await fetchPage("page.html");
  assert.match(first.body, /first/);
  const lm = first.headers.get("last-modified")!;
  assert.equal(lm, new Date(T0).toUTCString());
  // The clock has not moved: the same second.
  await publish("two", "second");
  const second = await fetchPage("page.html");
  assert.match(second.body, /second/);
  // Its time is the next second, after the clock: the header says the clock's (RFC 9110 8.8.2.1), never later.
  assert.equal(second.headers.get("last-modified"), lm);
  const revalidated = await fetchPage("page.html", { "if-modified-since": lm });
  assert.equal(revalidated.status, 200, "not 304: the client's copy is the first page");
  assert.match(revalidated.body, /second/);
  // Once the clock is past it, the page's own time; the same page published again keeps it, and a 304 answers it.
  clock.set("2026-12-07T12:00:05Z");
  const lm2 = (await fetchPage("page.html")).headers.get("last-modified")!;
  assert.equal(lm2, new Date("2026-12-07T12:00:01Z").toUTCString());
  await publish("two", "second");
  assert.equal((await fetchPage("page.html", { "if-modified-since": lm2 })).status, 304);
});

test("after the clock jumps back an hour, a changed page is still newer than the copy a client has", async () => {
  clock.set("2026-12-07T12:10:00Z");
  await publish("before", "before the jump");
  const before = await fetchPage("page.html");
  const lm = before.headers.get("last-modified")!;
  clock.set("2026-12-07T11:10:00Z");
  await publish("after", "after the jump");
  const r = await fetchPage("page.html", { "if-modified-since": lm });
  assert.equal(r.status, 200, "a 304 here would keep the page from before the jump");
  assert.match(r.body, /after the jump/);
  assert.ok(Date.parse(r.headers.get("last-modified")!) <= Date.parse("2026-12-07T11:10:00Z"), "never later than the clock");
  // Asked again with what it was given now: a full answer again (the page's own time is still ahead), never a 304 for a page it does not have.
  assert.equal((await fetchPage("page.html", { "if-modified-since": r.headers.get("last-modified")! })).status, 200);
  clock.set("2026-12-07T13:00:00Z");
});

test("If-Modified-Since that is no HTTP-date, or later than the server's clock, is ignored; the three HTTP-date forms are read", async () => {
  const page = await fetchPage("page.html");
  const lm = new Date(page.headers.get("last-modified")!);
  for (const bad of ["9999", "2100-01-01", "Fri, 31 Dec 9999 23:59:59 GMT", "Thu, 01 Jan 2099 00:00:00 GMT", "tomorrow", "Mon, 32 Dec 2026 11:00:00 GMT", `${page.headers.get("last-modified")}, ${page.headers.get("last-modified")}`]) {
    assert.equal((await fetchPage("page.html", { "if-modified-since": bad })).status, 200, bad);
  }
  const days = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
  const months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  const p = (n: number) => String(n).padStart(2, "0");
  const time = `${p(lm.getUTCHours())}:${p(lm.getUTCMinutes())}:${p(lm.getUTCSeconds())}`;
  const rfc850 = `${days[lm.getUTCDay()]}, ${p(lm.getUTCDate())}-${months[lm.getUTCMonth()]}-${String(lm.getUTCFullYear()).slice(2)} ${time} GMT`;
  const asctime = `${days[lm.getUTCDay()]!.slice(0, 3)} ${months[lm.getUTCMonth()]} ${String(lm.getUTCDate()).padStart(2, " ")} ${time} ${lm.getUTCFullYear()}`;
  for (const good of [lm.toUTCString(), rfc850, asctime]) assert.equal((await fetchPage("page.html", { "if-modified-since": good })).status, 304, good);
});

test("If-None-Match: strong and weak tags, lists, `*`, a bad tag; it wins over If-Modified-Since; HEAD answers as GET without the body", async () => {
  const page = await fetchPage("page.html");
  const tag = page.headers.get("etag")!;
  const lm = page.headers.get("last-modified")!;
  const cases: [string, number][] = [
    [tag, 304],
    [`W/${tag}`, 304],
    [`"a", "b" ,W/${tag}`, 304],
    ["*", 304],
    [tag.slice(1, -1), 200],
    ['"a", "b"', 200],
    ["", 200],
    [`${tag.slice(0, -1)}x"`, 200],
  ];
  for (const [inm, want] of cases) {
    assert.equal((await fetchPage("page.html", { "if-none-match": inm })).status, want, `If-None-Match: ${inm}`);
    assert.equal((await fetchPage("page.html", { "if-none-match": inm }, "HEAD")).status, want, `HEAD, If-None-Match: ${inm}`);
  }
  assert.equal((await fetchPage("page.html", { "if-none-match": '"a"', "if-modified-since": lm })).status, 200);
  // The field twice (a proxy that adds its own): one list, as RFC 9110 5.3 reads it.
  const twice = await new Promise<number>((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port: d.ports.http, path: "/lists/pages@example.org/page.html", headers: ["Host", "127.0.0.1", "If-None-Match", '"other"', "If-None-Match", tag] as unknown as Record<string, string> }, (res) => {
      res.resume();
      resolve(res.statusCode!);
    });
    req.on("error", reject);
    req.end();
  });
  assert.equal(twice, 304);
  const head = await fetchPage("page.html", {}, "HEAD");
  assert.equal(head.body, "");
  assert.equal(head.headers.get("content-length"), page.headers.get("content-length"));
  assert.equal(head.headers.get("etag"), tag);
});

test("Range is ignored (the whole page, 200, never a part of a page another run replaced); path tricks name no other page", async () => {
  const page = await fetchPage("page.html");
  for (const range of ["bytes=0-9", "bytes=-5", "bytes=5-", "bytes=0-0,2-3", "bytes=999999-"]) {
    const r = await fetchPage("page.html", { range, "if-range": page.headers.get("etag")! });
    assert.equal(r.status, 200, range);
    assert.equal(r.body, page.body, range);
  }
  const raw = (path: string) =>
    new Promise<number>((resolve, reject) => {
      const req = request({ host: "127.0.0.1", port: d.ports.http, path, method: "GET" }, (res) => {
        res.resume();
        resolve(res.statusCode!);
      });
      req.on("error", reject);
      req.end();
    });
  const p = "/lists/pages@example.org";
  assert.equal(await raw(`${p}/page.html`), 200);
  assert.equal(await raw(`/lists/PAGES@EXAMPLE.ORG/page.html`), 200, "the list's address without case");
  for (const path of [
    `${p}/page.html%00`,
    `${p}/page.html%00.png`,
    `${p}/%2e%2e/%2e%2e/thwonkd.sqlite`,
    `${p}/..%2f..%2fthwonkd.sqlite`,
    `${p}/..%5c..%5cthwonkd.sqlite`,
    `${p}/%2Fetc%2Fpasswd`,
    `${p}/page.html/`,
    `${p}/p%C3%A4ge.html`,
    `${p}/page%E2%80%8B.html`,
    `${p}/page%EF%BC%8Ehtml`,
    `${p}/page.HTML`,
    `${p}/pa%E0ge.html`,
    `${p}/%`,
    `/lists/pages%40example.org%2Fpage.html`,
    `/lists/pages@example.org%00/page.html`,
    `/lists/other@example.org/page.html`,
    // The list's other mail addresses are not its pages' address: one URL a page.
    `/lists/pages-request@example.org/page.html`,
    `/lists/pages+tag@example.org/page.html`,
    `/lists/pages-bounces@example.org/page.html`,
    `${p}/${"a/".repeat(2000)}page.html`,
  ]) {
    const status = await raw(path);
    assert.ok(status === 404 || status === 400, `${path.slice(0, 80)}: ${status}`);
  }
  const long = await raw(`${p}/${"a".repeat(20_000)}.html`);
  assert.ok([404, 414, 431].includes(long), `a path of 20,000 characters: ${long}`);
});

test("a page replaced by a later run while a client reads it: the client gets the whole page it asked for, whose ETag it was given", async () => {
  await publish("big", `${"\u00e9".repeat(7)}\r\n`.repeat(8_000));
  const old = (await fetchPage("big.html")).body;
  assert.ok(Buffer.byteLength(old) > 100_000);
  const got = await new Promise<{ tag: string; type: string; body: Buffer }>((resolve, reject) => {
    get(`${base}/big.html`, (res) => {
      res.pause();
      const chunks: Buffer[] = [];
      // The headers are in; the body waits while a run replaces the page.
      void publish("big", "<p>new</p>")
        .then(() => until("the new page served", async () => ((await fetchPage("big.html")).body.includes("\u00e9") ? undefined : true)))
        .then(() => {
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => resolve({ tag: String(res.headers.etag), type: String(res.headers["content-type"]), body: Buffer.concat(chunks) }));
          res.resume();
        }, reject);
    }).on("error", reject);
  });
  assert.equal(got.type, "text/html; charset=utf-8");
  assert.equal(got.body.toString("utf8"), old);
  assert.equal(got.tag, `"${createHash("sha256").update(got.body).digest("base64url").slice(0, 22)}"`, "the ETag is the body's");
});

test("a list at an address past ASCII: its pages at the address as a browser writes it (UTF-8, the domain in Unicode), in NFD, or in punycode; UTF-8 pages say so", async () => {
  const token = readFileSync(join(ws.data, "admin.token"), "utf8").trim();
  const LIST = "p\u00e4ges@xn--exmple-cua.org";
  const dep = await cliIn(ws.dir, ["deploy", join(ws.rules, "pages", "pages.thwonk"), "--address", LIST, "--server", `http://127.0.0.1:${d.ports.http}`, "--token", token]);
  assert.equal(dep.code, 0, dep.err + dep.out);
  const r = await mta.sendMail({ envelope: { from: "ann@example.org", to: [LIST] }, raw: `From: ann@example.org\r\nTo: ${LIST}\r\nSubject: =?utf-8?q?Gr=C3=BC=C3=9Fe?=\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n\u65e5\u672c\u8a9e \u{1F600}\r\n` });
  assert.match(r.response, /^250 /);
  for (const written of [LIST, "p\u00e4ges@ex\u00e4mple.org", "pa\u0308ges@exa\u0308mple.org", "P\u00c4GES@XN--EXMPLE-CUA.ORG"]) {
    const res = await fetch(`http://127.0.0.1:${d.ports.http}/lists/${encodeURIComponent(written)}/page.html`);
    assert.equal(res.status, 200, written);
    assert.equal(res.headers.get("content-type"), "text/html; charset=utf-8");
    const body = Buffer.from(await res.arrayBuffer());
    assert.equal(res.headers.get("content-length"), String(body.length));
    assert.match(new TextDecoder("utf-8", { fatal: true }).decode(body), /Gr\u00fc\u00dfe.*\u65e5\u672c\u8a9e \u{1F600}/su);
  }
});

test("a removed list's pages are gone (404), and a list deployed again at its address does not serve them", async () => {
  assert.equal((await fetchPage("page.html")).status, 200);
  const token = readFileSync(join(ws.data, "admin.token"), "utf8").trim();
  const rm = await cliIn(ws.dir, ["lists", "remove", "pages@example.org", "--yes", "--server", `http://127.0.0.1:${d.ports.http}`, "--token", token]);
  assert.equal(rm.code, 0, rm.err + rm.out);
  const gone = async () => {
    for (const path of ["page.html", "big.html"]) {
      assert.equal((await fetchPage(path)).status, 404, path);
      assert.equal((await fetchPage(path, { "if-none-match": "*" })).status, 404, path);
    }
  };
  await gone();
  const again = await cliIn(ws.dir, ["deploy", join(ws.rules, "pages", "pages.thwonk"), "--address", "pages@example.org", "--server", `http://127.0.0.1:${d.ports.http}`, "--token", token]);
  assert.equal(again.code, 0, again.err + again.out);
  await gone();
});
