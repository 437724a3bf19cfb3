/**
 * The Node implementation of the services a run needs from its host
 * (contract/output.ts HostServices), on top of runtime/input: time-zone
 * offsets from Node's ICU data, .eml files parsed with mailparser, and
 * runtime errors phrased from the TW5xxx catalog. `thwonkc test` and
 * `thwonkc run` use it; the daemon can too.
 */
import { readFile } from "node:fs/promises";
import { dirname, isAbsolute, resolve } from "node:path";
import { formatRuntimeError, offsetTransitions, parseEml } from "../input/index.js";
import type { HostServices, RuleErrorJson, RunError } from "../../contract/index.js";

/** The earliest time JavaScript holds: the first offset of a table stands for all time before it. */
const MIN_TIME = -8.64e15;

export interface NodeHostOptions {
  /** What relative file names (a test file's name) are relative to; default the process's working directory. */
  cwd?: string;
  /** The list's address, which an .eml's envelope is read against; default `list@example.org`. */
  listAddress?: string;
}

/** An .eml named in a test that cannot be read: says which file, from which test file. */
export class EmlNotFound extends Error {
  override readonly name = "EmlNotFound";
  constructor(
    readonly path: string,
    readonly relativeTo: string,
    readonly reason: string,
  ) {
    super(`cannot read ${path} (named in ${relativeTo}): ${reason}`);
  }
}

export class NodeHost implements HostServices {
  private readonly cwd: string;
  /** Problems mailparser reported for each .eml read (file → problems), for the caller to show. */
  readonly emlProblems = new Map<string, string[]>();

  constructor(private readonly options: NodeHostOptions = {}) {
    this.cwd = options.cwd ?? process.cwd();
  }

  tzFor(zone: string, fromMs: number, toMs: number): [number, number][] {
    const table = offsetTransitions(zone, fromMs, toMs);
    // Times before the range keep its first offset (the prelude would otherwise read them as UTC).
    if (table.length > 0) table[0]![0] = MIN_TIME;
    return table;
  }

  /** The file an .eml name in `relativeTo` (a test file) stands for. */
  emlPath(path: string, relativeTo: string): string {
    if (isAbsolute(path)) return path;
    return resolve(this.cwd, dirname(relativeTo), path);
  }

  async loadEml(path: string, relativeTo: string): Promise<unknown> {
    const file = this.emlPath(path, relativeTo);
    let raw: Buffer;
    try {
      raw = await readFile(file);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new EmlNotFound(path, relativeTo, code === "ENOENT" ? "no such file" : code === "EISDIR" ? "is a directory" : String(err));
    }
    const parsed = await parseEml(raw, this.options.listAddress !== undefined ? { listAddress: this.options.listAddress } : {});
    if (parsed.problems.length) this.emlProblems.set(file, parsed.problems);
    // The envelope recipient is the list's address as the run knows it: leave it to the run's input.
    const { recipient: _recipient, ...envelope } = parsed.message.envelope;
    return { ...parsed.message, envelope };
  }

  describeRuleError(e: RuleErrorJson): RunError {
    const f = formatRuntimeError(e, "");
    return { code: f.code, message: f.message, line: f.line, column: f.column };
  }
}

/** A RunError from a failure the sandbox reported with only its words (no args). */
export function describeSandboxFailure(e: { code: string; message: string; line?: number | null; column?: number | null }): RunError {
  const f = formatRuntimeError(e, "");
  return { code: f.code, message: f.message, line: f.line, column: f.column };
}
