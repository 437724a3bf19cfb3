/**
 * `thwonkc inspect BUNDLE [--json]`: what a bundle holds and promises, read
 * from its manifest after proving it untampered (readBundle: the sha256,
 * and the source recompiled by this thwonkc gives the same code and bounds).
 * A bundle that fails any check is reported with its TW4xxx diagnostic and
 * exit code 1, never described.
 */
import { createColors } from "picocolors";
import { readBundle, triggerAsDeclared, typeAsDeclared, type Bundle, type Manifest } from "../compiler/index.js";
import { ExitCode } from "./exit-codes.js";
import { InputError } from "./files.js";
import { wantColor, type CliIo } from "./io.js";
import { toJson } from "./render/json.js";
import { renderPretty } from "./render/pretty.js";
import { readUserFile } from "./rule-files.js";
import { groupDigits } from "../contract/numbers.js";

export interface InspectOptions {
  json: boolean;
  color?: boolean | undefined;
}

export function runInspect(path: string, opts: InspectOptions, io: CliIo): ExitCode {
  let file;
  try {
    file = readUserFile(io.cwd, path);
  } catch (err) {
    if (err instanceof InputError) {
      io.stderr.write(`thwonkc: ${err.message}\n`);
      return ExitCode.Usage;
    }
    throw err;
  }
  const r = readBundle(file.name, file.text);
  const color = wantColor(io, io.stdout, opts.color);
  if (!r.bundle) {
    if (opts.json) io.stdout.write(JSON.stringify({ file: file.name, diagnostics: r.diagnostics.map(toJson) }, null, 2) + "\n");
    else io.stdout.write(renderPretty(r.diagnostics, new Map(), 1, { color }));
    return ExitCode.Findings;
  }
  if (opts.json) io.stdout.write(JSON.stringify(inspectJson(file.name, file.text, r.bundle), null, 2) + "\n");
  else io.stdout.write(renderManifest(file.name, file.text, r.bundle, color));
  return ExitCode.Success;
}

/** `--json`: the manifest as the bundle has it, with what identifies the bundle around it. */
export function inspectJson(file: string, text: string, b: Bundle): object {
  return {
    file,
    bytes: Buffer.byteLength(text, "utf8"),
    format: b.format,
    sha256: b.sha256,
    source: { fileName: b.source.fileName, lines: b.source.text.split(/\r\n|\r|\n/).length },
    code: { target: b.code.target, bytes: Buffer.byteLength(b.code.text, "utf8") },
    manifest: b.manifest,
    diagnostics: [],
  };
}

const n = (x: number): string => groupDigits(x);

function unitWord(value: number, unit: string): string {
  // "members" and "characters" read as nouns already; a singular value keeps the unit as declared.
  return value === 1 && unit.endsWith("s") && unit !== "ms" ? unit.slice(0, -1) : unit;
}

export function renderManifest(file: string, text: string, b: Bundle, color: boolean): string {
  const c = createColors(color);
  const m: Manifest = b.manifest;
  const out: string[] = [];
  const row = (k: string, v: string): void => void out.push(`${c.bold(k.padEnd(13))}${v}`);
  row("bundle", `${file} (${n(Buffer.byteLength(text, "utf8"))} bytes)`);
  row("rule", `${m.rule} (source ${b.source.fileName})`);
  row("format", `${m.format}, code ${m.target}`);
  row("versions", `thwonkc ${m.compiler}, stdlib ${m.stdlib}, cost table ${m.costTable}`);
  row("sha256", `${b.sha256} (verified)`);
  row("capabilities", m.capabilities.length ? m.capabilities.join(", ") : "none");

  out.push("", c.bold(`triggers (${m.triggers.length})`));
  // Triggers and types as the rule's source declares them (`onMessage` in a `.ts` rule); `--json` keeps the manifest's names.
  const source = b.source.fileName;
  for (const t of m.triggers) {
    out.push(`  ${c.bold(triggerAsDeclared(t.name, source))}`);
    const cost = t.cost as { gas?: { formula?: unknown }; fanout?: { formula?: unknown } } | null;
    const formula = (f: unknown, value: number): string => (typeof f === "string" && f !== String(value) ? `  ${c.dim(`= ${f}`)}` : "");
    out.push(`    gas       ≤ ${n(t.gasBound)}${formula(cost?.gas?.formula, t.gasBound)}`);
    out.push(`    fan-out   ≤ ${n(t.fanoutBound)} message${t.fanoutBound === 1 ? "" : "s"}${formula(cost?.fanout?.formula, t.fanoutBound)}`);
    out.push(`    may       ${t.capabilities.length ? t.capabilities.join(", ") : "nothing (no capabilities)"}`);
    if (t.recipients.length) out.push(`    sends to  ${t.recipients.join(", ")}`);
  }

  out.push("", c.bold("state"));
  if (m.state.length === 0) out.push("  none");
  const w = Math.max(0, ...m.state.map((s) => s.name.length));
  for (const s of m.state) out.push(`  ${s.name.padEnd(w)}  ${typeAsDeclared(s.type, source)}`);

  out.push("", c.bold("limits") + c.dim("  (* declared by the rule; the others are defaults)"));
  const entries = Object.entries(m.limits);
  const lw = Math.max(0, ...entries.map(([k]) => k.length));
  const vw = Math.max(0, ...entries.map(([, l]) => n(l.value).length));
  for (const [name, l] of entries) {
    out.push(`  ${l.declared ? "*" : " "} ${name.padEnd(lw)}  ${n(l.value).padStart(vw)} ${unitWord(l.value, l.unit)}`);
  }

  out.push("", c.bold("settings"));
  const settings = Object.entries(m.settings);
  if (settings.length === 0) out.push("  none (time zone UTC)");
  const sw = Math.max(0, ...settings.map(([k]) => k.length));
  for (const [k, v] of settings) out.push(`  ${k.padEnd(sw)}  ${v}`);
  return out.join("\n") + "\n";
}
