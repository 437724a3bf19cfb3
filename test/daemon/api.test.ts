/**
 * thwonkd's administration API (runtime/daemon/api.ts) on a real daemon
 * (bin/thwonkd.js on 127.0.0.1, free ports), driven through thwonkc's
 * client commands in-process (`main(args, io)`) and raw fetch: deploying a
 * source and a compiled bundle to two addresses, mail through `thwonkc
 * mail`, runs and state, members with the rule's limit, a failed message
 * replayed after a fix, and every way a deploy is refused.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { contentHash } from "../../compiler/emit/bundle.js";
import { cliIn, outboxMail, startDaemon, until, workspace, type Running } from "./helpers.js";

const COUNTER = `rule counter

limits { members: 3 }

state {
  count: int = 0
  note: string max 50 = ""
}

on message(m: Message) {
  state.count += 1
  send(to: members, subject: "#{state.count} {m.subject}", text: m.text)
}
`;

/** COUNTER without \`count\`: a stored state with a count cannot be taken over. */
const COUNTER_NO_COUNT = `rule counter

limits { members: 3 }

state {
  note: string max 50 = ""
}

on message(m: Message) {
  state.note = m.subject.truncate(50)
  send(to: members, subject: m.subject, text: m.text)
}
`;

const FAILS = `rule fails

on message(m: Message) {
  let n = m.subject.length
  send(to: [m.from], subject: "ratio", text: "{100 / (n - n)}")
}
`;
const FIXED = FAILS.replace("(n - n)", "(n - n + 1)");

const eml = (from: string, subject: string, text = "Hello"): string =>
  `From: ${from}\r\nTo: list@example.org\r\nSubject: ${subject}\r\nMessage-ID: <${subject.replace(/\W/g, "")}.${Math.random().toString(36).slice(2)}@example.org>\r\n\r\n${text}\r\n`;

let ws: ReturnType<typeof workspace>;
let d: Running;
let token: string;
let api: string;

const cli = (...args: string[]) => cliIn(ws.dir, args);
/** A client command against the daemon, with its server and token. */
const admin = (...args: string[]) => cli(...args, "--server", api, "--token", token);
const smtp = () => `smtp://127.0.0.1:${d.ports.smtp}`;

async function call(method: string, path: string, body?: unknown, auth: string | null = token): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${api}/v1/${path}`, {
    method,
    headers: { ...(auth !== null ? { authorization: `Bearer ${auth}` } : {}), "content-type": "application/json" },
    ...(body !== undefined ? { body: typeof body === "string" ? body : JSON.stringify(body) } : {}),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}
const errorOf = (r: { json: Record<string, unknown> }) => r.json["error"] as { code: string; message: string };

before(async () => {
  ws = workspace({ seed: { example: "trim140", members: [{ address: "ann@example.org", name: "Ann" }] } });
  writeFileSync(join(ws.dir, "counter.thwonk"), COUNTER);
  writeFileSync(join(ws.dir, "counter2.thwonk"), COUNTER_NO_COUNT);
  writeFileSync(join(ws.dir, "fails.thwonk"), FAILS);
  writeFileSync(join(ws.dir, "fixed.thwonk"), FIXED);
  d = await startDaemon(ws);
  api = `http://127.0.0.1:${d.ports.http}`;
  token = readFileSync(join(ws.data, "admin.token"), "utf8").trim();
});

after(async () => {
  if (d) assert.equal(await d.stop(), 0);
});

test("the admin token: made at the first start, 0600, 32 random bytes in hex; health is open, the rest needs it", async () => {
  assert.match(token, /^[0-9a-f]{64}$/);
  assert.equal(statSync(join(ws.data, "admin.token")).mode & 0o777, 0o600);
  const health = await call("GET", "health", undefined, null);
  assert.equal(health.status, 200);
  assert.equal(health.json["ok"], true);
  const none = await call("GET", "lists", undefined, null);
  assert.equal(none.status, 401);
  assert.equal(errorOf(none).code, "TW6020");
  assert.match(errorOf(none).message, /No token was sent/);
  const wrong = await call("GET", "lists", undefined, "0".repeat(64));
  assert.equal(wrong.status, 401);
  assert.match(errorOf(wrong).message, /not valid/);
  const ok = await call("GET", "lists");
  assert.equal(ok.status, 200);
  assert.deepEqual((ok.json["lists"] as { address: string }[]).map((l) => l.address), ["seed@example.org"]);
});

