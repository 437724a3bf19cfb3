/** What the bounds adversaries on running a rule share: compiling a rule that must compile. */
import assert from "node:assert/strict";
import { compileSource, type Bundle } from "../../compiler/emit/bundle.js";

/** The bundle of `src`, failing the test with the compiler's errors when there is none. */
export function bundleOf(src: string): Bundle {
  const r = compileSource("t.thwonk", src);
  const errors = r.diagnostics.filter((d) => d.severity === "error");
  assert.ok(r.bundle, errors.map((d) => `${d.code} ${d.message.split("\n")[0]}`).join("\n"));
  return r.bundle;
}
