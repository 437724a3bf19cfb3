// `node bench/delivery/dkim.js` (after `npm run build`): the CPU cost of DKIM-signing one message's
// per-recipient copies (one-click unsubscribe: one transaction per member, each copy its own
// List-Unsubscribe URL, the body the same), each body hashed per copy against once per message
// (runtime/daemon/dkim-sign.ts, BodyHashCache), in one run, interleaved in rounds.
//
// BENCH_DKIM_COPIES copies (default 1000) of a post of each size (4 KiB, 64 KiB, 1 MiB), signed with a
// 2048-bit RSA key. `BENCH_DKIM_BEFORE=FILE.js` also times another build of dkim-sign.js (the signer
// before the cache: `git show REV:runtime/daemon/dkim-sign.ts`, compiled) on the same copies. Prints µs
// of CPU a copy, each way, and checks first that every way gives the same bytes.
import { generateKeyPairSync } from "node:crypto";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const dist = (p) => import(pathToFileURL(join(root, "dist", p)).href);
const { BodyHashCache, signDkim } = await dist("runtime/daemon/dkim-sign.js");
const { SIGNED_FIELDS } = await dist("runtime/daemon/dkim.js");
const { withOneClick } = await dist("runtime/daemon/personal.js");
const before = process.env.BENCH_DKIM_BEFORE ? (await import(pathToFileURL(resolve(process.env.BENCH_DKIM_BEFORE)).href)).signDkim : undefined;

const COPIES = Number(process.env.BENCH_DKIM_COPIES ?? 1000);
const ROUNDS = 3;
const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
const key = { domainName: "example.org", keySelector: "s1", privateKey: privateKey.export({ type: "pkcs1", format: "pem" }).toString() };
const names = SIGNED_FIELDS.split(":");

function message(size) {
  const line = "The weekly news, one line of it, as a member wrote it.  \r\n";
  const head = "From: news <news@example.org>\r\nTo: news <news@example.org>\r\nSubject: Weekly\r\nMessage-ID: <w1@example.org>\r\nList-Unsubscribe: <mailto:news-request@example.org?subject=unsubscribe>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n";
  return Buffer.from(head + line.repeat(Math.ceil(size / line.length)), "latin1");
}

const ways = {
  "hashed per copy": (raw) => signDkim(raw, key, names),
  "hashed once (cache)": (raw, cache) => signDkim(raw, key, names, cache),
  ...(before ? { "before (BENCH_DKIM_BEFORE)": (raw) => before(raw, key, names) } : {}),
};

for (const size of [4 * 1024, 64 * 1024, 1024 * 1024]) {
  const raw = message(size);
  const copies = Array.from({ length: COPIES }, (_, i) => withOneClick(raw, `https://lists.example.org/unsubscribe/member${i}.token`));
  const check = new BodyHashCache();
  for (const c of copies.slice(0, 3)) {
    const want = ways["hashed per copy"](c).toString("latin1");
    for (const [name, sign] of Object.entries(ways)) if (sign(c, check).toString("latin1") !== want) throw new Error(`${name} gives other bytes`);
  }
  // Warm: every way compiled and its first allocations made before any is timed.
  for (const sign of Object.values(ways)) for (const c of copies.slice(0, 50)) sign(c, new BodyHashCache());
  const us = Object.fromEntries(Object.keys(ways).map((k) => [k, []]));
  for (let r = 0; r < ROUNDS; r++) {
    for (const [name, sign] of Object.entries(ways)) {
      const cache = new BodyHashCache();
      const t0 = process.cpuUsage();
      for (const c of copies) sign(c, cache);
      const t = process.cpuUsage(t0);
      us[name].push((t.user + t.system) / COPIES);
    }
  }
  const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
  const base = median(us["hashed per copy"]);
  console.log(`body ${size / 1024} KiB, ${COPIES} copies:`);
  for (const [name, a] of Object.entries(us)) console.log(`  ${name.padEnd(28)} ${median(a).toFixed(0).padStart(7)} µs CPU a copy  (${(base / median(a)).toFixed(2)}x of per copy)`);
}
