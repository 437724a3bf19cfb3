/**
 * The VS Code extension, without VS Code (no binary can be downloaded
 * here): the .vsix is built once (scripts/vsix.js, as `npm run vsix`),
 * its entries listed, and it is unpacked into a directory with no
 * node_modules; its client (dist/extension.js) is loaded with `vscode`
 * resolved to a fake of the API (fake-vscode.ts), and activate() starts the
 * real bundled server (dist/server.mjs) over IPC. The commands are run
 * through the fake's command registry against that server: check, compile,
 * the dry run on an .eml (the QuickJS wasm from the .vsix), the tests; the
 * server is killed and the client restarts it.
 */
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import Module, { createRequire } from "node:module";
import { join } from "node:path";
import { repoRoot } from "../helpers/repo.js";
import { tempDir, type TempDir } from "../helpers/cli.js";
import { fakeVscode, type FakeState } from "./fake-vscode.js";

const AUTO = readFileSync(join(repoRoot, "examples", "auto_reply", "auto_reply.thwonk"), "utf8");
const AUTO_TEST = readFileSync(join(repoRoot, "examples", "auto_reply", "auto_reply.test.thwonk"), "utf8");
const EML = ["From: Ann <ann@example.org>", "To: auto-reply@example.org", "Subject: Printer broken", "Date: Wed, 25 Nov 2026 10:00:00 +0000", "Message-ID: <1@example.org>", "", "The printer is broken.", ""].join("\r\n");

let dir: TempDir;
let vsix: string;
let entries: string[];
const state: FakeState = { commands: new Map(), channels: new Map(), messages: [], openDialogAnswer: undefined, settings: { "thwonk.server.checkerHeapMb": 700 }, activeFile: undefined, activeText: "", saved: [] };
let ext: {
  activate(c: unknown): Promise<{ client(): { isRunning(): boolean; sendRequest(method: string): Promise<unknown>; _serverProcess?: { pid: number } } | undefined }>;
  deactivate(): Promise<void>;
};
let api: Awaited<ReturnType<typeof ext.activate>>;

before(async () => {
  dir = tempDir({ "rules/auto_reply.thwonk": AUTO, "rules/auto_reply.test.thwonk": AUTO_TEST, "rules/printer.eml": EML, "rules/bad.thwonk": "rule bad\non message(m: Message) {\n  reply(m, text: 1)\n}\n" });
  vsix = dir.path("thwonk.vsix");
  execFileSync(process.execPath, [join(repoRoot, "scripts", "vsix.js"), "--out", vsix], { cwd: repoRoot, stdio: ["ignore", "pipe", "inherit"] });
  entries = execFileSync("unzip", ["-Z1", vsix], { encoding: "utf8" }).split("\n").filter((l) => l !== "");
  execFileSync("unzip", ["-q", vsix, "-d", dir.path("unpacked")]);

  // `require("vscode")` from the unpacked client: the fake.
  const fake = fakeVscode(state);
  const fakePath = dir.path("fake-vscode-module");
  const require = createRequire(import.meta.url);
  require.cache[fakePath] = { id: fakePath, filename: fakePath, loaded: true, exports: fake } as never;
  const M = Module as unknown as { _resolveFilename: (req: string, ...rest: unknown[]) => string };
  const resolve = M._resolveFilename;
  M._resolveFilename = function (req: string, ...rest: unknown[]) {
    return req === "vscode" ? fakePath : resolve.call(this, req, ...rest);
  };
  ext = require(dir.path("unpacked/extension/dist/extension.js"));
  const subscriptions: { dispose(): unknown }[] = [];
  api = await ext.activate({ extensionPath: dir.path("unpacked/extension"), subscriptions, asAbsolutePath: (p: string) => join(dir.path("unpacked/extension"), p) });
});

after(async () => {
  await ext?.deactivate();
  dir?.remove();
});

const open = (rel: string): void => {
  state.activeFile = dir.path(rel);
  state.activeText = readFileSync(state.activeFile, "utf8");
};
const run = (id: string): Promise<unknown> => Promise.resolve(state.commands.get(id)!());
const runs = (): string[] => state.channels.get("Thwonk") ?? [];

