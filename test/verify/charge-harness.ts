/**
 * A small rule compiled to its bundle and run on real QuickJS exactly as the
 * daemon runs it (runBundle: the bundle's code in a fresh sandbox, the gas
 * limit set to the verifier's bound), on a message built by hand: what the
 * charge tests compare the verifier's bound with.
 */
import { compileSource, type Bundle } from "../../compiler/emit/bundle.js";
import { assembleInput } from "../../runtime/input/build.js";
import type { RuleLimits } from "../../runtime/input/limits.js";
import type { MemberJson, MessageJson } from "../../runtime/input/types.js";
import { runBundle, type RunResult } from "../../runtime/run/run-rule.js";

const WORDS = {
  describeRuleError: (e: { code: string; args: unknown[]; line: number; column: number }) => ({
    code: e.code,
    message: `${e.code} ${JSON.stringify(e.args)}`,
    line: e.line,
    column: e.column,
  }),
};

export interface Compiled {
  source: string;
  bundle: Bundle;
  /** The verifier's gas bound of `on message`. */
  bound: number;
}

/** Compiles a rule; throws with its errors when it does not compile. */
export function compileRule(source: string): Compiled {
  const { bundle, diagnostics } = compileSource("charges.thwonk", source);
  if (!bundle) {
    const errors = diagnostics.filter((d) => d.severity === "error").map((d) => `${d.code} ${d.message}`);
    throw new Error(`does not compile: ${errors.join("; ")}\n${source}`);
  }
  const t = bundle.manifest.triggers.find((x) => x.name === "message");
  if (!t) throw new Error(`no \`on message\` trigger:\n${source}`);
  return { source, bundle, bound: t.gasBound };
}

/** A Wednesday, the longest weekday name. */
export const NOW = Date.UTC(2026, 5, 17, 12, 0, 0);

/** A message with every field given (the rest as small defaults). */
export function message(m: Partial<MessageJson> = {}): MessageJson {
  const from = m.from ?? "ann@example.org";
  return {
    from,
    to: [],
    cc: [],
    subject: "",
    text: "",
    html: null,
    headers: [["From", from]],
    attachments: [],
    date: null,
    messageId: "id@example.org",
    envelope: { sender: from, recipient: "list@example.org", isRequest: false, tag: null },
    ...m,
  };
}

export interface RunOptions {
  members?: MemberJson[];
  state?: Record<string, unknown> | null;
}

/** Runs `on message` of the rule on a message; the input is checked against the rule's limits first (as the host does). */
export async function runOn(c: Compiled, msg: MessageJson, options: RunOptions = {}): Promise<RunResult> {
  const limits = c.bundle.manifest.limits as unknown as RuleLimits;
  const input = assembleInput({ now: NOW, limits, message: msg, members: options.members ?? [], state: options.state ?? null });
  return runBundle(c.bundle, { trigger: "message", input: input as unknown as Record<string, unknown>, limits: { timeLimitMs: 30_000 } }, WORDS);
}
