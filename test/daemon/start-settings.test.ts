/**
 * Settings as a list owner writes them, to a real thwonkd (bin/thwonkd.js).
 *
 * Flags given more than once: `--deploy A --deploy B` deploys the rules of both directories (as `deploy` in the
 * config file is a list), and `--dkim` given once per domain loads every key. Before, the last one given won and the
 * others were dropped without a word: a list owner found half the lists missing, or a domain's mail unsigned.
 *
 * A log level that is no level (`THWONKD_LOG_LEVEL=verbose`), a listener that is no HOST:PORT (`--http nonsense`) and a
 * relay that is no smtp:// URL are refused in one line, exit 2, before anything is made, as any bad setting: the first
 * two were stack traces (exit 1), the relay was found only at the first delivery.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { repoRoot } from "../helpers/repo.js";
import { ConfigError, MAX_WORKERS, resolveConfig } from "../../runtime/daemon/config.js";
import { startDaemon, workspace } from "./helpers.js";

test("--deploy twice: the rules of both directories are deployed", async () => {
  const ws = workspace({ trim140: { example: "trim140" } });
  const other = workspace({ digest: { example: "digest" } });
  // startDaemon gives `--deploy ws.rules`; this is the second.
  const d = await startDaemon(ws, { args: ["--deploy", other.rules] });
  try {
    const lists = (d.ports as unknown as { lists: string[] }).lists;
    assert.deepEqual([...lists].sort(), ["digest@example.org", "trim140@example.org"]);
  } finally {
    assert.equal(await d.stop(), 0);
    rmSync(ws.dir, { recursive: true, force: true });
    rmSync(other.dir, { recursive: true, force: true });
  }
});

function thwonkd(args: string[]) {
  return spawnSync(process.execPath, [join(repoRoot, "bin", "thwonkd.js"), ...args, "--smtp", "127.0.0.1:0", "--http", "127.0.0.1:0"], {
    encoding: "utf8",
    timeout: 60_000,
    env: { ...process.env, THWONKD_LOG_LEVEL: "error" },
  });
}

test("each --deploy is checked: a missing first directory is refused (TW6030), not passed over for the second", () => {
  const ws = workspace({ trim140: { example: "trim140" } });
  try {
    const r = thwonkd(["--data", ws.data, "--deploy", join(ws.dir, "rulez"), "--deploy", ws.rules]);
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /^thwonkd: TW6030 Cannot start: --deploy .*rulez: there is no such directory/);
  } finally {
    rmSync(ws.dir, { recursive: true, force: true });
  }
});

test("--dkim once per domain: every key is loaded, so a first key that cannot be read stops the start", () => {
  const dir = mkdtempSync(join(tmpdir(), "thwonkd-dkim-"));
  try {
    const good = join(dir, "b.pem");
    writeFileSync(good, generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs8", format: "pem" }));
    const missing = join(dir, "a.pem");
    const r = thwonkd(["--data", join(dir, "data"), "--dkim", `a.example.org=s1:${missing}`, "--dkim", `b.example.org=s1:${good}`]);
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /dkim\.a\.example\.org\.keyFile .*a\.pem cannot be read/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a log level that is no level: one line naming the levels, exit 2, from the variable and the config file alike", () => {
  const dir = mkdtempSync(join(tmpdir(), "thwonkd-level-"));
  try {
    const r = spawnSync(process.execPath, [join(repoRoot, "bin", "thwonkd.js"), "--data", join(dir, "data"), "--smtp", "127.0.0.1:0", "--http", "127.0.0.1:0"], {
      encoding: "utf8",
      timeout: 60_000,
      env: { ...process.env, THWONKD_LOG_LEVEL: "verbose" },
    });
    assert.equal(r.status, 2, r.stderr);
    assert.equal(r.stderr, 'thwonkd: THWONKD_LOG_LEVEL: logLevel must be one of trace, debug, info, warn, error, fatal, silent, got "verbose"\n');
    const config = join(dir, "c.json");
    writeFileSync(config, JSON.stringify({ logLevel: 3 }));
    const f = thwonkd(["--data", join(dir, "data"), "--config", config]);
    assert.equal(f.status, 2, f.stderr);
    assert.match(f.stderr, /^thwonkd: .*c\.json: logLevel must be one of .*, got 3\n$/);
    // A level in capitals is that level.
    const ok = spawnSync(process.execPath, [join(repoRoot, "bin", "thwonkd.js"), "--data", join(dir, "data"), "--smtp", "127.0.0.1:0", "--http", "999.0.0.1:0"], {
      encoding: "utf8",
      timeout: 60_000,
      env: { ...process.env, THWONKD_LOG_LEVEL: "WARN" },
    });
    assert.doesNotMatch(ok.stderr, /logLevel/, ok.stderr);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a listener that is no HOST:PORT, or a relay that is no smtp:// URL: one line, exit 2, before anything is made", () => {
  const dir = mkdtempSync(join(tmpdir(), "thwonkd-listen-"));
  try {
    const data = join(dir, "data");
    const cases: [string[], RegExp][] = [
      [["--http", "nonsense"], /^thwonkd: --http "nonsense" is not HOST:PORT/],
      [["--smtp", "127.0.0.1:99999"], /^thwonkd: --smtp "127\.0\.0\.1:99999" is not HOST:PORT/],
      [["--lmtp", "127.0.0.1:2424x"], /^thwonkd: --lmtp "127\.0\.0\.1:2424x" is not HOST:PORT/],
      [["--relay", "notaurl"], /^thwonkd: --relay: relay must be smtp:\/\/HOST:PORT .*got "notaurl"/],
      [["--relay", "ftp://relay.example.org"], /^thwonkd: --relay: relay must be smtp:\/\/HOST:PORT/],
    ];
    for (const [args, said] of cases) {
      // The flag given last wins over thwonkd()'s own --smtp and --http.
      const r = spawnSync(process.execPath, [join(repoRoot, "bin", "thwonkd.js"), "--data", data, "--smtp", "127.0.0.1:0", "--http", "127.0.0.1:0", ...args], {
        encoding: "utf8",
        timeout: 60_000,
        env: { ...process.env, THWONKD_LOG_LEVEL: "error" },
      });
      assert.equal(r.status, 2, `${args.join(" ")}: ${r.stderr}`);
      assert.match(r.stderr, said);
      assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
      assert.equal(existsSync(data), false, "nothing made");
    }
    // The same from a config file, named by its file and setting.
    const config = join(dir, "c.json");
    writeFileSync(config, JSON.stringify({ http: "localhost" }));
    const g = spawnSync(process.execPath, [join(repoRoot, "bin", "thwonkd.js"), "--data", data, "--config", config], { encoding: "utf8", timeout: 60_000 });
    assert.equal(g.status, 2, g.stderr);
    assert.match(g.stderr, /^thwonkd: .*c\.json: http "localhost" is not HOST:PORT/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("--workers past the most a machine could use is refused with the other settings, not started thread by thread", () => {
  assert.equal(resolveConfig({ data: "d", workers: String(MAX_WORKERS) }, {}).workers, MAX_WORKERS);
  for (const [flags, env] of [[{ data: "d", workers: "1000000" }, {}], [{ data: "d" }, { THWONKD_WORKERS: String(MAX_WORKERS + 1) }]] as const) {
    assert.throws(() => resolveConfig(flags, env), (e: unknown) => e instanceof ConfigError && /workers must be at most 256 .*got \d+$/.test(e.message));
  }
});