test("the .vsix holds the client, the server, the grammar, the configuration, the snippets and QuickJS's wasm", () => {
  for (const e of [
    "extension/package.json",
    "extension/dist/extension.js",
    "extension/dist/server.mjs",
    "extension/dist/emscripten-module.wasm",
    "extension/syntaxes/thwonk.tmLanguage.json",
    "extension/language-configuration.json",
    "extension/snippets/thwonk.json",
    "extension/readme.md",
  ]) {
    assert.ok(entries.includes(e), `${e} is not in the .vsix: ${entries.join(", ")}`);
  }
  assert.ok(!entries.some((e) => e.includes("node_modules/") || e.includes("/src/") || e.endsWith(".map")), entries.join(", "));
  const manifest = JSON.parse(readFileSync(dir.path("unpacked/extension/package.json"), "utf8"));
  assert.equal(manifest.contributes.languages[0].extensions[0], ".thwonk");
  assert.deepEqual(manifest.contributes.commands.map((c: { command: string }) => c.command).sort(), ["thwonk.check", "thwonk.compile", "thwonk.dryRun", "thwonk.restartServer", "thwonk.runTests"]);
  assert.ok(manifest.contributes.configuration.properties["thwonk.server.path"]);
  assert.ok(manifest.contributes.configuration.properties["thwonk.trace.server"]);
  assert.equal(manifest.contributes.configuration.properties["thwonk.server.checkerHeapMb"].default, 0);
  assert.ok(existsSync(dir.path("unpacked/extension/node_modules")) === false);
});

test("activate() starts the bundled server and registers the commands; the checker thread's heap setting reaches the server", async () => {
  assert.equal(api.client()?.isRunning(), true);
  const stats = (await api.client()!.sendRequest("thwonk/stats")) as { checker: { heapMb: number | null } };
  assert.equal(stats.checker.heapMb, 700);
  for (const c of ["thwonk.check", "thwonk.compile", "thwonk.dryRun", "thwonk.runTests", "thwonk.restartServer"]) assert.ok(state.commands.has(c), c);
  assert.ok(state.channels.has("Thwonk Language Server"));
});

test("Thwonk: Check the rule reports the errors, and each trigger's bounds of a clean rule", async () => {
  open("rules/auto_reply.thwonk");
  const ok = (await run("thwonk.check")) as { errors: number; triggers: unknown[] };
  assert.equal(ok.errors, 0);
  assert.ok(runs().some((l) => /message: at most [\d,]+ gas/.test(l)), runs().join("\n"));
  open("rules/bad.thwonk");
  const bad = (await run("thwonk.check")) as { errors: number };
  assert.ok(bad.errors >= 1);
  assert.equal(state.messages.at(-1)?.level, "error");
});

test("Thwonk: Dry-run on an .eml chosen in the dialog shows the actions, the state change and the gas", async () => {
  open("rules/auto_reply.thwonk");
  state.openDialogAnswer = dir.path("rules/printer.eml");
  const r = (await run("thwonk.dryRun")) as { ran: boolean; lines: string[] };
  assert.equal(r.ran, true, JSON.stringify(r));
  const out = runs().join("\n");
  assert.match(out, /Actions \(\d+\):\n {2}forward\(/);
  assert.match(out, /reply\(/);
  assert.match(out, /State changes \(1\):\n {2}answered: /);
  assert.match(out, /Gas: [\d,]+ used of a bound of [\d,]+/);
  // Cancelling the dialog runs nothing.
  state.openDialogAnswer = undefined;
  assert.equal(await run("thwonk.dryRun"), undefined);
});

test("Thwonk: Run the rule's tests and Compile the rule", async () => {
  open("rules/auto_reply.thwonk");
  const t = (await run("thwonk.runTests")) as { passed: number; failed: number };
  assert.ok(t.passed >= 1 && t.failed === 0, JSON.stringify(t));
  assert.ok(runs().some((l) => l.startsWith("PASS ")));
  const c = (await run("thwonk.compile")) as { ok: boolean; bundle: string };
  assert.equal(c.ok, true);
  assert.ok(existsSync(dir.path("rules/auto_reply.thwb")));
  assert.deepEqual(state.saved.at(-1), dir.path("rules/auto_reply.thwonk"));
});

test("a command outside a .thwonk editor says what to do", async () => {
  state.activeFile = dir.path("rules/printer.eml");
  assert.equal(await run("thwonk.check"), undefined);
  assert.match(state.messages.at(-1)!.text, /open a \.thwonk rule/);
});

test("the server is restarted when it crashes", async () => {
  const client = api.client()!;
  const pid = client._serverProcess?.pid;
  assert.ok(pid, "no server process");
  process.kill(pid, "SIGKILL");
  const log = state.channels.get("Thwonk Language Server")!;
  const deadline = Date.now() + 20_000;
  while (!(log.some((l) => l.includes("restarting it")) && client.isRunning() && client._serverProcess?.pid !== pid)) {
    if (Date.now() > deadline) assert.fail(`not restarted: ${log.join("\n")}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  open("rules/auto_reply.thwonk");
  const ok = (await run("thwonk.check")) as { errors: number };
  assert.equal(ok.errors, 0);
});
