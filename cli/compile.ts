/**
 * `thwonkc compile FILE|DIR... [-o OUT]`: each rule → `NAME.thwb`, the
 * bundle the daemon deploys (manifest, source, gas-metered code, sha256).
 *
 * - A directory stands for every rule inside it (test files are not rules).
 * - `-o DIR` writes every bundle into DIR (made if missing); `-o FILE.thwb`
 *   names the bundle of a single rule; without `-o`, each bundle is written
 *   next to its rule.
 * - A rule with errors gets no bundle: its diagnostics are printed and the
 *   exit code is 1 (the other rules are still compiled).
 */
import { existsSync, mkdirSync, statSync, writeFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { isTestFile, serializeBundle, triggerAsDeclared, TS_RULE_EXT, type Diagnostic } from "../compiler/index.js";
import { ExitCode } from "./exit-codes.js";
import { displayName, expandPaths, InputError, SOURCE_EXT } from "./files.js";
import { wantColor, type CliIo } from "./io.js";
import { renderPretty } from "./render/pretty.js";
import { BUNDLE_EXT, compileGuarded, readUserFile } from "./rule-files.js";
import { selectDiagnostics } from "./check.js";

export interface CompileOptions {
  out?: string | undefined;
  strict: boolean;
  color?: boolean | undefined;
}

/** `dir/once.thwonk` → `once`; `dir/once.ts` → `once`, or `once.ts` when its twin `dir/once.thwonk` is there too (the two bundles never clash). */
function stem(file: string): string {
  const b = basename(file);
  if (b.endsWith(SOURCE_EXT)) return b.slice(0, -SOURCE_EXT.length);
  if (b.endsWith(TS_RULE_EXT) && existsSync(file.slice(0, -TS_RULE_EXT.length) + SOURCE_EXT)) return b;
  return b.replace(/\.[^.]*$/, "");
}

export function runCompile(paths: readonly string[], opts: CompileOptions, io: CliIo): ExitCode {
  let rules: string[];
  try {
    rules = expandPaths(io.cwd, paths).filter((f) => !isTestFile(f));
    if (rules.length === 0) throw new InputError(`no rules to compile in ${paths.join(", ")} (only test files)`);
  } catch (err) {
    if (err instanceof InputError) {
      io.stderr.write(`thwonkc: ${err.message}\n`);
      return ExitCode.Usage;
    }
    throw err;
  }

  // Where each bundle goes, decided (and checked for clashes) before anything is written.
  let outDir: string | undefined;
  let outFile: string | undefined;
  if (opts.out !== undefined) {
    const abs = resolve(io.cwd, opts.out);
    let isDir = false;
    try {
      isDir = statSync(abs).isDirectory();
    } catch {
      // Does not exist yet: a file when it ends in .thwb, a directory otherwise.
    }
    if (!isDir && abs.toLowerCase().endsWith(BUNDLE_EXT)) {
      if (rules.length > 1) {
        io.stderr.write(`thwonkc: -o ${opts.out} names one bundle, but ${rules.length} rules were given; give a directory instead\n`);
        return ExitCode.Usage;
      }
      outFile = abs;
    } else {
      outDir = abs;
    }
  }
  const targets = rules.map((r) => outFile ?? join(outDir ?? dirname(r), stem(r) + BUNDLE_EXT));
  const seen = new Map<string, string>();
  for (let i = 0; i < rules.length; i++) {
    const other = seen.get(targets[i]!);
    if (other !== undefined) {
      io.stderr.write(`thwonkc: ${displayName(io.cwd, other)} and ${displayName(io.cwd, rules[i]!)} would both be written to ${displayName(io.cwd, targets[i]!)}; compile them into different directories\n`);
      return ExitCode.Usage;
    }
    seen.set(targets[i]!, rules[i]!);
  }

  const shown: Diagnostic[] = [];
  const texts = new Map<string, string>();
  const written: string[] = [];
  const refused: string[] = [];
  for (let i = 0; i < rules.length; i++) {
    let src;
    try {
      src = readUserFile(io.cwd, rules[i]!);
    } catch (err) {
      if (err instanceof InputError) {
        io.stderr.write(`thwonkc: ${err.message}\n`);
        return ExitCode.Usage;
      }
      throw err;
    }
    texts.set(src.name, src.text);
    const r = compileGuarded(src.name, src.text);
    const diags = selectDiagnostics(r.diagnostics, new Set(), opts.strict);
    shown.push(...diags);
    if (!r.bundle || diags.some((d) => d.severity === "error")) {
      refused.push(src.name);
      continue;
    }
    const target = targets[i]!;
    try {
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, serializeBundle(r.bundle));
    } catch (err) {
      io.stderr.write(`thwonkc: cannot write ${displayName(io.cwd, target)}: ${(err as Error).message}\n`);
      return ExitCode.Usage;
    }
    const bundle = r.bundle;
    const triggers = bundle.manifest.triggers.map((t) => triggerAsDeclared(t.name, bundle.source.fileName)).join(", ");
    written.push(`${src.name} → ${displayName(io.cwd, target)}  (rule ${r.bundle.manifest.rule}; ${triggers}; sha256 ${r.bundle.sha256.slice(0, 12)}…)`);
  }

  const color = wantColor(io, io.stdout, opts.color);
  if (shown.length > 0) io.stdout.write(renderPretty(shown, texts, rules.length, { color }) + "\n");
  for (const w of written) io.stdout.write(`compiled ${w}\n`);
  for (const f of refused) io.stdout.write(`not compiled ${f}: it has errors\n`);
  io.stdout.write(`${written.length} bundle${written.length === 1 ? "" : "s"} written${refused.length ? `, ${refused.length} rule${refused.length === 1 ? "" : "s"} refused` : ""}\n`);
  return refused.length > 0 ? ExitCode.Findings : ExitCode.Success;
}
