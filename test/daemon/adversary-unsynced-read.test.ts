/**
 * The group commit writes on a second SQLite connection (store/sqlite.ts `unsynced`); the API reads on the first.
 * Right after a 250 over real SMTP, the HTTP API's state, runs and members must show that message's run: sent one
 * by one (each read at once after its 250), and from several connections at once (each read after its own 250 sees
 * at least its own run). Moderation reads the same way: a message held by its rule is listed, and shown, right after
 * its 250.
 */
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, test } from "node:test";
import nodemailer from "nodemailer";
import { apiHandler } from "../../runtime/daemon/api.js";
import { adminAuthorizer } from "../../runtime/daemon/auth.js";
import { createLogger } from "../../runtime/daemon/log.js";
import { createIngress, type Ingress } from "../../runtime/daemon/smtp.js";
import { COUNTER, listDaemon } from "./helpers.js";

const A = "unsyncedread@example.org";
const H = "unsyncedheld@example.org";
const TOKEN = "adversary-token-0123456789";

/** A daemon with `source` at `address`, its SMTP ingress and its HTTP API, on 127.0.0.1. */
async function serve(source: string, fileName: string, address: string) {
  const { daemon, close } = await listDaemon({ source, fileName, addresses: [address] });
  const log = createLogger({ level: "silent", pretty: false });
  const ingress: Ingress = createIngress({ daemon, log });
  const port = await ingress.listen("127.0.0.1", 0);
  const handle = apiHandler({ daemon, authorize: adminAuthorizer(TOKEN), log });
  const http: Server = createServer((req, res) => void handle(req, res));
  await new Promise<void>((r) => http.listen(0, "127.0.0.1", r));
  const api = `http://127.0.0.1:${(http.address() as AddressInfo).port}/v1`;
  return {
    port,
    get: (path: string) => getFrom(api, path),
    async close() {
      await new Promise<void>((r) => http.close(() => r()));
      await ingress.close();
      await close();
    },
  };
}

let served: Awaited<ReturnType<typeof serve>>;
let port: number;

before(async () => {
  served = await serve(COUNTER, "counter.thwonk", A);
  port = served.port;
});

after(() => served.close());

async function getFrom(api: string, path: string): Promise<Record<string, unknown>> {
  const res = await fetch(`${api}/${path}`, { headers: { authorization: `Bearer ${TOKEN}` } });
  assert.equal(res.status, 200, `${path}: ${await res.clone().text()}`);
  return (await res.json()) as Record<string, unknown>;
}

const get = (path: string) => served.get(path);
const count = async (): Promise<number> => ((await get(`lists/${A}/state`))["state"] as { count: number }).count;
const runs = async (): Promise<number> => ((await get(`lists/${A}/runs?limit=1000`))["runs"] as unknown[]).length;

test("one by one over SMTP: after each 250 the API's state and runs include that message's run", async () => {
  const t = nodemailer.createTransport({ host: "127.0.0.1", port, secure: false, ignoreTLS: true, pool: true, maxConnections: 1 });
  try {
    const start = await runs();
    for (let i = 1; i <= 40; i++) {
      const info = await t.sendMail({ from: "ann@example.org", to: A, subject: `one ${i}`, text: `body ${i}` });
      assert.match(info.response, /^250 /);
      assert.equal(await count(), i, `state after the 250 of message ${i}`);
      assert.equal(await runs(), start + i, `runs after the 250 of message ${i}`);
    }
  } finally {
    t.close();
  }
});

test("several connections at once: each 250 is followed by a state and runs that include its run", async () => {
  const base = await count();
  const baseRuns = await runs();
  const transports = Array.from({ length: 6 }, () => nodemailer.createTransport({ host: "127.0.0.1", port, secure: false, ignoreTLS: true, pool: true, maxConnections: 1 }));
  try {
    await Promise.all(
      transports.map(async (t, k) => {
        for (let i = 0; i < 12; i++) {
          const subject = `c${k}-${i}`;
          const info = await t.sendMail({ from: "ann@example.org", to: A, subject, text: "x" });
          assert.match(info.response, /^250 /);
          const [n, r] = await Promise.all([count(), runs()]);
          // This message's run is among those committed: at least as many as this connection has had answered.
          assert.ok(n >= base + i + 1, `state ${n} after ${subject}`);
          assert.ok(r >= baseRuns + i + 1, `runs ${r} after ${subject}`);
          const list = (await get(`lists/${A}/runs?limit=1000`))["runs"] as { id: number }[];
          const subjects = await Promise.all(list.slice(-80).map(async (x) => ((await get(`runs/${x.id}`))["actions"] as { subject?: string }[])[0]?.subject ?? ""));
          assert.ok(subjects.some((s) => s.endsWith(` ${subject}`)), `${subject}'s run is listed right after its 250`);
        }
      }),
    );
    assert.equal(await count(), base + 72);
  } finally {
    for (const t of transports) t.close();
  }
});

const HOLDER = `rule holder

limits { members: 10, fanout: 10 }

on message(m: Message) {
  if not m.approved {
    hold("look at {m.subject}")
  }
  send(to: members, subject: m.subject, text: m.text)
}
`;

test("held over SMTP: after each 250 the API lists the message as held and shows it", async () => {
  const held = await serve(HOLDER, "holder.thwonk", H);
  const t = nodemailer.createTransport({ host: "127.0.0.1", port: held.port, secure: false, ignoreTLS: true, pool: true, maxConnections: 1 });
  try {
    for (let i = 1; i <= 30; i++) {
      const subject = `held ${i} __proto__ é`;
      const info = await t.sendMail({ from: "ann@example.org", to: H, subject, text: `body ${i}` });
      assert.match(info.response, /^250 .*held/);
      const list = (await held.get(`lists/${H}/held?limit=1000`))["held"] as { id: number; subject: string; status: string }[];
      assert.equal(list.length, i, `held messages after the 250 of message ${i}`);
      const mine = list.find((h) => h.subject === subject);
      assert.ok(mine, `${subject} is listed right after its 250`);
      assert.equal(mine.status, "held");
      const one = await held.get(`held/${mine.id}`);
      assert.equal(one["subject"], subject);
      assert.match(String(one["reason"]), new RegExp(`look at held ${i} `));
    }
  } finally {
    t.close();
    await held.close();
  }
});
