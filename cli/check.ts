/**
 * `thwonkc check FILE|DIR...`: read the files, hand them to the core, print
 * what it found. The core decides what is wrong; this file decides only
 * which files to read, which diagnostics to show, how, and the exit code.
 */
import { allMessages, checkSources, type Diagnostic, type ProgramResult } from "../compiler/index.js";
import { ExitCode } from "./exit-codes.js";
import { InputError, loadSources } from "./files.js";
import { wantColor, type CliIo } from "./io.js";
import { renderPretty } from "./render/pretty.js";
import { renderJson } from "./render/json.js";
import { renderSarif } from "./render/sarif.js";
import { THWONKC_VERSION } from "./version.js";
import { costJson, renderCost } from "./render/cost.js";

export type Format = "pretty" | "json" | "sarif";

export interface CheckOptions {
  format: Format;
  /** Warnings count, and are shown, as errors. */
  strict: boolean;
  /** `--color` / `--no-color`; undefined decides from the environment. */
  color?: boolean | undefined;
  /** After the diagnostics, each trigger's worst-case cost and why (`--cost`). */
  cost?: boolean;
  /** The daemon's ceilings on `budget` and `fanout` (`--ceiling budget=N,fanout=N`, see ceilings.ts). */
  ceilings?: Partial<Record<string, number>> | undefined;
}

/**
 * The diagnostics to report: not those of rule files loaded only as the
 * context of a test file (a diagnostic without a known file is kept, so
 * nothing the core says is lost). With `strict`, warnings become errors.
 */
export function selectDiagnostics(all: readonly Diagnostic[], context: ReadonlySet<string>, strict: boolean): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const d of all) {
    if (context.has(d.span.file)) continue;
    out.push(strict && d.severity === "warning" ? { ...d, severity: "error" } : d);
  }
  return out;
}

export function runCheck(paths: readonly string[], opts: CheckOptions, io: CliIo): ExitCode {
  let loaded;
  try {
    loaded = loadSources(io.cwd, paths);
  } catch (err) {
    if (err instanceof InputError) {
      io.stderr.write(`thwonkc: ${err.message}\n`);
      return ExitCode.Usage;
    }
    throw err;
  }
  if (opts.cost && opts.format === "sarif") {
    io.stderr.write("thwonkc: --cost works with --format pretty or json, not sarif\n");
    return ExitCode.Usage;
  }
  const result = checkSources(loaded.sources, opts.ceilings ? { verifyOptions: { ceilings: opts.ceilings } } : {});
  const diags = selectDiagnostics(result.diagnostics, loaded.context, opts.strict);
  switch (opts.format) {
    case "json":
      if (opts.cost) {
        const body = { diagnostics: JSON.parse(renderJson(diags)) as unknown, cost: costJson(reportedUnits(result, loaded.context)) };
        io.stdout.write(JSON.stringify(body, null, 2) + "\n");
      } else {
        io.stdout.write(renderJson(diags));
      }
      break;
    case "sarif":
      io.stdout.write(renderSarif(diags, { toolVersion: THWONKC_VERSION, rules: allMessages, cwd: io.cwd }));
      break;
    case "pretty": {
      const texts = new Map(loaded.sources.map((s) => [s.fileName, s.text] as const));
      const color = wantColor(io, io.stdout, opts.color);
      io.stdout.write(renderPretty(diags, texts, loaded.reported.size, { color }));
      if (opts.cost) io.stdout.write(renderCost(reportedUnits(result, loaded.context), { color }));
      break;
    }
  }
  return diags.some((d) => d.severity === "error") ? ExitCode.Findings : ExitCode.Success;
}

/** The rules the user asked about (not those loaded only as the context of a test file). */
function reportedUnits(result: ProgramResult, context: ReadonlySet<string>): ProgramResult["units"] {
  return result.units.filter((u) => !context.has(u.rule.fileName));
}
