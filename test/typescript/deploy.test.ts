/**
 * A TypeScript rule on a real thwonkd (bin/thwonkd.js on 127.0.0.1): its
 * source deployed through `thwonkc deploy NAME.ts` is compiled by the
 * daemon through the one entry, and a message mailed to it comes out the
 * rule's way (trim140's cut to 140 characters), with the run's action at its
 * .ts line. A source the daemon refuses is refused in its own language's
 * words (compiler/diagnostics/catalog/spelling.ts).
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "../helpers/repo.js";
import { cliIn, outboxMail, startDaemon, until, workspace, type Running } from "../daemon/helpers.js";

let ws: ReturnType<typeof workspace>;
let d: Running;
let token: string;
let api: string;

const cli = (...args: string[]) => cliIn(ws.dir, args);
const admin = (...args: string[]) => cli(...args, "--server", api, "--token", token);

before(async () => {
  ws = workspace({});
  mkdirSync(ws.rules, { recursive: true });
  // --deploy DIR at start: a .ts rule alone in its folder is deployed; beside its .thwonk original, the twin is skipped.
  mkdirSync(join(ws.rules, "bumplist"), { recursive: true });
  writeFileSync(join(ws.rules, "bumplist", "bumplist.ts"), readFileSync(join(repoRoot, "examples", "bumplist", "bumplist.ts"), "utf8"));
  for (const f of ["once_a_day.thwonk", "once_a_day.ts"]) writeFileSync(join(ws.rules, f), readFileSync(join(repoRoot, "examples", "once_a_day", f), "utf8"));
  writeFileSync(join(ws.dir, "trim140.ts"), readFileSync(join(repoRoot, "examples", "trim140", "trim140.ts"), "utf8"));
  d = await startDaemon(ws);
  api = `http://127.0.0.1:${d.ports.http}`;
  token = readFileSync(join(ws.data, "admin.token"), "utf8").trim();
});

after(async () => {
  if (d) assert.equal(await d.stop(), 0);
});

test("thwonkd --deploy DIR: a .ts rule alone is deployed at NAME@domain; a .ts twin beside NAME.thwonk is skipped with a log line", async () => {
  const res = await fetch(`${api}/v1/lists`, { headers: { authorization: `Bearer ${token}` } });
  const { lists } = (await res.json()) as { lists: { address: string; rule: string; hash: string }[] };
  const at = (a: string) => lists.filter((l) => l.address === a);
  assert.equal(at("bumplist@example.org").length, 1, JSON.stringify(lists));
  assert.equal(at("once-a-day@example.org").length, 1, JSON.stringify(lists));
  assert.equal(lists.filter((l) => l.address.startsWith("once-a-day")).length, 1, "one list for the rule and its twin");
  assert.match(d.stderr(), /once_a_day\.ts[\s\S]{0,200}not deployed: a TypeScript twin|not deployed: a TypeScript twin[\s\S]{0,200}once_a_day\.ts/);
});

test("thwonkc deploy trim140.ts: compiled by the daemon, and mail to it is cut to 140 characters", async () => {
  const dep = await admin("deploy", "trim140.ts", "--address", "trim@example.org");
  assert.equal(dep.code, 0, dep.err + dep.out);
  assert.match(dep.out, /deployed trim140\.ts at trim@example\.org/);
  assert.equal((await admin("members", "add", "trim@example.org", "ann@example.org", "bob@example.org")).code, 0);
  const long = "The forecast: ".padEnd(400, "rain and sun ");
  writeFileSync(join(ws.dir, "post.eml"), `From: ann@example.org\r\nTo: trim@example.org\r\nSubject: Weather\r\nMessage-ID: <w1@example.org>\r\n\r\n${long}\r\n`);
  const sent = await cli("mail", "post.eml", "--to", "trim@example.org", "--server", `smtp://127.0.0.1:${d.ports.smtp}`);
  assert.equal(sent.code, 0, sent.err);
  const mail = await until("the outbox", async () => (await outboxMail(d.ports.outbox)).find((m) => m.mail.subject === "Weather"));
  assert.equal((mail.mail.text ?? "").trim(), long.slice(0, 140).trim());
  assert.deepEqual([...mail.recipients].sort(), ["ann@example.org", "bob@example.org"]);
  const runs = await admin("runs", "trim@example.org");
  assert.match(runs.out, /message {2}ok/);
  const json = JSON.parse((await admin("runs", "trim@example.org", "--json")).out) as { runs: { id: number }[] };
  const one = await admin("runs", String(json.runs[0]!.id));
  assert.match(one.out, /\(line 16\)/, "the send at its line in trim140.ts");
});

test("POST /v1/deploy of a .ts source that does not compile: the daemon's reasons give the TypeScript spelling", async () => {
  const source = `import { List, type Message, type Text } from "thwonk";
export const rule = "full";
export const state = { titles: new List<Text<80>, 10>() };
export function onMessage(m: Message) {
  state.titles.push(m.subject);
}
`;
  const res = await fetch(`${api}/v1/deploy`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify({ source, fileName: "full.ts", addresses: ["full@example.org"] }),
  });
  const body = JSON.stringify(await res.json());
  assert.match(body, /TW3006/, body);
  assert.match(body, /if \(state\.titles\.size < 10\) \{ \.\.\. \}/, body);
  assert.doesNotMatch(body, /if state\.titles/, body);
});
