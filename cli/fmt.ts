/**
 * `thwonkc fmt FILE|DIR...`: the core's formatter over files. Rewrites
 * in place (only the files that change), `--check` lists the files that
 * would change (exit 1), `--stdout` prints the formatted text, `-` reads
 * stdin and writes stdout. A file that does not parse is refused with its
 * diagnostics (exit 1) and left as it is; one that is not UTF-8 too (exit 2,
 * once the other files are done).
 */
import { accessSync, chmodSync, chownSync, constants, readFileSync, realpathSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { formatText, TS_RULE_EXT, type Diagnostic } from "../compiler/index.js";
import { ExitCode } from "./exit-codes.js";
import { decodeUtf8, displayName, expandPaths, InputError } from "./files.js";
import { wantColor, type CliIo } from "./io.js";
import { renderPretty } from "./render/pretty.js";

export interface FmtOptions {
  check: boolean;
  stdout: boolean;
  color?: boolean | undefined;
}

/** Where `fmt -` reads from: the process's stdin unless a test gives the text. */
export interface FmtIo extends CliIo {
  readStdin?: () => string;
}

export function runFmt(paths: readonly string[], opts: FmtOptions, io: FmtIo): ExitCode {
  if (paths.includes("-")) {
    if (paths.length > 1) {
      io.stderr.write("thwonkc: `fmt -` formats stdin alone; give no other paths\n");
      return ExitCode.Usage;
    }
    let text: string;
    try {
      text = io.readStdin ? io.readStdin() : decodeUtf8(readFileSync(0), "<stdin>");
    } catch (err) {
      if (!(err instanceof InputError)) throw err;
      io.stderr.write(`thwonkc: ${err.message} (nothing written)\n`);
      return ExitCode.Usage;
    }
    const r = formatKeepingBom("<stdin>", text);
    if (!r.ok) return refuse(io, opts, [["<stdin>", text, r.diagnostics]]);
    if (opts.check) {
      if (r.changed) io.stdout.write("<stdin>\n");
      return r.changed ? ExitCode.Findings : ExitCode.Success;
    }
    io.stdout.write(r.text);
    return ExitCode.Success;
  }
  let files: string[];
  try {
    files = expandPaths(io.cwd, paths);
  } catch (err) {
    if (err instanceof InputError) {
      io.stderr.write(`thwonkc: ${err.message}\n`);
      return ExitCode.Usage;
    }
    throw err;
  }
  const refused: [string, string, Diagnostic[]][] = [];
  const changed: string[] = [];
  // A file that cannot be read or written is said and left as it is, and the others are still formatted (and, with
  // --check, listed): stopping there left the files after it unseen, and a --check run without its list.
  let failed = false;
  for (const abs of files) {
    const name = displayName(io.cwd, abs);
    // A TypeScript rule is the user's own formatter's (prettier, biome): thwonkc fmt leaves it as it is.
    if (abs.endsWith(TS_RULE_EXT)) {
      io.stderr.write(`thwonkc: ${name} left as it is: format a TypeScript rule with your own formatter\n`);
      continue;
    }
    let text: string;
    try {
      // Never written back through U+FFFD: the bytes it cannot read would be lost (a comment saved as Latin-1).
      text = decodeUtf8(readFileSync(abs), name);
    } catch (err) {
      io.stderr.write(`thwonkc: ${err instanceof InputError ? `${err.message} (left as it is)` : `cannot read ${name}: ${(err as Error).message}`}\n`);
      failed = true;
      continue;
    }
    const r = formatKeepingBom(name, text);
    if (!r.ok) {
      refused.push([name, text, r.diagnostics]);
      continue;
    }
    if (opts.stdout) io.stdout.write(r.text);
    if (!r.changed) continue;
    changed.push(name);
    if (opts.check || opts.stdout) continue;
    try {
      replaceText(abs, r.text);
    } catch (err) {
      io.stderr.write(`thwonkc: cannot write ${name}: ${(err as Error).message} (left as it was)\n`);
      failed = true;
    }
  }
  if (opts.check) for (const name of changed) io.stdout.write(`${name}\n`);
  const findings = refused.length > 0 ? refuse(io, opts, refused) : opts.check && changed.length > 0 ? ExitCode.Findings : ExitCode.Success;
  return failed ? ExitCode.Usage : findings;
}

/**
 * formatText, with a UTF-8 byte order mark kept where the file has one: the formatter's tree has no place for it, and
 * dropping it changed the file's encoding as editors read it (and made `--check` flag a formatted file).
 */
function formatKeepingBom(name: string, text: string): ReturnType<typeof formatText> {
  if (!text.startsWith("\ufeff")) return formatText(name, text);
  const r = formatText(name, text.slice(1));
  return r.ok ? { ...r, text: `\ufeff${r.text}` } : r;
}

/**
 * Puts `text` in place of the file's, never leaving it half-written: writing
 * in place truncates first, so a full disk or a file size limit left the rule
 * empty. The text goes to a new file beside it (beside a link's target), with
 * its mode and owner, which then takes its place in one rename. A file that
 * may not be written is refused (the rename alone would replace it anyway).
 */
function replaceText(abs: string, text: string): void {
  const real = realpathSync(abs);
  const st = statSync(real);
  accessSync(real, constants.W_OK);
  const tmp = join(dirname(real), `.${basename(real)}.${process.pid}.fmt`);
  try {
    writeFileSync(tmp, text, { flag: "wx" });
    chmodSync(tmp, st.mode & 0o7777);
    if (process.getuid?.() === 0 && (st.uid !== 0 || st.gid !== 0)) chownSync(tmp, st.uid, st.gid);
    renameSync(tmp, real);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}

/** Files that do not parse: their errors, on stderr (stdout may be the formatted text). */
function refuse(io: CliIo, opts: FmtOptions, refused: readonly [string, string, Diagnostic[]][]): ExitCode {
  const texts = new Map(refused.map(([name, text]) => [name, text] as const));
  const diags = refused.flatMap(([, , d]) => d);
  io.stderr.write(renderPretty(diags, texts, refused.length, { color: wantColor(io, io.stderr, opts.color) }));
  for (const [name] of refused) io.stderr.write(`thwonkc: ${name} was not formatted: fix its syntax errors first\n`);
  return ExitCode.Findings;
}
