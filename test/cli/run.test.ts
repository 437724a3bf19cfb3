/**
 * `thwonkc compile`, `inspect` and `run` end to end: the real bin/thwonkc.js
 * (and so the bundle, with QuickJS's WebAssembly found from it) in child
 * processes, on the rules in examples/ and on .eml files written here.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runCli, runCliProcess, tempDir, type TempDir } from "../helpers/cli.js";
import { repoRoot } from "../helpers/repo.js";
import { canonicalJson, type Bundle } from "../../compiler/emit/bundle.js";
import { sha256Hex } from "../../compiler/emit/sha256.js";

const example = (name: string): string => join(repoRoot, "examples", name, `${name}.thwonk`);

/** 139 characters, then two suns: the 140th character is the first sun, whole. */
const WEATHER =
  "Good morning everyone, here is the weather for today: sunny with a few clouds in the afternoon, a light breeze from the west, warm and dry 🌞🌞 Enjoy it!";

function eml(from: string, to: string, subject: string, date: string, id: string, body: string): string {
  return [
    `From: ${from}`,
    `To: ${to}`,
    `Subject: ${subject}`,
    `Date: ${date}`,
    `Message-ID: <${id}>`,
    "MIME-Version: 1.0",
    "Content-Type: text/plain; charset=utf-8",
    "Content-Transfer-Encoding: 8bit",
    "",
    body,
    "",
  ].join("\r\n");
}

const MEMBERS = "# the list\nAnn Lee <ann@example.org>\nbob@example.org\n";

interface RunJson {
  actions: { kind: string; to: string[]; subject?: string; text?: string; reason?: string; at: { line: number; column: number } }[];
  state: Record<string, unknown> | null;
  gas: { used: number; bound: number };
  error: { code: string; message: string; line: number | null; column: number | null } | null;
  trace: { line: number; column: number; what: string; value: string; gas: number }[] | null;
}

let t: TempDir;
before(async () => {
  t = tempDir({
    "members.txt": MEMBERS,
    "weather.eml": eml("Ann Lee <ann@example.org>", "trim140@example.org", "Weather", "Wed, 25 Nov 2026 09:00:00 +0100", "w1@example.org", WEATHER),
    "stranger.eml": eml("Eve <eve@example.com>", "trim140@example.org", "Offer", "Wed, 25 Nov 2026 09:00:00 +0100", "s1@example.com", "Buy now"),
    "long.eml": eml("ann@example.org", "trim140@example.org", "Long", "Wed, 25 Nov 2026 09:00:00 +0100", "l1@example.org", "a".repeat(20_001)),
    "morning.eml": eml("Ann Lee <ann@example.org>", "once-a-day@example.org", "Morning", "Wed, 25 Nov 2026 09:00:00 +0100", "m1@example.org", "Hello all"),
    "again.eml": eml("Ann Lee <ann@example.org>", "once-a-day@example.org", "Again", "Wed, 25 Nov 2026 15:00:00 +0100", "m2@example.org", "One more thing"),
    "div.thwonk": `rule div

on message(m: Message) {
  let zero = m.text.length - m.text.length
  log("{m.subject.length / zero}")
}
`,
    "broken.thwonk": `rule broken

on message(m: Message) {
  send(to: members, subject: m.subjct, text: m.text)
}
`,
  });
});
after(() => t.remove());

const cli = (args: string[]) => runCli(args, { cwd: t.dir });

async function json(args: string[]): Promise<{ code: number | null; out: RunJson; stderr: string }> {
  const r = await cli([...args, "--json"]);
  return { code: r.code, out: JSON.parse(r.stdout) as RunJson, stderr: r.stderr };
}

