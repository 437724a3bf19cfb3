/**
 * A start on what cannot be used: a real thwonkd (bin/thwonkd.js) given a --deploy directory that is not there or
 * is a file, a --data that is a file, or a data directory whose store is not SQLite's. It says what and why in one
 * line (TW6030), with no stack trace, exits 2, and leaves the store it was given as it was.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { repoRoot } from "../helpers/repo.js";

function thwonkd(args: string[]) {
  return spawnSync(process.execPath, [join(repoRoot, "bin", "thwonkd.js"), ...args, "--smtp", "127.0.0.1:0", "--http", "127.0.0.1:0"], {
    encoding: "utf8",
    timeout: 60_000,
    env: { ...process.env, THWONKD_LOG_LEVEL: "error" },
  });
}

function refused(r: ReturnType<typeof thwonkd>, said: RegExp): void {
  assert.equal(r.status, 2, r.stderr);
  assert.equal(r.stdout, "", "no ports line: the start did not complete");
  assert.match(r.stderr, said);
  assert.doesNotMatch(r.stderr, /\n\s+at /, "no stack trace");
  assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
}

test("a --deploy directory that is not there, or is a file: TW6030 names it, exit 2, before anything is made", () => {
  const dir = mkdtempSync(join(tmpdir(), "thwonkd-start-"));
  try {
    const data = join(dir, "data");
    refused(thwonkd(["--data", data, "--deploy", join(dir, "rulez")]), /^thwonkd: TW6030 Cannot start: --deploy .*rulez: there is no such directory\. Give the directory that holds the rules/);
    writeFileSync(join(dir, "rules"), "not a directory");
    refused(thwonkd(["--data", data, "--deploy", join(dir, "rules")]), /^thwonkd: TW6030 Cannot start: --deploy .*rules: it is not a directory\./);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a --data that is a file, and a store that is not SQLite's: TW6030 says which, exit 2, and the file is left as it was", () => {
  const dir = mkdtempSync(join(tmpdir(), "thwonkd-start-"));
  try {
    const file = join(dir, "data");
    writeFileSync(file, "a file");
    refused(thwonkd(["--data", file]), /^thwonkd: TW6030 Cannot start: --data .*data: it is a file, not a directory\./);
    assert.equal(readFileSync(file, "utf8"), "a file");

    const data = join(dir, "other");
    mkdirSync(data);
    const junk = "this is not a database, and thwonkd must not make it one ".repeat(20);
    writeFileSync(join(data, "thwonkd.sqlite"), junk);
    refused(thwonkd(["--data", data]), /^thwonkd: TW6030 Cannot start: the store in .*other cannot be used \(file is not a database\)\. Is --data the right directory\?/);
    assert.equal(readFileSync(join(data, "thwonkd.sqlite"), "utf8"), junk);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
