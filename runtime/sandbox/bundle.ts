/**
 * Loading a bundle's code into a sandbox. The code (a script that declares
 * `function __thwonk_run(trigger, inputJson)`) is compiled once as the body of
 * a factory function; each run calls the factory, so each run gets its own
 * top-level bindings and nothing a run leaves in them reaches the next. Line
 * numbers are kept: the wrapper adds nothing before the code's first line.
 */
import type { QuickJSHandle } from "quickjs-emscripten-core";
import type { Sandbox } from "./context.js";
import { sandboxError, sandboxMessages, type SandboxError } from "./errors.js";
import { thrownError } from "./classify.js";
import type { SandboxLimits } from "./types.js";

const HEAD = 'function(){"use strict";';
const TAIL = '\n;return typeof __thwonk_run === "function" ? __thwonk_run : void 0;\n}';

export type Loaded = { ok: true; factory: QuickJSHandle } | { ok: false; error: SandboxError };

export function loadBundle(sb: Sandbox, code: string, limits: SandboxLimits): Loaded {
  const { ctx } = sb;
  const source = HEAD + code + TAIL;
  const r = ctx.evalCode("(" + source + ")", "bundle.js");
  if (r.error) {
    const error = thrownError(sb, r.error, limits);
    r.error.dispose();
    return { ok: false, error };
  }
  const factory = r.value;
  // Code that closes the wrapper early (`}); let shared = ...; (function(){`)
  // would get a real top level shared by all runs. Then the value is not the
  // function written above, and its source text shows it.
  const text = ctx.callFunction(sb.sourceOf, ctx.undefined, factory);
  const same = !text.error && ctx.typeof(text.value) === "string" && ctx.getString(text.value) === source;
  (text.error ?? text.value).dispose();
  if (!same) {
    factory.dispose();
    return { ok: false, error: sandboxError(sandboxMessages.runtimeError, "the bundle's code closes the function it is loaded in, which compiled code never does (recompile the rule)") };
  }
  return { ok: true, factory };
}
