/**
 * Attacks on the install script (scripts/build-native.js): a compiler that fails, a binding.gyp gyp cannot read, a
 * node-gyp path that names nothing. Each install must end well (exit 0) with a reason a person can act on, not
 * node-gyp's closing lines (its versions and "not ok"), and a build that fails must not take away the addon an
 * earlier install built: thwonkd would quietly fall back to syncing each file. Then a thwonkd without its addon is
 * started for real and must say, on /v1/health, that it syncs each file and why. All on copies in a temporary
 * directory; the worktree's native/build is never touched.
 */
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { repoRoot } from "../helpers/repo.js";
import { workspace } from "./helpers.js";

const ADDON = join("native", "build", "Release", "thwonk_syncfs.node");
// Node's headers next to this node (a system or nvm install): node-gyp would otherwise fetch them from the network.
const nodedir = join(dirname(process.execPath), "..");
const headers = existsSync(join(nodedir, "include", "node", "node_api.h"));
const built = existsSync(join(repoRoot, ADDON));

/** A copy of the install script and native/, with the worktree's built addon as an earlier install left it. */
function copy(): string {
  const dir = mkdtempSync(join(tmpdir(), "thwonk-native-adv-"));
  mkdirSync(join(dir, "scripts"));
  cpSync(join(repoRoot, "scripts", "build-native.js"), join(dir, "scripts", "build-native.js"));
  mkdirSync(join(dir, "native", "build", "Release"), { recursive: true });
  for (const f of ["binding.gyp", "syncfs.c"]) cpSync(join(repoRoot, "native", f), join(dir, "native", f));
  cpSync(join(repoRoot, ADDON), join(dir, ADDON));
  return dir;
}

function install(dir: string, env: NodeJS.ProcessEnv): { status: number | null; stderr: string } {
  const r = spawnSync(process.execPath, [join(dir, "scripts", "build-native.js")], {
    encoding: "utf8",
    env: { ...process.env, THWONK_NO_NATIVE: "", npm_config_nodedir: nodedir, ...env },
    timeout: 60_000,
  });
  return { status: r.status, stderr: r.stderr };
}

/** The reason the script gave, which must be more than node-gyp's closing lines. */
function reason(stderr: string): string {
  const m = /thwonk: native\/ not (?:re)?built \((.*)\)/.exec(stderr);
  assert.ok(m, `no reason given: ${stderr}`);
  assert.doesNotMatch(m[1]!, /node -v|node-gyp -v|not ok|gyp ERR! (System|command|cwd)/, "node-gyp's closing lines are no reason");
  return m[1]!;
}

const skip = process.platform !== "linux" || !headers || !built;

