/**
 * `thwonkc` on TypeScript rules: check (pretty, JSON, SARIF) with .ts
 * locations and TypeScript's own codes, compile (the bundle keeps the .ts
 * source), inspect (triggers and types as the rule declares them), run
 * (actions and a run's error at .ts lines), test (the
 * NAME.test.thwonk beside a .ts rule), and fmt leaving .ts files alone. The
 * bundled CLI in a child process once, to show TypeScript loads there too.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "../helpers/repo.js";
import { runCli, runCliProcess, tempDir, type TempDir } from "../helpers/cli.js";

const example = (name: string, file: string): string => readFileSync(join(repoRoot, "examples", name, file), "utf8");

const BROKEN = `import { members, send, type Message } from "thwonk";

export const rule = "broken";

export function onMessage(m: Message) {
  const n: number = m.subject;
  while (n > 0) {}
  send({ to: members, subject: m.subject, text: m.text });
}
`;

// A division by zero when the subject is "zero": the run's error must name the .ts line.
const DIVIDES = `import { members, send, type Message } from "thwonk";

export const rule = "divides";

export function onMessage(m: Message) {
  let d = 1;
  if (m.subject === "zero") {
    d = 0;
  }
  const q = 10 / d;
  send({ to: members, subject: m.subject, text: \`\${q}\` });
}
`;

let dir: TempDir;

before(() => {
  dir = tempDir({
    "broken.ts": BROKEN,
    "divides.ts": DIVIDES,
    "zero.eml": "From: ann@example.org\r\nTo: divides@example.org\r\nSubject: zero\r\nMessage-ID: <1@example.org>\r\n\r\nhello\r\n",
    "members.txt": "ann@example.org\n",
    "once_a_day/once_a_day.ts": example("once_a_day", "once_a_day.ts"),
    "trim140/trim140.ts": example("trim140", "trim140.ts"),
    "trim140/trim140.test.thwonk": example("trim140", "trim140.test.thwonk"),
    "trim140/weather.eml": example("trim140", "weather.eml"),
    "trim140/members.txt": example("trim140", "members.txt"),
    // A rule and its twin in one folder, with one test file, and files a directory argument must pass over.
    "twins/trim140.thwonk": example("trim140", "trim140.thwonk"),
    "twins/trim140.ts": example("trim140", "trim140.ts"),
    "twins/trim140.test.thwonk": example("trim140", "trim140.test.thwonk"),
    "twins/weather.eml": example("trim140", "weather.eml"),
    "twins/members.txt": example("trim140", "members.txt"),
    "twins/thwonk.d.ts": "declare module \"thwonk\" {}\n",
    "twins/helper.ts": "export const notARule = 1;\n",
  });
});

after(() => dir.remove());

test("check: TypeScript's code and the subset's, at .ts positions, in every format", async () => {
  const pretty = await runCli(["check", "broken.ts"], { cwd: dir.dir });
  assert.equal(pretty.code, 1);
  assert.match(pretty.stdout, /broken\.ts:6:9: error TS2322/);
  assert.match(pretty.stdout, /broken\.ts:7:3: error TW7002/);
  const json = await runCli(["check", "broken.ts", "--format", "json"], { cwd: dir.dir });
  const diags = JSON.parse(json.stdout) as { code: string; line: number; file: string }[];
  assert.deepEqual(diags.map((d) => `${d.file}:${d.line} ${d.code}`), ["broken.ts:6 TS2322", "broken.ts:7 TW7002"]);
  const sarif = await runCli(["check", "broken.ts", "--format", "sarif"], { cwd: dir.dir });
  const log = JSON.parse(sarif.stdout) as { runs: { results: { ruleId: string; locations: { physicalLocation: { region: { startLine: number } } }[] }[] }[] };
  assert.deepEqual(log.runs[0]!.results.map((r) => `${r.ruleId}@${r.locations[0]!.physicalLocation.region.startLine}`), ["TS2322@6", "TW7002@7"]);
});

test("compile keeps the .ts source; run shows actions and an error at .ts lines", async () => {
  const c = await runCli(["compile", "divides.ts", "-o", "divides.thwb"], { cwd: dir.dir });
  assert.equal(c.code, 0, c.stdout + c.stderr);
  const bundle = JSON.parse(readFileSync(dir.path("divides.thwb"), "utf8")) as { source: { fileName: string; text: string } };
  assert.equal(bundle.source.fileName, "divides.ts");
  assert.equal(bundle.source.text, DIVIDES);
  const r = await runCli(["run", "divides.thwb", "--message", "zero.eml", "--members", "members.txt", "--json"], { cwd: dir.dir });
  const out = JSON.parse(r.stdout) as { error: { code: string; line: number } | null };
  assert.equal(out.error?.code, "TW5010", r.stdout);
  assert.equal(out.error?.line, 10, "the line of `10 / d` in divides.ts");
});

test("inspect, compile and run name a .ts rule's triggers as it declares them, as check --cost does; --json keeps the manifest's names", async () => {
  const c = await runCli(["compile", "once_a_day/once_a_day.ts", "-o", "once_a_day.thwb"], { cwd: dir.dir });
  assert.equal(c.code, 0, c.stdout + c.stderr);
  assert.match(c.stdout, /\(rule once_a_day; onMessage, every\("day at 00:00", …\); sha256 /);
  const inspect = await runCli(["inspect", "once_a_day.thwb"], { cwd: dir.dir });
  assert.equal(inspect.code, 0, inspect.stdout + inspect.stderr);
  const shown = [...inspect.stdout.matchAll(/^ {2}(\S.*)\n {4}gas /gm)].map((m) => m[1]);
  assert.deepEqual(shown, ["onMessage", 'every("day at 00:00", …)'], inspect.stdout);
  // The one decision: the names --cost gives each trigger, before its position.
  const cost = await runCli(["check", "--cost", "once_a_day/once_a_day.ts"], { cwd: dir.dir });
  assert.deepEqual([...cost.stdout.matchAll(/^ {2}(\S.*) \(once_a_day\/once_a_day\.ts:\d+:\d+\)$/gm)].map((m) => m[1]), shown, cost.stdout);
  // State types as the rule writes them: a bound is the last type argument.
  assert.match(inspect.stdout, /\n {2}lastPost {2}Map<Address, Time, 5000>\n/);
  const json = await runCli(["inspect", "once_a_day.thwb", "--json"], { cwd: dir.dir });
  const manifest = (JSON.parse(json.stdout) as { manifest: { triggers: { name: string }[]; state: { type: string }[] } }).manifest;
  assert.deepEqual(manifest.triggers.map((t) => t.name), ["message", "every day at 00:00"]);
  assert.deepEqual(manifest.state.map((f) => f.type), ["Map<Address, Time> max 5000"]);
  // run takes either name, and says the one the rule declares.
  for (const trigger of ["every day at 00:00", 'every("day at 00:00", …)', 'every("day at 00:00", ...)']) {
    const r = await runCli(["run", "once_a_day.thwb", "--trigger", trigger], { cwd: dir.dir });
    assert.equal(r.code, 0, `${trigger}: ${r.stdout}${r.stderr}`);
    assert.match(r.stdout, /^rule once_a_day, every\("day at 00:00", …\), at /, trigger);
  }
});

test("test: the .thwonk tests beside a .ts rule run against it", async () => {
  const r = await runCli(["test", "trim140/trim140.ts"], { cwd: dir.dir });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /4 passed, 0 failed/);
});

test("a directory argument stands for its .ts rules too: test runs the test file against the rule and its twin, compile writes both bundles", async () => {
  const t = await runCli(["test", "twins"], { cwd: dir.dir });
  assert.equal(t.code, 0, t.stdout + t.stderr);
  assert.match(t.stdout, /trim140\.thwonk/);
  assert.match(t.stdout, /trim140\.ts/);
  assert.match(t.stdout, /8 passed, 0 failed/);
  const c = await runCli(["check", "twins", "--format", "json"], { cwd: dir.dir });
  assert.equal(c.code, 0, c.stdout + c.stderr);
  assert.doesNotMatch(c.stdout, /helper\.ts|thwonk\.d\.ts/);
  const out = await runCli(["compile", "twins"], { cwd: dir.dir });
  assert.equal(out.code, 0, out.stdout + out.stderr);
  const original = JSON.parse(readFileSync(dir.path("twins/trim140.thwb"), "utf8")) as { source: { fileName: string } };
  const twin = JSON.parse(readFileSync(dir.path("twins/trim140.ts.thwb"), "utf8")) as { source: { fileName: string } };
  assert.match(original.source.fileName, /trim140\.thwonk$/);
  assert.match(twin.source.fileName, /trim140\.ts$/);
});

test("fmt leaves a .ts rule as it is and says so", async () => {
  const r = await runCli(["fmt", "broken.ts"], { cwd: dir.dir });
  assert.equal(r.code, 0);
  assert.match(r.stderr, /left as it is/);
  assert.equal(readFileSync(dir.path("broken.ts"), "utf8"), BROKEN);
});

test("the bundled thwonkc loads TypeScript for a .ts rule", () => {
  const r = runCliProcess(["check", "trim140/trim140.ts"], { cwd: dir.dir });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /no problems/);
});

test("init --ts: a rule that checks clean, and a tsconfig with which the editor's TypeScript sees the library alone", async () => {
  const r = await runCli(["init", "--ts", "announce"], { cwd: dir.dir });
  assert.equal(r.code, 0, r.stderr);
  const check = await runCli(["check", "announce/announce.ts"], { cwd: dir.dir });
  assert.equal(check.code, 0, check.stdout);
  // The editor's view: TypeScript on disk with the written tsconfig.json.
  const { Project } = await import("ts-morph");
  const project = new Project({ tsConfigFilePath: dir.path("announce/tsconfig.json") });
  assert.deepEqual(project.getPreEmitDiagnostics().map((d) => d.getMessageText()), []);
  const rule = project.getSourceFileOrThrow("announce.ts");
  rule.addStatements('export const leak = fetch("https://example.org");');
  const codes = project.getPreEmitDiagnostics().map((d) => d.getCode());
  assert.ok(codes.includes(2304), `fetch should not exist: ${codes.join(" ")}`);
  const again = await runCli(["init", "--ts", "announce"], { cwd: dir.dir });
  assert.equal(again.code, 2);
  assert.match(again.stderr, /not overwriting/);
});

test("a .thwonk check never loads TypeScript; a .ts check does", () => {
  const probe = (file: string): string => {
    const script = `
      import { createRequire } from "node:module";
      const { main } = await import(${JSON.stringify(join(repoRoot, "dist", "cli", "main.js"))});
      const sink = { write: () => true, isTTY: false };
      await main(["check", ${JSON.stringify(file)}], { cwd: ${JSON.stringify(repoRoot)}, env: {}, stdout: sink, stderr: sink });
      const cache = createRequire(import.meta.url).cache;
      console.log(Object.keys(cache).some((k) => k.includes("ts-morph") || k.endsWith("typescript.js")) ? "loaded" : "not loaded");
    `;
    const r = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" });
    assert.equal(r.status, 0, r.stderr);
    return r.stdout.trim();
  };
  assert.equal(probe("examples/trim140/trim140.thwonk"), "not loaded");
  assert.equal(probe("examples/trim140/trim140.ts"), "loaded");
});