describe("compile", () => {
  test("writes NAME.thwb for each rule into a directory, deterministically", async () => {
    const r = await cli(["compile", example("trim140"), example("once_a_day"), "-o", "build"]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /compiled .*trim140\.thwonk → build\/trim140\.thwb {2}\(rule trim140; message; sha256 [0-9a-f]{12}…\)/);
    assert.match(r.stdout, /compiled .*once_a_day\.thwonk → build\/once_a_day\.thwb/);
    assert.match(r.stdout, /\n2 bundles written\n$/);
    const first = readFileSync(t.path("build/trim140.thwb"), "utf8");
    assert.equal((await cli(["compile", example("trim140"), "-o", "again.thwb"])).code, 0);
    assert.equal(readFileSync(t.path("again.thwb"), "utf8"), first, "the same source gives the same bundle, byte for byte");
  });

  test("a directory stands for every rule in it (test files are not rules)", async () => {
    const r = await cli(["compile", join(repoRoot, "examples"), "-o", "all"]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    // Each example's .thwonk rule and each TypeScript twin, the twin's bundle named apart from its original's (docs/typescript.md).
    const rules = readdirSync(join(repoRoot, "examples")).filter((d) => existsSync(join(repoRoot, "examples", d, `${d}.thwonk`))).length;
    const twins = readdirSync(join(repoRoot, "examples")).filter((d) => existsSync(join(repoRoot, "examples", d, `${d}.ts`))).length;
    assert.ok(rules >= 10 && twins >= 4);
    assert.match(r.stdout, new RegExp(`\\n${rules + twins} bundles written\\n$`));
    assert.match(r.stdout, /bumplist\.ts → all\/bumplist\.ts\.thwb/);
    assert.doesNotMatch(r.stdout, /\.test\.thwonk/);
  });

  test("a rule with errors gets no bundle: diagnostics, exit 1; the others are still written", async () => {
    const r = await cli(["compile", "broken.thwonk", "div.thwonk", "-o", "mixed"]);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /^broken\.thwonk:4:32: error TW2012: /);
    assert.match(r.stdout, /compiled div\.thwonk → mixed\/div\.thwb/);
    assert.match(r.stdout, /not compiled broken\.thwonk: it has errors\n1 bundle written, 1 rule refused\n$/);
    assert.throws(() => readFileSync(t.path("mixed/broken.thwb")));
  });

  test("-o FILE.thwb with several rules is bad usage", async () => {
    const r = await cli(["compile", "div.thwonk", example("trim140"), "-o", "one.thwb"]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /names one bundle, but 2 rules were given/);
  });
});

describe("inspect", () => {
  before(async () => {
    assert.equal((await cli(["compile", example("trim140"), example("once_a_day"), "-o", "build"])).code, 0);
  });

  test("prints the manifest: rule, versions, triggers with bounds, state, limits, settings, sha256", async () => {
    const r = await cli(["inspect", "build/once_a_day.thwb"]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const bundle = JSON.parse(readFileSync(t.path("build/once_a_day.thwb"), "utf8")) as Bundle;
    const gas = bundle.manifest.triggers.find((x) => x.name === "message")!.gasBound;
    assert.match(r.stdout, /^bundle {7}build\/once_a_day\.thwb \([\d,]+ bytes\)\n/);
    assert.match(r.stdout, /\nrule {9}once_a_day \(source once_a_day\.thwonk\)\n/);
    assert.match(r.stdout, /\nversions {5}thwonkc \d+\.\d+\.\d+, stdlib .*, cost table .*\n/);
    assert.match(r.stdout, new RegExp(`\\nsha256 {7}${bundle.sha256} \\(verified\\)\\n`));
    assert.match(r.stdout, /\ntriggers \(2\)\n {2}message\n/);
    assert.ok(r.stdout.includes(`    gas       ≤ ${gas.toLocaleString("en-US")}  = `), r.stdout);
    assert.match(r.stdout, /\n {4}fan-out {3}≤ 5,000 messages {2}= members\n/);
    assert.match(r.stdout, /\n {4}may {7}reject, reply, send, state\.write\n {4}sends to {2}members, sender\n/);
    assert.match(r.stdout, /\n {2}every day at 00:00\n {4}gas {7}≤ \d+/);
    assert.match(r.stdout, /\nstate\n {2}lastPost {2}Map<Address, Time> max 5000\n/);
    assert.match(r.stdout, /\n {2}\* members +5,000 members\n/);
    assert.match(r.stdout, /\n {4}budget +1,000,000 gas\n/);
    assert.match(r.stdout, /\nsettings\n {2}timezone {2}Europe\/Paris\n$/);
  });

  test("--json: the manifest as the bundle has it", async () => {
    const r = await cli(["inspect", "build/trim140.thwb", "--json"]);
    assert.equal(r.code, 0);
    const j = JSON.parse(r.stdout) as { file: string; sha256: string; manifest: Bundle["manifest"]; diagnostics: unknown[] };
    const bundle = JSON.parse(readFileSync(t.path("build/trim140.thwb"), "utf8")) as Bundle;
    assert.equal(j.file, "build/trim140.thwb");
    assert.equal(j.sha256, bundle.sha256);
    assert.deepEqual(j.manifest, bundle.manifest);
    assert.deepEqual(j.diagnostics, []);
  });

  test("a tampered bundle is refused: TW4003 when the hash no longer matches", async () => {
    const text = readFileSync(t.path("build/once_a_day.thwb"), "utf8");
    const b = JSON.parse(text) as Bundle;
    b.manifest.triggers[0]!.gasBound = 1_000_000_000;
    writeFileSync(t.path("tampered.thwb"), JSON.stringify(b));
    const r = await cli(["inspect", "tampered.thwb"]);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /^tampered\.thwb:1:1: error TW4003: .*sha256/);
    const j = await cli(["inspect", "tampered.thwb", "--json"]);
    assert.equal(j.code, 1);
    assert.deepEqual((JSON.parse(j.stdout) as { diagnostics: { code: string }[] }).diagnostics.map((d) => d.code), ["TW4003"]);
  });

  test("a tampered bundle with its hash recomputed is refused too: TW4006, by recompiling its source", async () => {
    const b = JSON.parse(readFileSync(t.path("build/once_a_day.thwb"), "utf8")) as Bundle;
    b.code.text = b.code.text.replace("You have already posted today", "Welcome back");
    const { sha256: _old, ...body } = b;
    b.sha256 = sha256Hex(canonicalJson(body));
    writeFileSync(t.path("rehashed.thwb"), JSON.stringify(b));
    const r = await cli(["inspect", "rehashed.thwb"]);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /^rehashed\.thwb:1:1: error TW4006: .*code/);
    // and it is never run
    const run = await cli(["run", "rehashed.thwb", "-m", "morning.eml"]);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /TW4006/);
    assert.equal(run.stdout, "");
  });

  test("a file that is not a bundle: TW4001; a missing one: exit 2", async () => {
    writeFileSync(t.path("junk.thwb"), "not json");
    const r = await cli(["inspect", "junk.thwb"]);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /^junk\.thwb:1:1: error TW4001: /);
    const missing = await cli(["inspect", "missing.thwb"]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /cannot read missing\.thwb: no such file or directory/);
  });
});