test("a compiler that fails: the install ends well, says the build failed, and keeps the addon built before", { skip }, () => {
  const dir = copy();
  try {
    const before = readFileSync(join(dir, ADDON));
    const r = install(dir, { CC: "/bin/false", CXX: "/bin/false" });
    assert.equal(r.status, 0, r.stderr);
    assert.match(reason(r.stderr), /make|failed|Error/);
    assert.ok(existsSync(join(dir, ADDON)), "the failed build removed the addon an earlier install built");
    assert.deepEqual(readFileSync(join(dir, ADDON)), before);
    // An install stopped while its build was set aside (build/ half made, the addon in build.earlier/): the next
    // install that fails puts that one back.
    cpSync(join(dir, "native", "build"), join(dir, "native", "build.earlier"), { recursive: true });
    rmSync(join(dir, ADDON));
    const again = install(dir, { CC: "/bin/false", CXX: "/bin/false" });
    assert.equal(again.status, 0, again.stderr);
    assert.deepEqual(readFileSync(join(dir, ADDON)), before);
    assert.equal(existsSync(join(dir, "native", "build.earlier")), false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a binding.gyp gyp cannot read, and a node-gyp path that names nothing: each ends well with its reason", { skip }, () => {
  const dir = copy();
  try {
    writeFileSync(join(dir, "native", "binding.gyp"), "{ 'targets': [ { 'target_name': ");
    const r = install(dir, { npm_config_node_gyp: join(dir, "no-such", "node-gyp.js") });
    assert.equal(r.status, 0, r.stderr);
    assert.match(reason(r.stderr), /binding\.gyp|SyntaxError|gyp/i);
    assert.ok(existsSync(join(dir, ADDON)));
    // Without an earlier build, a failed one leaves none, and says thwonkd syncs each file.
    rmSync(join(dir, "native", "build"), { recursive: true });
    const bare = install(dir, {});
    assert.equal(bare.status, 0, bare.stderr);
    assert.match(bare.stderr, /thwonkd syncs each outbox file on its own instead/);
    assert.equal(existsSync(join(dir, ADDON)), false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

const asNobody = process.getuid?.() === 0 && spawnSync("sh", ["-c", "command -v runuser"]).status === 0;

test("THWONK_NO_NATIVE over an earlier build: the install says the build is kept and used, not that thwonkd syncs each file", { skip }, () => {
  const dir = copy();
  try {
    const r = install(dir, { THWONK_NO_NATIVE: "1" });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /native\/ not rebuilt \(THWONK_NO_NATIVE is set\); the earlier build is kept, and thwonkd uses it/);
    assert.doesNotMatch(r.stderr, /syncs each outbox file on its own/);
    assert.ok(existsSync(join(dir, ADDON)));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a native/ the installing user cannot write: the install ends well, and the earlier build stays", { skip: skip || !asNobody }, () => {
  const dir = copy();
  try {
    const before = readFileSync(join(dir, ADDON));
    // Root writes anywhere: the install runs as nobody, over a copy it may read and not change.
    spawnSync("chmod", ["-R", "a+rX", dir]);
    spawnSync("chmod", ["555", join(dir, "native")]);
    const r = spawnSync("runuser", ["-u", "nobody", "--", "env", `npm_config_nodedir=${nodedir}`, `HOME=${dir}`, "THWONK_NO_NATIVE=", process.execPath, join(dir, "scripts", "build-native.js")], {
      encoding: "utf8",
      cwd: dir,
      timeout: 60_000,
    });
    assert.equal(r.status, 0, r.stderr);
    reason(r.stderr);
    assert.match(r.stderr, /the earlier build is kept/);
    assert.deepEqual(readFileSync(join(dir, ADDON)), before);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("thwonkd with no addon built runs, and /v1/health says it syncs each file and why", { skip: process.platform !== "linux" || !built }, async () => {
  // A copy of what thwonkd runs from (bin/, dist/ without the tests, node_modules linked), with native/ not built.
  const root = mkdtempSync(join(tmpdir(), "thwonk-nonative-"));
  const ws = workspace({ trim140: { example: "trim140", members: [{ address: "ann@example.net" }] } });
  let proc: ReturnType<typeof spawn> | undefined;
  try {
    cpSync(join(repoRoot, "bin"), join(root, "bin"), { recursive: true });
    cpSync(join(repoRoot, "package.json"), join(root, "package.json"));
    cpSync(join(repoRoot, "dist"), join(root, "dist"), { recursive: true, filter: (src) => !src.endsWith(".map") && !src.startsWith(join(repoRoot, "dist", "test")) });
    symlinkSync(join(repoRoot, "node_modules"), join(root, "node_modules"));
    mkdirSync(join(root, "native"));
    cpSync(join(repoRoot, "native", "syncfs.c"), join(root, "native", "syncfs.c"));
    const p = spawn(
      process.execPath,
      [join(root, "bin", "thwonkd.js"), "--data", ws.data, "--smtp", "127.0.0.1:0", "--http", "127.0.0.1:0", "--deploy", ws.rules, "--domain", "example.org", "--workers", "1"],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    proc = p;
    let err = "";
    p.stderr!.on("data", (c: Buffer) => (err += c.toString()));
    const ports = await new Promise<{ http: number }>((resolve, reject) => {
      let out = "";
      p.stdout!.on("data", (c: Buffer) => {
        out += c.toString();
        if (out.includes("\n")) resolve(JSON.parse(out.slice(0, out.indexOf("\n"))) as { http: number });
      });
      p.on("exit", (code) => reject(new Error(`thwonkd exited with ${code}: ${err}`)));
    });
    const health = (await (await fetch(`http://127.0.0.1:${ports.http}/v1/health`)).json()) as { outboxSync: string };
    assert.match(health.outboxSync, /^fdatasync \(each file: native\/ was not built \(npm install builds it where a C compiler is\): Cannot find module/);
  } finally {
    if (proc && proc.exitCode === null) {
      const exited = new Promise((r) => proc!.once("exit", r));
      proc.kill("SIGTERM");
      await exited;
    }
    rmSync(root, { recursive: true, force: true });
    rmSync(ws.dir, { recursive: true, force: true });
  }
});
