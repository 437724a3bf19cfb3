/**
 * Running thwonkc as a user does: `node bin/thwonkc.js ...` in a child
 * process, on files written to a fresh temporary directory.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { repoRoot } from "./repo.js";

export const binPath = join(repoRoot, "bin", "thwonkc.js");

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  cwd: string;
  /** Added to the environment (NO_COLOR and FORCE_COLOR are removed first, so output is plain unless a test sets them). */
  env?: Record<string, string>;
}

export function runCli(args: readonly string[], opts: RunOptions): CliRun {
  const env: Record<string, string | undefined> = { ...process.env };
  delete env["NO_COLOR"];
  delete env["FORCE_COLOR"];
  Object.assign(env, opts.env ?? {});
  const r = spawnSync(process.execPath, [binPath, ...args], {
    cwd: opts.cwd,
    env,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
    timeout: 60_000,
  });
  if (r.error) throw r.error;
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A temporary directory holding `files` (relative paths → text). Call `remove()` when done. */
export interface TempDir {
  dir: string;
  path(rel: string): string;
  write(rel: string, text: string): string;
  remove(): void;
}

export function tempDir(files: Record<string, string> = {}): TempDir {
  const dir = mkdtempSync(join(tmpdir(), "thwonkc-test-"));
  const t: TempDir = {
    dir,
    path: (rel) => join(dir, rel),
    write(rel, text) {
      const p = join(dir, rel);
      mkdirSync(dirname(p), { recursive: true });
      writeFileSync(p, text);
      return p;
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
  for (const [rel, text] of Object.entries(files)) t.write(rel, text);
  return t;
}
