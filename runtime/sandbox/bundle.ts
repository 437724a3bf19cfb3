/**
 * Loading a bundle's code into a sandbox. The code is a script that declares
 * `function __thwonk_run(trigger, inputJson, members?)`; loading it yields a
 * factory, and each run calls the factory for its own `__thwonk_run`, so
 * nothing a run leaves in the code's top-level bindings reaches the next.
 *
 * Two ways, chosen by the code's first characters:
 * - Code that starts with the compiler's prelude (the stdlib's
 *   implementations, contract/prelude.ts, exactly as this runtime has it)
 *   is split there. The prelude is trusted: it runs once per context, and its
 *   only mutable bindings are the run state that `__reset()` sets back. The
 *   rest (the rule and the driver) runs per run, nested inside it:
 *
 *       (function(){"use strict";PRELUDE
 *       ;const __rule = function(){"use strict";REST
 *       ;return ...__thwonk_run...;
 *       };return [function(){__reset();return __rule();}, __rule];})
 *
 *   The factory is the first function: it resets the run state from outside
 *   the rule's scope (where the rule cannot shadow `__reset`), then makes the
 *   rule's functions. A run makes a few closures instead of the prelude's
 *   hundreds.
 * - Any other code is the body of one factory function, run whole per run.
 *
 * Either way, code that closes the function it is loaded in (to reach a
 * scope shared by all runs) is refused: the source text of each function
 * must be exactly the text composed here. Line numbers are kept: nothing is
 * added before the code's first line, and no line break inside it.
 */
import type { QuickJSHandle } from "quickjs-emscripten-core";
import { PRELUDE } from "../../contract/prelude.js";
import type { Sandbox } from "./context.js";
import { sandboxError, sandboxMessages, type SandboxError } from "./errors.js";
import { failedBy } from "./classify.js";
import type { SandboxLimits } from "./types.js";

const HEAD = 'function(){"use strict";';
const TAIL = '\n;return typeof __thwonk_run === "function" ? __thwonk_run : void 0;\n}';
const RULE_HEAD = ";const __rule = ";
// The fourth function reads the gas a run used, for the host after a failed run (out of memory, time, a JS error),
// when the run returned no output to carry it: the counter lives in this closure.
const LIBRARY_TAIL = ";return [function(){__reset();return __rule();}, __rule, function(){__reset();}, function(){return __gasLimit-__gas;}];}";

/** The property of a loaded factory that holds its gas reader (read by execute.ts; the rule's code cannot reach the factory). */
export const GAS_USED = "gasUsed";

/**
 * `prelude`: the code started with the prelude, which now runs once for the context; `reset` then sets its run
 * state back (the host calls it after a run, so that nothing of the run stays alive in the kept context).
 */
export type Loaded = { ok: true; factory: QuickJSHandle; prelude: boolean; reset?: QuickJSHandle } | { ok: false; error: SandboxError };

const escaped = (): Loaded => ({
  ok: false,
  error: sandboxError(sandboxMessages.runtimeError, "the bundle's code closes the function it is loaded in, which compiled code never does (recompile the rule)"),
});

export function loadBundle(sb: Sandbox, code: string, limits: SandboxLimits): Loaded {
  return code.startsWith(PRELUDE) ? loadWithPrelude(sb, code.slice(PRELUDE.length), limits) : loadWhole(sb, code, limits);
}

function loadWhole(sb: Sandbox, code: string, limits: SandboxLimits): Loaded {
  const source = HEAD + code + TAIL;
  const made = evaluate(sb, source, limits);
  if (!made.ok) return made;
  if (!hasSource(sb, made.factory, source)) {
    made.factory.dispose();
    return escaped();
  }
  return made;
}

function loadWithPrelude(sb: Sandbox, rest: string, limits: SandboxLimits): Loaded {
  const rule = HEAD + rest + TAIL; // the source text of __rule
  const source = HEAD + PRELUDE + RULE_HEAD + rule + LIBRARY_TAIL;
  const made = evaluate(sb, source, limits);
  if (!made.ok) return made;
  const outer = made.factory;
  if (!hasSource(sb, outer, source)) {
    outer.dispose();
    return escaped();
  }
  // Runs the prelude: its functions are made and frozen here, once.
  const r = sb.ctx.callFunction(outer, sb.ctx.undefined);
  outer.dispose();
  if (r.error) return failedBy(sb, r.error, limits);
  const factory = sb.ctx.getProp(r.value, 0);
  const ruleFn = sb.ctx.getProp(r.value, 1);
  const reset = sb.ctx.getProp(r.value, 2);
  const gasUsed = sb.ctx.getProp(r.value, 3);
  r.value.dispose();
  // Kept on the factory, so that it lives and dies with it wherever the host keeps the factory.
  sb.ctx.setProp(factory, GAS_USED, gasUsed);
  gasUsed.dispose();
  const same = hasSource(sb, ruleFn, rule);
  ruleFn.dispose();
  if (!same) {
    factory.dispose();
    reset.dispose();
    return escaped();
  }
  return { ok: true, factory, prelude: true, reset };
}

function evaluate(sb: Sandbox, source: string, limits: SandboxLimits): Loaded {
  const r = sb.ctx.evalCode("(" + source + ")", "bundle.js");
  if (r.error) return failedBy(sb, r.error, limits);
  return { ok: true, factory: r.value, prelude: false };
}

/** True when `fn` is a function whose source text is exactly `text` (the function literal written above, not one the code made). */
function hasSource(sb: Sandbox, fn: QuickJSHandle, text: string): boolean {
  const { ctx } = sb;
  const got = ctx.callFunction(sb.sourceOf, ctx.undefined, fn);
  const same = !got.error && ctx.typeof(got.value) === "string" && ctx.getString(got.value) === text;
  (got.error ?? got.value).dispose();
  return same;
}
