// A small SMTP load client (node:net, no library): `sessions` connections in
// parallel send `messages` in all, each to the next address of `to` in turn,
// over reused connections or a new one per message. It times each message
// from the end of DATA (the final ".") to the server's answer.
import { connect } from "node:net";

/** One SMTP connection: send(line) resolves with the next reply (its last line's code and text). */
function session(port) {
  return new Promise((resolve, reject) => {
    const sock = connect(port, "127.0.0.1");
    let buf = "";
    const waiting = [];
    sock.setNoDelay(true);
    sock.on("error", reject);
    sock.on("data", (d) => {
      buf += d.toString("latin1");
      for (;;) {
        const nl = buf.indexOf("\r\n");
        if (nl < 0) break;
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 2);
        if (line[3] === "-") continue;
        waiting.shift()?.(line);
      }
    });
    const reply = () => new Promise((r) => waiting.push(r));
    const first = reply();
    sock.on("connect", async () => {
      await first;
      const s = {
        send: (text) => {
          const p = reply();
          sock.write(text);
          return p;
        },
        close: () => sock.end("QUIT\r\n"),
      };
      const ehlo = await s.send("EHLO bench.localhost\r\n");
      if (!ehlo.startsWith("250")) reject(new Error(`EHLO: ${ehlo}`));
      resolve(s);
    });
  });
}

function message(n, to) {
  return (
    `From: sender@example.org\r\nTo: ${to}\r\nSubject: bench message ${n}\r\nMessage-ID: <bench-${n}-${process.pid}@example.org>\r\n` +
    `Date: Mon, 1 Jan 2024 00:00:00 +0000\r\n\r\n` +
    "This is a benchmark message of a few lines.\r\n".repeat(3) +
    ".\r\n"
  );
}

/** Returns { seconds, rate, latencies (ms, sorted), failed, answers }. */
export async function load({ port, sessions = 10, messages = 1000, to, newConnection = false, from = "sender@example.org" }) {
  const addresses = Array.isArray(to) ? to : [to];
  let next = 0;
  const latencies = [];
  const answers = new Map();
  const start = performance.now();
  async function worker() {
    let s = newConnection ? undefined : await session(port);
    for (;;) {
      const n = next++;
      if (n >= messages) break;
      s ??= await session(port);
      const rcpt = addresses[n % addresses.length];
      await s.send(`MAIL FROM:<${from}>\r\n`);
      const r = await s.send(`RCPT TO:<${rcpt}>\r\n`);
      if (!r.startsWith("250")) throw new Error(`RCPT ${rcpt}: ${r}`);
      await s.send("DATA\r\n");
      const t = performance.now();
      const a = await s.send(message(n, rcpt));
      latencies.push(performance.now() - t);
      const code = a.slice(0, 3);
      answers.set(code, (answers.get(code) ?? 0) + 1);
      if (newConnection) {
        s.close();
        s = undefined;
      }
    }
    s?.close();
  }
  await Promise.all(Array.from({ length: sessions }, worker));
  const seconds = (performance.now() - start) / 1000;
  latencies.sort((a, b) => a - b);
  return { seconds, rate: messages / seconds, latencies, answers: Object.fromEntries(answers), failed: messages - (answers.get("250") ?? 0) };
}

export const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))];
