/**
 * A list's address as long as mail can reach it: SMTP (smtp-server's parser, RFC 5321's path) refuses an envelope
 * address over 253 characters, so a list whose `-request` or `-bounces` address (8 longer) would pass that could be
 * deployed but never unsubscribed from by mail, nor told of a bounce, and one over 253 took no mail at all. A deploy
 * there is refused (TW6043), saying the longest; at the longest, the list and its `-request` address take mail over
 * a real SMTP conversation (nodemailer) on 127.0.0.1. A real thwonkd, deployed through its API.
 */
import assert from "node:assert/strict";
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import nodemailer from "nodemailer";
import { LIST_ADDRESS_MAX } from "../../runtime/daemon/smtp.js";
import { startDaemon, workspace, type Running } from "./helpers.js";

const RULE = `rule open

on message(m: Message) {
  send(to: members, subject: m.subject, text: m.text)
}
`;
/** A list address of exactly `n` characters: a long local part (dots every 60, as a label) at example.org. */
const listOf = (n: number): string => {
  const local = n - "@example.org".length;
  return `${Array.from({ length: local }, (_, i) => (i % 61 === 60 ? "." : "a")).join("")}@example.org`;
};

let ws: ReturnType<typeof workspace>;
let d: Running;
let api: string;
let token: string;

before(async () => {
  ws = workspace({ seed: { example: "trim140" } });
  d = await startDaemon(ws);
  api = `http://127.0.0.1:${d.ports.http}`;
  token = readFileSync(join(ws.data, "admin.token"), "utf8").trim();
});

after(async () => {
  if (d) assert.equal(await d.stop(), 0);
  rmSync(ws.dir, { recursive: true, force: true });
});

type Deployed = { ok: boolean; addresses: { address: string; deployed: boolean; problems: string[] }[] };

/** The deploy's answer: its result (an answer of 422 for an address refused carries it as `result`), and its error if any. */
async function deploy(addresses: string[]): Promise<{ status: number; result: Deployed; error?: { code: string; message: string } }> {
  const res = await fetch(`${api}/v1/deploy`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify({ source: RULE, fileName: "open.thwonk", addresses }),
  });
  const json = (await res.json()) as { error?: { code: string; message: string }; result?: Deployed } & Deployed;
  return { status: res.status, result: json.result ?? json, ...(json.error ? { error: json.error } : {}) };
}

async function send(to: string): Promise<string> {
  const t = nodemailer.createTransport({ host: "127.0.0.1", port: d.ports.smtp, secure: false, ignoreTLS: true });
  try {
    const info = await t.sendMail({ from: "ann@example.org", to, subject: "hello", text: "hi" });
    return info.response;
  } catch (err) {
    return String((err as { response?: string }).response ?? err);
  } finally {
    t.close();
  }
}

test("the longest list address is the ingress's less -bounces: 245", () => {
  assert.equal(LIST_ADDRESS_MAX, 245);
  assert.equal(listOf(245).length, 245);
});

test("a deploy at a list address one past the longest is refused with TW6043; at the longest it is deployed", async () => {
  const long = listOf(LIST_ADDRESS_MAX + 1);
  const ok = listOf(LIST_ADDRESS_MAX);
  const r = await deploy([long, ok]);
  assert.equal(r.status, 422);
  assert.equal(r.error?.code, "TW6043");
  const [refused, deployed] = r.result.addresses;
  assert.equal(refused!.deployed, false);
  assert.match(refused!.problems.join(" "), /TW6043/);
  assert.match(refused!.problems.join(" "), new RegExp(`${LIST_ADDRESS_MAX + 1} characters long .* at most ${LIST_ADDRESS_MAX}`));
  assert.equal(deployed!.deployed, true, JSON.stringify(r.result));
  // Not deployed means not there: mail to it is 550 at RCPT, as for any address without a list.
  assert.match(await send(long), /^5\d\d/);
});

test("at the longest, the list and its -request and -bounces addresses take mail over SMTP", async () => {
  const ok = listOf(LIST_ADDRESS_MAX);
  await deploy([ok]);
  assert.match(await send(ok), /^250/);
  const [local, domain] = [ok.slice(0, ok.lastIndexOf("@")), ok.slice(ok.lastIndexOf("@") + 1)];
  const request = `${local}-request@${domain}`;
  assert.equal(request.length, 253);
  assert.match(await send(request), /^250/);
  // One more character and smtp-server's parser refuses the address itself (501): what the limit is for.
  assert.match(await send(`${local}-requestx@${domain}`), /^5\d\d/);
});
