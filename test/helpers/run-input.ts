/**
 * Running a compiled rule directly (runBundle) in tests: a run's input written by hand, the words of a rule's error,
 * and a pool over one reused engine for files that run many.
 */
import type { Bundle } from "../../compiler/index.js";
import { Engine } from "../../runtime/sandbox/engine.js";
import { TEST_TOKEN_KEY } from "../../runtime/sandbox/tokens.js";
import { resolveLimits, type SandboxPool } from "../../runtime/sandbox/types.js";

export const ruleErrorWords = {
  describeRuleError: (e: { code: string; args: unknown[]; line: number; column: number }) => ({ code: e.code, message: JSON.stringify(e.args), line: e.line, column: e.column }),
};

/** A run's input written by hand: one member, a short message, every field the driver reads. `over` replaces top-level fields, `message` fields of the message. */
export function handInput(over: Record<string, unknown> = {}, message: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    now: Date.UTC(2026, 10, 25, 12),
    tz: [],
    list: { address: "news@example.org", name: "News", owners: ["owner@example.org"] },
    members: [{ address: "ann@example.org", name: "Ann", role: "owner", joined: Date.UTC(2026, 0, 1) }],
    state: null,
    limits: { members: 2, logs: 3, page: 20 },
    message: {
      from: "ann@example.org", to: ["news@example.org"], cc: [], subject: "Hello", text: "Some text", html: null,
      headers: [["From", "ann@example.org"]], attachments: [], date: null, messageId: "m1@example.org",
      envelope: { sender: "ann@example.org", recipient: "news@example.org", isRequest: false, tag: null },
      ...message,
    },
    ...over,
  };
}

/**
 * One engine for the test file's runs, with the daemon pool's strategy ("reuse", engine.ts): each bundle is compiled
 * once for its memory limit, in a locked-down context, and each run calls it. A fresh sandbox for each run (runOnce,
 * runBundle without a pool) makes a WebAssembly instance, locks it down and compiles the prelude and the bundle again:
 * most of a small run's time, for tests that run thousands. Reused, anything a run left behind would show in the
 * next run's result.
 */
const engine = new Engine({ limits: resolveLimits({ timeLimitMs: 30_000 }), strategy: "reuse" });

/** The reused engine as runBundle takes a pool: each run at the rule's own memory limit, as runOnce runs it, with the test signing key. */
export function reusedPool(bundle: Bundle): SandboxPool {
  const memoryLimitBytes = bundle.manifest.limits["memory"]?.value;
  return {
    run: async (code, codeId, trigger, inputJson, members, run) =>
      (await engine.run(code, codeId, trigger, inputJson, members, { timeLimitMs: run?.timeLimitMs, memoryLimitBytes, tokenKey: run?.tokenKey ?? TEST_TOKEN_KEY })).result,
    close: async () => undefined,
  };
}