describe("run", () => {
  before(async () => {
    assert.equal((await cli(["compile", example("trim140"), example("once_a_day"), "-o", "build"])).code, 0);
  });

  test("trim140: the post is cut to 140 code points and sent to every member", async () => {
    const r = await cli(["run", "build/trim140.thwb", "--message", "weather.eml", "--members", "members.txt", "--at", "2026-11-25T09:00:00+01:00"]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const cut = Array.from(WEATHER).slice(0, 140).join("");
    assert.ok(cut.endsWith("dry 🌞"));
    assert.equal(
      r.stdout,
      [
        "rule trim140, on message, at 2026-11-25T08:00:00Z",
        "list trim140@example.org, 2 members",
        "message from ann@example.org: Weather",
        "",
        "actions (1)",
        "   1. send to ann@example.org, bob@example.org  (line 15)",
        "       subject: Weather",
        "       from: sender, reply-to: list",
        `       | ${cut}`,
        "       (140 characters)",
        "",
        "state: none (the rule keeps no state)",
        "",
        r.stdout.split("\n").at(-2)!,
        "",
      ].join("\n"),
    );
    assert.match(r.stdout, /\ngas: \d+ used of a bound of 60,087 \(0%\)\n$/);

    const j = await json(["run", "build/trim140.thwb", "-m", "weather.eml", "--members", "members.txt"]);
    assert.equal(j.code, 0);
    const send = j.out.actions[0]!;
    assert.equal(send.kind, "send");
    assert.equal(send.text, cut);
    assert.equal(Array.from(send.text!).length, 140);
    assert.deepEqual(send.to, ["ann@example.org", "bob@example.org"]);
  });

  test("the bin, as a shell runs it: run trim140 and run a rule with errors, each with its process exit code", () => {
    const ok = runCliProcess(["run", "build/trim140.thwb", "--message", "weather.eml", "--members", "members.txt"], { cwd: t.dir });
    assert.equal(ok.code, 0, ok.stdout + ok.stderr);
    assert.match(ok.stdout, /send to ann@example\.org, bob@example\.org/);
    const missing = runCliProcess(["run", "build/none.thwb", "--message", "weather.eml"], { cwd: t.dir });
    assert.equal(missing.code, 2, missing.stdout + missing.stderr);
  });

  test("--json prints the RunResult, marked: thwonk-run, actions, state, gas, error, trace", async () => {
    const j = await json(["run", example("trim140"), "-m", "weather.eml", "--members", "members.txt"]);
    assert.equal(j.code, 0);
    assert.deepEqual(Object.keys(j.out), ["thwonk-run", "actions", "state", "gas", "error", "trace"]);
    assert.equal((j.out as unknown as Record<string, unknown>)["thwonk-run"], 1);
    assert.equal(j.out.actions.length, 1);
    const a = j.out.actions[0]!;
    assert.equal(a.kind, "send");
    assert.deepEqual(a.at, { line: 15, column: 3 });
    assert.equal(a.subject, "Weather");
    assert.deepEqual(j.out.state, {});
    assert.equal(j.out.gas.bound, 60_087);
    assert.ok(j.out.gas.used > 0 && j.out.gas.used <= j.out.gas.bound);
    assert.equal(j.out.error, null);
    assert.equal(j.out.trace, null);
    // The source and its bundle run the same.
    const fromBundle = await json(["run", "build/trim140.thwb", "-m", "weather.eml", "--members", "members.txt"]);
    assert.deepEqual(fromBundle.out, j.out);
  });

  test("a long recipient list is summarized (--json has it whole)", async () => {
    const many = Array.from({ length: 7 }, (_, i) => `m${i}@example.org`);
    writeFileSync(t.path("many.txt"), ["ann@example.org", ...many].join("\n") + "\n");
    const r = await cli(["run", "build/trim140.thwb", "-m", "weather.eml", "--members", "many.txt"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /\n {3}1\. send to 8 addresses: ann@example\.org, m0@example\.org, m1@example\.org and 5 more {2}\(line 15\)\n/);
    assert.equal((await json(["run", "build/trim140.thwb", "-m", "weather.eml", "--members", "many.txt"])).out.actions[0]!.to.length, 8);
  });

  test("a reject is a decision, not a failure: exit 0", async () => {
    const r = await cli(["run", "build/trim140.thwb", "-m", "stranger.eml", "--members", "members.txt"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /\n {3}1\. reject: Only members may post to trim140@example\.org\. {2}\(line 11\)\n/);
  });

  test("once_a_day: a second post the same day gets a reply (state from the first run's output)", async () => {
    const first = await cli(["run", "build/once_a_day.thwb", "-m", "morning.eml", "--members", "members.txt", "--at", "2026-11-25T09:00", "--json"]);
    assert.equal(first.code, 0, first.stderr);
    writeFileSync(t.path("first.json"), first.stdout);
    const f = JSON.parse(first.stdout) as RunJson;
    assert.deepEqual(f.actions.map((a) => a.kind), ["send"]);
    // --at without an offset is in the rule's time zone (Europe/Paris, +01:00 in November).
    assert.deepEqual(f.state, { lastPost: { "ann@example.org": "2026-11-25T08:00:00.000Z" } });

    const pretty = await cli(["run", "build/once_a_day.thwb", "-m", "morning.eml", "--members", "members.txt", "--at", "2026-11-25T09:00"]);
    assert.match(pretty.stdout, /^rule once_a_day, on message, at 2026-11-25T09:00:00\+01:00 \(Europe\/Paris\)\n/);
    assert.match(pretty.stdout, /\nstate\n {2}lastPost: \{\} → \{"ann@example\.org":"2026-11-25T08:00:00\.000Z"\}\n/);

    const second = await cli(["run", "build/once_a_day.thwb", "-m", "again.eml", "--members", "members.txt", "--at", "2026-11-25T15:00", "--state", "first.json"]);
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stdout, /\nactions \(1\)\n {3}1\. reply to ann@example\.org {2}\(line 26\)\n {7}subject: Re: Again\n {7}\| You have already posted today/);
    assert.doesNotMatch(second.stdout, /send to/);
    assert.match(second.stdout, /\nstate: unchanged\n/);

    // Only the state (not the whole output) works too, and the next day the post goes out.
    writeFileSync(t.path("state.json"), JSON.stringify(f.state));
    const tomorrow = await json(["run", "build/once_a_day.thwb", "-m", "again.eml", "--members", "members.txt", "--at", "2026-11-26T08:00:00Z", "--state", "state.json"]);
    assert.deepEqual(tomorrow.out.actions.map((a) => a.kind), ["send"]);
  });

  test("--trigger runs a schedule; an unknown one lists the rule's triggers (exit 2)", async () => {
    writeFileSync(t.path("posted.json"), JSON.stringify({ lastPost: { "ann@example.org": "2026-11-25T08:00:00.000Z" } }));
    const r = await cli(["run", "build/once_a_day.thwb", "--trigger", "every day at 00:00", "--state", "posted.json", "--at", "2026-11-26"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^rule once_a_day, every day at 00:00, at 2026-11-26T00:00:00\+01:00 \(Europe\/Paris\)\n/);
    assert.match(r.stdout, /\nactions: none/);
    assert.match(r.stdout, /\n {2}lastPost: \{"ann@example\.org":"2026-11-25T08:00:00\.000Z"\} → \{\}\n/);
    const unknown = await cli(["run", "build/once_a_day.thwb", "--trigger", "every hour"]);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /rule once_a_day has no trigger `every hour`; its triggers: `message`, `every day at 00:00`/);
    const none = await cli(["run", "build/once_a_day.thwb"]);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /give --message FILE\.eml/);
  });

  test("--trace shows each step: line:col, what, value, gas", async () => {
    writeFileSync(t.path("morning-state.json"), JSON.stringify({ lastPost: { "ann@example.org": "2026-11-25T08:00:00.000Z" } }));
    const r = await cli(["run", "build/once_a_day.thwb", "-m", "again.eml", "--members", "members.txt", "--at", "2026-11-25T15:00", "--state", "morning-state.json", "--trace"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /\ntrace \(\d+ steps; gas used so far, and since the step before\)\n/);
    assert.match(r.stdout, /\n {2}24:3 {2}let last = state\.lastPost\.get\(m\.from\) +gas \d+(?: \+\d+)?\n/);
    assert.match(r.stdout, /\n {2}24:3 {4}→ last = 2026-11-25T09:00:00\+01:00 +gas \d+(?: \+\d+)?\n/);
    assert.match(r.stdout, /\n {2}27:5 {2}return +gas \d+(?: \+\d+)?\n/);
    const j = await json(["run", "build/once_a_day.thwb", "-m", "again.eml", "--members", "members.txt", "--at", "2026-11-25T15:00", "--state", "morning-state.json", "--trace"]);
    assert.ok(j.out.trace && j.out.trace.length > 3);
    const step = j.out.trace.find((s) => s.what === "last")!;
    assert.deepEqual(Object.keys(step).sort(), ["column", "gas", "line", "value", "what"]);
    assert.equal(step.line, 24);
    const gases = j.out.trace.map((s) => s.gas);
    assert.deepEqual(gases, [...gases].sort((a, b) => a - b), "gas only grows");
    assert.ok(gases.at(-1)! <= j.out.gas.used);
  });

  test("a message over the rule's limits is refused, whole (exit 1)", async () => {
    const r = await cli(["run", "build/trim140.thwb", "-m", "long.eml", "--members", "members.txt"]);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, "");
    assert.match(r.stderr, /the input was refused; the rule was not run:\n {2}TW5020 The message was refused: its text is 20,00\d characters, over `limits\.text` = 20,000 characters/);
  });

  test("a bad members file is refused (exit 1); a bad state file or --at is bad usage (exit 2)", async () => {
    writeFileSync(t.path("bad-members.txt"), "ann@example.org\nnot an address\n");
    const m = await cli(["run", "build/trim140.thwb", "-m", "weather.eml", "--members", "bad-members.txt"]);
    assert.equal(m.code, 1);
    assert.match(m.stderr, /TW5022 The member at bad-members\.txt:2 was not accepted/);
    writeFileSync(t.path("typo.json"), JSON.stringify({ lastPosts: {} }));
    const s = await cli(["run", "build/once_a_day.thwb", "-m", "morning.eml", "--state", "typo.json"]);
    assert.equal(s.code, 2);
    assert.match(s.stderr, /has `lastPosts`, which rule once_a_day does not declare \(its state: lastPost\)/);
    const at = await cli(["run", "build/once_a_day.thwb", "-m", "morning.eml", "--at", "yesterday"]);
    assert.equal(at.code, 2);
    assert.match(at.stderr, /--at yesterday is not an ISO 8601 time/);
    const msg = await cli(["run", "build/once_a_day.thwb", "-m", "nope.eml"]);
    assert.equal(msg.code, 2);
    assert.match(msg.stderr, /cannot read the message nope\.eml: no such file or directory/);
  });

  test("a runtime error fails the run (exit 1) with its code and the .thwonk place", async () => {
    const r = await cli(["run", "div.thwonk", "-m", "morning.eml"]);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /\ndiv\.thwonk:5:\d+: error TW5010: The rule divided by zero/);
    assert.match(r.stdout, /\ngas: \d+ used of a bound of [\d,]+( \(\d+%\))?\n$/);
    const j = await json(["run", "div.thwonk", "-m", "morning.eml"]);
    assert.equal(j.code, 1);
    assert.equal(j.out.error?.code, "TW5010");
    assert.equal(j.out.error?.line, 5);
    assert.deepEqual(j.out.actions, []);
    assert.equal(j.out.state, null);
  });

  test("a rule with errors is not run: diagnostics on stderr, exit 1", async () => {
    const r = await cli(["run", "broken.thwonk", "-m", "morning.eml"]);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, "");
    assert.match(r.stderr, /^broken\.thwonk:4:32: error TW2012: /);
    assert.match(r.stderr, /thwonkc: broken\.thwonk has errors; nothing was run\n$/);
  });
});
