/**
 * `thwonkc check FILE|DIR...`: read the files, hand them to the core, print
 * what it found. The core decides what is wrong; this file decides only
 * which files to read, which diagnostics to show, how, and the exit code.
 */
import { allMessages, checkAgainstDeployed, checkSources, type Diagnostic, type ProgramResult } from "../compiler/index.js";
import { RUN_OUTPUT_KEY, RUN_OUTPUT_VERSION, STATE_ANSWER_KEY, STATE_ANSWER_VERSION, stateOfFile, type SavedState } from "../contract/index.js";
import { ExitCode } from "./exit-codes.js";
import { InputError, loadSources } from "./files.js";
import { wantColor, type CliIo } from "./io.js";
import { renderPretty } from "./render/pretty.js";
import { renderJson } from "./render/json.js";
import { renderSarif } from "./render/sarif.js";
import { THWONKC_VERSION } from "./version.js";
import { costJson, renderCost } from "./render/cost.js";
import { readUserFile } from "./rule-files.js";

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
  /** The deployed bundle the rule must be able to replace (`--against OLD.thwb`), with what the check may know of the stored data. */
  against?: AgainstOptions | undefined;
}

export interface AgainstOptions {
  bundle: string;
  /** The stored state (`--state FILE.json`, as `run --json` prints it). */
  state?: string | undefined;
  /** The list's member count (`--member-count N`). */
  memberCount?: number | undefined;
  allowDataLoss?: boolean | undefined;
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
  let all = result.diagnostics;
  if (opts.against) {
    const units = reportedUnits(result, loaded.context);
    if (units.length !== 1) {
      io.stderr.write(`thwonkc: --against compares one rule with its deployed bundle; ${units.length} rules were given\n`);
      return ExitCode.Usage;
    }
    let compat: Diagnostic[];
    try {
      compat = againstDeployed(io, units[0]!, loaded.sources, opts.against);
    } catch (err) {
      if (err instanceof InputError) {
        io.stderr.write(`thwonkc: ${err.message}\n`);
        return ExitCode.Usage;
      }
      throw err;
    }
    all = [...all, ...compat];
  }
  const diags = selectDiagnostics(all, loaded.context, opts.strict);
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

/**
 * `--against OLD.thwb`: the changes the deployed version's stored state could
 * not take. Nothing to compare when the rule itself has errors (they are
 * reported already).
 */
function againstDeployed(io: CliIo, unit: ProgramResult["units"][number], sources: readonly { fileName: string; text: string }[], a: AgainstOptions): Diagnostic[] {
  if (!unit.verify || unit.check.diagnostics.some((d) => d.severity === "error")) return [];
  const text = sources.find((s) => s.fileName === unit.rule.fileName)?.text ?? "";
  const deployed = readUserFile(io.cwd, a.bundle, "the deployed bundle");
  return checkAgainstDeployed(unit, text, { fileName: deployed.name, text: deployed.text }, {
    allowDataLoss: a.allowDataLoss === true,
    state: a.state === undefined ? undefined : readSavedState(io, a.state, [...unit.check.model.state.map((f) => f.name), ...deployedFields(deployed.text)]),
    memberCount: a.memberCount,
  });
}

/** The state fields the deployed bundle's manifest names, as far as it can be read ([] otherwise: the check says why). */
function deployedFields(text: string): string[] {
  try {
    const state = (JSON.parse(text) as { manifest?: { state?: unknown } }).manifest?.state;
    return Array.isArray(state) ? state.map((f: { name?: unknown }) => String(f?.name)) : [];
  } catch {
    return [];
  }
}

/**
 * A stored state file: `{ FIELD: value }`, what `thwonkc state ADDRESS --json` printed (told by its "thwonk-state"
 * key, which no state can have; its `state` null, none stored, is an empty state), or the whole output of `run --json`
 * (told by its "thwonk-run" key; one printed before that key by its five keys, when `declared`, the fields of the new
 * and the deployed version, lack one of them: contract/state.ts `stateOfFile`).
 */
function readSavedState(io: CliIo, arg: string, declared: readonly string[]): SavedState {
  const f = readUserFile(io.cwd, arg, "the state file");
  let data: unknown;
  try {
    data = JSON.parse(f.text);
  } catch (e) {
    throw new InputError(`the state file ${arg} is not valid JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  const isObj = (x: unknown): x is Record<string, unknown> => typeof x === "object" && x !== null && !Array.isArray(x);
  const file = stateOfFile(data, declared);
  if ("unread" in file) {
    throw new InputError(
      file.from === "answer"
        ? `the state file ${arg} has "${STATE_ANSWER_KEY}": ${JSON.stringify(file.version).slice(0, 40)} but is not the answer of \`thwonkc state ADDRESS --json\` this thwonkc reads (version ${STATE_ANSWER_VERSION}, with "state"); give its "state" alone`
        : `the state file ${arg} has "${RUN_OUTPUT_KEY}": ${JSON.stringify(file.version).slice(0, 40)} but is not the output of \`thwonkc run --json\` this thwonkc reads (version ${RUN_OUTPUT_VERSION}, with "state"); give its "state" alone`,
    );
  }
  if (file.from === "run" && file.state === null) throw new InputError(`the run saved in ${arg} failed, so it has no state to check`);
  data = file.from === "answer" && file.state === null ? {} : file.state;
  if (!isObj(data)) throw new InputError(`the state file ${arg} must hold a JSON object: { "FIELD": value, ... }`);
  return data;
}
