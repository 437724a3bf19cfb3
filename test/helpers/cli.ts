/**
 * Running thwonkc as a user does, on files written to a fresh temporary
 * directory: in-process through `main(args, io)` (what the bin runs, without
 * the cost of starting node for every case), and as a real child process
 * `node bin/thwonkc.js ...` for the few smoke tests that cover the bin, the
 * bundle and the process's exit code.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { BufferStream } from "../../cli/io.js";
import { main } from "../../cli/main.js";
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

function environment(opts: RunOptions): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = { ...process.env };
  delete env["NO_COLOR"];
  delete env["FORCE_COLOR"];
  Object.assign(env, opts.env ?? {});
  return env;
}

/** `thwonkc ARGS` in this process: its exit code and what it printed (to streams that are not terminals). */
export async function runCli(args: readonly string[], opts: RunOptions): Promise<CliRun & { code: number }> {
  const stdout = new BufferStream(false);
  const stderr = new BufferStream(false);
  const code = await main(args, { cwd: opts.cwd, env: environment(opts), stdout, stderr });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

/** `node bin/thwonkc.js ARGS` in a child process, as a shell runs it. */
export function runCliProcess(args: readonly string[], opts: RunOptions): CliRun {
  const r = spawnSync(process.execPath, [binPath, ...args], {
    cwd: opts.cwd,
    env: environment(opts),
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
