/**
 * Loading a bundle's code into a sandbox. The code is a script that declares
 * `function __thwonk_run(trigger, inputJson, members?)`; loading it yields a
 * factory, and each run calls the factory for its own `__thwonk_run`, so
 * nothing a run leaves in the code's top-level bindings reaches the next.
 *
 * Two ways, chosen by the code's first characters:
 * - Code that starts with the compiler's prelude (the stdlib's
 *   implementations, contract/prelude.ts, exactly as this runtime has it)
 *   is split there. The prelude is trusted: it runs once per context and is
 *   shared by every bundle loaded there; its only mutable bindings are the
 *   run state that `__reset()` sets back, every other binding is a `const`
 *   holding a frozen value. The driver is the prelude's last part: the
 *   rule's code hands it the rule's definitions (contract/prelude.ts
 *   RULE_ENTRY). The rest (the rule's own code) is evaluated
 *   inside the prelude's scope by a direct `eval` that only the host can arm
 *   (the lockdown hands the real one to the host alone), so the rule's code
 *   reads and writes the prelude's bindings (`__gas -= n`) as if it followed
 *   the prelude in one script:
 *
 *       (function(){var eval;return [ARM,function(){"use strict";PRELUDE
 *       ;return [LOAD, __reset, GAS_USED, WRAP];}];})()
 *       LOAD("\n" × prelude lines + "(function(){\"use strict\";REST
 *       ;return ...__thwonk_run...;\n})")
 *
 *   The factory (WRAP's result) resets the run state from outside the rule's
 *   scope (where the rule cannot shadow `__reset`), sets the input parts the
 *   context keeps for the run's list (`__kept`, kept-input.ts), then makes the
 *   rule's functions. A miss loads only the bundle's own code, not the prelude.
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

/** The property of a loaded factory that holds its gas reader (read by execute.ts; the rule's code cannot reach the factory). */
export const GAS_USED = "gasUsed";

/**
 * `prelude`: the code started with the prelude, which now runs once for the context; `reset` then sets its run
 * state back (the host calls it after a run, so that nothing of the run stays alive in the kept context).
 */
export type Loaded = { ok: true; factory: QuickJSHandle; prelude: boolean; reset?: QuickJSHandle; sharedPrelude?: boolean } | { ok: false; error: SandboxError };

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

// The prelude, run once per context: a sloppy outer function holds the binding `eval`, which only the host can set
// (through the anonymous first function); the prelude's loader evaluates a bundle's rule with it, directly, so the
// rule closes over the prelude's bindings. Between loads `eval` is undefined: rule code sees no evaluator.
const SHARED_HEAD = '(function(){var eval;return [function(e){eval=e;},function(){"use strict";';
const SHARED_TAIL = ";return [function(__code){return eval(__code);}, __reset, function(){return __gasLimit-__gas;}, function(__r){return function(__k){__reset();__kept=__k===void 0?null:__k;return __r();};}];}];})()";
const PRELUDE_LINES = PRELUDE.split("\n").length - 1;

function sharedPrelude(sb: Sandbox, limits: SandboxLimits): { ok: true; prelude: NonNullable<Sandbox["prelude"]> } | { ok: false; error: SandboxError } {
  if (sb.prelude) return { ok: true, prelude: sb.prelude };
  const { ctx } = sb;
  const made = ctx.evalCode(SHARED_HEAD + PRELUDE + SHARED_TAIL, "bundle.js");
  if (made.error) return failedBy(sb, made.error, limits);
  const arm = ctx.getProp(made.value, 0);
  const run = ctx.getProp(made.value, 1);
  made.value.dispose();
  const r = ctx.callFunction(run, ctx.undefined);
  run.dispose();
  if (r.error) {
    arm.dispose();
    return failedBy(sb, r.error, limits);
  }
  const [load, reset, gasUsed, wrap] = [0, 1, 2, 3].map((i) => ctx.getProp(r.value, i)) as [QuickJSHandle, QuickJSHandle, QuickJSHandle, QuickJSHandle];
  r.value.dispose();
  sb.prelude = { arm, load, reset, gasUsed, wrap };
  return { ok: true, prelude: sb.prelude };
}

function loadWithPrelude(sb: Sandbox, rest: string, limits: SandboxLimits): Loaded {
  const had = sb.prelude !== undefined;
  const shared = sharedPrelude(sb, limits);
  if (!shared.ok) return shared;
  const p = shared.prelude;
  const { ctx } = sb;
  const rule = HEAD + rest + TAIL; // the source text of __rule
  // Line numbers as in the whole code: the rule's first line is the prelude's last.
  const text = ctx.newString("\n".repeat(PRELUDE_LINES) + "(" + rule + ")");
  const armed = ctx.callFunction(p.arm, ctx.undefined, sb.realEval);
  (armed.error ?? armed.value).dispose();
  const got = ctx.callFunction(p.load, ctx.undefined, text);
  const disarmed = ctx.callFunction(p.arm, ctx.undefined, ctx.undefined);
  (disarmed.error ?? disarmed.value).dispose();
  text.dispose();
  if (got.error) return failedBy(sb, got.error, limits);
  const ruleFn = got.value;
  if (!hasSource(sb, ruleFn, rule)) {
    ruleFn.dispose();
    return escaped();
  }
  const made = ctx.callFunction(p.wrap, ctx.undefined, ruleFn);
  ruleFn.dispose();
  if (made.error) return failedBy(sb, made.error, limits);
  const factory = made.value;
  // Kept on the factory, so that it lives and dies with it wherever the host keeps the factory.
  ctx.setProp(factory, GAS_USED, p.gasUsed);
  return { ok: true, factory, prelude: true, reset: p.reset.dup(), sharedPrelude: had };
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