test("deploy refused without a token or with a wrong one: 401, exit 1, and nothing deployed", async () => {
  const none = await call("POST", "deploy", { source: COUNTER, addresses: ["x@example.org"] }, null);
  assert.equal(none.status, 401);
  const wrong = await cli("deploy", "counter.thwonk", "--address", "x@example.org", "--server", api, "--token", "f".repeat(64));
  assert.equal(wrong.code, 1);
  assert.match(wrong.err, /refused: TW6020 The token is not valid/);
  const lists = await call("GET", "lists");
  assert.ok(!(lists.json["lists"] as { address: string }[]).some((l) => l.address === "x@example.org"));
});

test("a source at two addresses and its compiled bundle at a third; mail through thwonkc mail; runs and state", async () => {
  const src = await admin("deploy", "counter.thwonk", "--address", "a@example.org", "B@Example.org");
  assert.equal(src.code, 0, src.err);
  assert.match(src.out, /deployed counter\.thwonk at a@example\.org/);
  assert.match(src.out, /deployed counter\.thwonk at b@example\.org/, "addresses are canonical");

  const compiled = await cli("compile", "counter.thwonk", "-o", "counter.thwb");
  assert.equal(compiled.code, 0, compiled.err);
  const bundle = await admin("deploy", "counter.thwb", "--address", "c@example.org", "--json");
  assert.equal(bundle.code, 0, bundle.err);
  const result = JSON.parse(bundle.out) as { ok: boolean; hash: string; addresses: { address: string; deployed: boolean }[] };
  assert.equal(result.ok, true);
  assert.equal(result.hash, (JSON.parse(readFileSync(join(ws.dir, "counter.thwb"), "utf8")) as { sha256: string }).sha256);
  assert.deepEqual(result.addresses.map((a) => [a.address, a.deployed]), [["c@example.org", true]]);

  for (const at of ["a@example.org", "b@example.org"]) assert.equal((await admin("members", "add", at, "Ann Lee <ann@example.org>", "bob@example.org")).code, 0);
  const listed = await admin("members", "list", "a@example.org");
  assert.match(listed.out, /Ann Lee <ann@example\.org>\nbob@example\.org\n2 members on a@example\.org/);

  writeFileSync(join(ws.dir, "post.eml"), eml("ann@example.org", "First"));
  const sent = await cli("mail", "post.eml", "--to", "a@example.org", "--server", smtp());
  assert.equal(sent.code, 0, sent.err);
  assert.match(sent.out, /^250 /);
  assert.equal((await cli("mail", "post.eml", "--to", "a@example.org", "--server", smtp())).code, 0);

  const runs = await admin("runs", "a@example.org");
  assert.equal(runs.code, 0, runs.err);
  assert.match(runs.out, /#\d+ .* a@example\.org {2}message {2}ok {2}gas \d+\/\d+ {2}1 action/);
  assert.match(runs.out, /2 runs\n$/);
  const json = JSON.parse((await admin("runs", "a@example.org", "--json")).out) as { runs: { id: number; gasUsed: number; gasBound: number }[] };
  assert.equal(json.runs.length, 2);
  const one = await admin("runs", String(json.runs[1]!.id));
  assert.match(one.out, /send → ann@example\.org, bob@example\.org {2}\(line 12\) {2}subject: "#2 First"/);
  const shown = (await call("GET", `runs/${json.runs[1]!.id}`)).json as { actions: { kind: string }[]; gasUsed: number; gasBound: number };
  assert.equal(shown.actions[0]!.kind, "send");
  assert.ok(shown.gasUsed > 0 && shown.gasUsed <= shown.gasBound);

  const state = await admin("state", "a@example.org", "--json");
  assert.deepEqual((JSON.parse(state.out) as { state: unknown }).state, { count: 2, note: "" });
  assert.match((await admin("state", "b@example.org")).out, /has no state stored .*its next run starts from the rule.s initial state/);
  await until("the outbox", async () => ((await outboxMail(d.ports.outbox)).filter((m) => m.mail.subject === "#2 First").length === 1 ? true : undefined));
});

test("members: add, remove and import, with the rule's limit of 3 enforced (409, exit 1, nothing changed)", async () => {
  const at = "b@example.org";
  const over = await admin("members", "add", at, "cy@example.org", "dee@example.org");
  assert.equal(over.code, 1);
  assert.match(over.err, /TW6014 b@example\.org would have 4 members, over its rule's limit of 3/);
  const r = await call("POST", `lists/${at}/members`, { members: ["cy@example.org", "dee@example.org"] });
  assert.equal(r.status, 409);
  assert.equal(errorOf(r).code, "TW6014");
  assert.equal(((await call("GET", `lists/${at}/members`)).json["members"] as unknown[]).length, 2);

  assert.equal((await admin("members", "add", at, "cy@example.org", "--role", "owner")).code, 0);
  const removed = await admin("members", "remove", at, "bob@example.org");
  assert.equal(removed.code, 0, removed.err);
  assert.match(removed.out, /2 members on b@example\.org now/);

  writeFileSync(join(ws.dir, "four.txt"), "# four members\nann@example.org\nBob <bob@example.org>\ncy@example.org\ndee@example.org\n");
  const tooMany = await admin("members", "import", at, "four.txt");
  assert.equal(tooMany.code, 1);
  assert.match(tooMany.err, /TW6014 .*4 members, over its rule's limit of 3/);
  writeFileSync(join(ws.dir, "three.json"), JSON.stringify([{ address: "eve@example.org", role: "owner" }, "fay@example.org", "gus@example.org"]));
  const imported = await admin("members", "import", at, "three.json", "--json");
  assert.equal(imported.code, 0, imported.err);
  const members = (JSON.parse(imported.out) as { members: { address: string; role: string }[] }).members;
  assert.deepEqual(members.map((m) => `${m.address} ${m.role}`), ["eve@example.org owner", "fay@example.org member", "gus@example.org member"]);

  const bad = await call("POST", `lists/${at}/members`, { members: ["not an address"] });
  assert.equal(bad.status, 422);
  assert.equal(errorOf(bad).code, "TW6017");
  const unknown = await admin("members", "list", "nobody@example.org");
  assert.equal(unknown.code, 1);
  assert.match(unknown.err, /TW6015/);
  assert.equal((await call("GET", "lists/nobody@example.org/members")).status, 404);
});

test("a failing rule's message is listed as failed, then replayed after a fixed rule is deployed", async () => {
  assert.equal((await admin("deploy", "fails.thwonk", "--address", "fails@example.org")).code, 0);
  writeFileSync(join(ws.dir, "ratio.eml"), eml("zed@example.org", "Ratio"));
  const sent = await cli("mail", "ratio.eml", "--to", "fails@example.org", "--server", smtp());
  assert.equal(sent.code, 0);
  assert.match(sent.out, /^250 .*failed/);

  const failed = await admin("runs", "fails@example.org", "--failed");
  assert.equal(failed.code, 0, failed.err);
  const runId = /run #(\d+) {2}message #\d+ .* from zed@example\.org {2}TW\d+ .*\(line 5/.exec(failed.out)?.[1];
  assert.ok(runId, failed.out);
  const all = (await call("GET", "failed")).json["messages"] as { runId: number }[];
  assert.ok(all.some((m) => m.runId === Number(runId)));

  assert.equal((await admin("deploy", "fixed.thwonk", "--address", "fails@example.org")).code, 0);
  const replayed = await admin("replay", runId);
  assert.equal(replayed.code, 0, replayed.err);
  assert.match(replayed.out, new RegExp(`replayed run #${runId}: 250 .*\\n#\\d+ .* ok .*\\(replay of #${runId}\\)`));
  assert.match(replayed.out, /send → zed@example\.org/);
  assert.match((await admin("runs", "fails@example.org", "--failed")).out, /no failed messages/);
  await until("the replay's mail", async () => ((await outboxMail(d.ports.outbox)).some((m) => m.mail.subject === "ratio" && m.recipients.includes("zed@example.org")) ? true : undefined));

  const again = await call("POST", `runs/${runId}/replay`);
  assert.equal(again.status, 409);
  assert.match(errorOf(again).message, /TW6016 .*replayed already/);
  assert.equal((await call("POST", "runs/999999/replay")).status, 404);
});

test("deploy refused: a tampered bundle (its hash), code or bounds that do not match its source; the running version keeps running", async () => {
  const text = readFileSync(join(ws.dir, "counter.thwb"), "utf8");
  const running = ((await call("GET", "lists/c@example.org")).json as { hash: string }).hash;

  const tampered = text.replace('"count"', '"c0unt"');
  assert.notEqual(tampered, text);
  writeFileSync(join(ws.dir, "tampered.thwb"), tampered);
  const r1 = await admin("deploy", "tampered.thwb", "--address", "c@example.org");
  assert.equal(r1.code, 1);
  assert.match(r1.err, /TW6011 The bundle tampered\.thwb was refused and the running version keeps running: TW4\d{3} /);
  const raw = await call("POST", "deploy", { bundle: tampered, addresses: ["c@example.org"] });
  assert.equal(raw.status, 422);
  assert.equal(errorOf(raw).code, "TW6011");

  // A consistent bundle (its hash recomputed) whose code is not what its source compiles to.
  const b = JSON.parse(text) as { code: { text: string }; manifest: { triggers: { gasBound: number }[] }; sha256: string };
  const rehash = (x: typeof b) => JSON.stringify({ ...x, sha256: contentHash(x as never) });
  const code = { ...b, code: { ...b.code, text: `${b.code.text}\n__g(1);\n` } };
  assert.notEqual(code.code.text, b.code.text);
  const r2 = await call("POST", "deploy", { bundle: rehash(code), addresses: ["c@example.org"] });
  assert.equal(r2.status, 422, JSON.stringify(r2.json));
  assert.equal(errorOf(r2).code, "TW6011");
  assert.match(errorOf(r2).message, /code/i);

  const manifest = JSON.parse(JSON.stringify(b.manifest)) as typeof b.manifest;
  manifest.triggers[0]!.gasBound *= 10;
  const r3 = await call("POST", "deploy", { bundle: rehash({ ...b, manifest }), addresses: ["c@example.org"] });
  assert.equal(r3.status, 422, JSON.stringify(r3.json));
  assert.equal(errorOf(r3).code, "TW6011");
  assert.match(errorOf(r3).message, /bound/i);

  const broken = await call("POST", "deploy", { source: "rule broken\n\non message(m: Message) {\n  nope()\n}\n", addresses: ["c@example.org"] });
  assert.equal(broken.status, 422);
  assert.equal(errorOf(broken).code, "TW6010");
  assert.equal(((await call("GET", "lists/c@example.org")).json as { hash: string }).hash, running);
});

test("deploy refused: a version whose state schema does not fit the stored state (409); the old version keeps running", async () => {
  const r = await admin("deploy", "counter2.thwonk", "--address", "a@example.org", "c@example.org");
  assert.equal(r.code, 1);
  assert.match(r.err, /not deployed at a@example\.org: TW6012 The new version cannot take over a@example\.org's stored state/);
  // c@ has no stored state: it takes the new version.
  assert.match(r.out, /deployed counter2\.thwonk at c@example\.org/);
  const raw = await call("POST", "deploy", { source: COUNTER_NO_COUNT, fileName: "counter2.thwonk", addresses: ["a@example.org"] });
  assert.equal(raw.status, 409);
  assert.equal(errorOf(raw).code, "TW6012");
  assert.equal((raw.json["result"] as { addresses: { deployed: boolean }[] }).addresses[0]!.deployed, false);

  writeFileSync(join(ws.dir, "third.eml"), eml("ann@example.org", "Third"));
  assert.equal((await cli("mail", "third.eml", "--to", "a@example.org", "--server", smtp())).code, 0);
  assert.deepEqual(JSON.parse((await admin("state", "a@example.org", "--json")).out).state, { count: 3, note: "" });
  const history = (await call("GET", "lists/c@example.org")).json["deployments"] as { hash: string }[];
  assert.equal(history.length, 2, "every deployed version is kept");
});

test("bad requests: 400 for a body that is not JSON or lacks addresses, 404 for an unknown route or run, 413 over the size limit", async () => {
  const notJson = await call("POST", "deploy", "{not json");
  assert.equal(notJson.status, 400);
  assert.equal(errorOf(notJson).code, "TW6021");
  assert.equal((await call("POST", "deploy", { source: COUNTER, addresses: [] })).status, 400);
  assert.equal((await call("POST", "deploy", { source: COUNTER, bundle: "{}", addresses: ["a@example.org"] })).status, 400);
  const route = await call("GET", "nothing");
  assert.equal(route.status, 404);
  assert.equal(errorOf(route).code, "TW6023");
  assert.equal((await call("GET", "nothing", undefined, null)).status, 401, "no route is told to a caller without a token");
  const run = await call("GET", "runs/424242");
  assert.equal(run.status, 404);
  assert.equal(errorOf(run).code, "TW6024");
  const big = await call("PUT", "lists/a@example.org/members", { text: "x".repeat(9 * 1024 * 1024) });
  assert.equal(big.status, 413);
  assert.equal(errorOf(big).code, "TW6022");
});
