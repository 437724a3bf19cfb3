/**
 * Runtime errors in words, from the one catalog (TW5xxx): the `error` of a
 * run's output ({ code, args, line, column }) or a sandbox error ({ code,
 * message }), and the refusal of an input before any run.
 */
import { runtimeMessages } from "../../contract/messages.js";
import type { RuntimeMessage } from "../../contract/messages.js";
import type { InputProblem } from "./types.js";

export interface RuntimeErrorLike {
  code: string;
  /** The material the compiled code raised the error with. */
  args?: readonly unknown[];
  /** An already formatted message (the sandbox's errors). */
  message?: string;
  line?: number | null;
  column?: number | null;
}

export interface FormattedRuntimeError {
  code: string;
  title: string;
  message: string;
  /** The rule's source file the position is in. */
  file: string;
  /** 1-based .thwonk position; null when the error has none (a sandbox failure, an unknown trigger). */
  line: number | null;
  column: number | null;
}

const byCode = new Map<string, RuntimeMessage>(Object.values(runtimeMessages).map((m) => [m.code, m]));

const position = (n: number | null | undefined): number | null => (typeof n === "number" && n > 0 ? n : null);

export function formatRuntimeError(err: RuntimeErrorLike, sourceName: string): FormattedRuntimeError {
  const def = byCode.get(err.code);
  let message: string;
  if (err.args !== undefined && def) message = def.format(...err.args);
  else if (err.message !== undefined) message = err.message;
  else if (def) message = def.format();
  else message = `The run failed with ${err.code}, which this runtime does not know${err.args?.length ? ` (${JSON.stringify(err.args)})` : ""}. The bundle may come from a newer thwonkc: recompile the rule.`;
  return { code: err.code, title: def?.title ?? "Unknown runtime error", message, file: sourceName, line: position(err.line), column: position(err.column) };
}

/** An input the host will not run the rule on: every reason, each with its catalog code. */
export class InputRefused extends Error {
  override readonly name = "InputRefused";
  constructor(readonly problems: readonly InputProblem[]) {
    super(problems.map((p) => `${p.code} ${p.message}`).join("\n"));
  }
}
