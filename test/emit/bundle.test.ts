import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { BUNDLE_FORMAT, canonicalJson, compileSource, readBundle, serializeBundle, sourcePosition } from "../../compiler/emit/bundle.js";
import { sha256Hex } from "../../compiler/emit/sha256.js";
import { repoRoot } from "../helpers/repo.js";

const RULE = readFileSync(join(repoRoot, "examples", "once_a_day", "once_a_day.thwonk"), "utf8");

function bundleText(fileName = "examples/once_a_day/once_a_day.thwonk", text = RULE): string {
  const r = compileSource(fileName, text);
  assert.ok(r.bundle, r.diagnostics.map((d) => d.message).join("\n"));
  return serializeBundle(r.bundle);
}

test("sha256 agrees with node:crypto", () => {
  for (const s of ["", "abc", "é😀".repeat(100), "x".repeat(100_000), "a\u0000b"]) {
    assert.equal(sha256Hex(s), createHash("sha256").update(s, "utf8").digest("hex"));
  }
});

test("the compiler is deterministic: same source, same bundle byte for byte", () => {
  const a = bundleText();
  const b = bundleText();
  assert.equal(a, b);
  // Where the file was compiled from does not matter, only its name.
  assert.equal(bundleText("/elsewhere/once_a_day.thwonk"), a);
});

test("the manifest says what the daemon needs", () => {
  const b = JSON.parse(bundleText());
  assert.equal(b.format, BUNDLE_FORMAT);
  const m = b.manifest;
  assert.equal(m.rule, "once_a_day");
  assert.deepEqual(m.triggers.map((t: { name: string }) => t.name), ["message", "every day at 00:00"]);
  for (const t of m.triggers) {
    assert.ok(Number.isInteger(t.gasBound) && t.gasBound > 0);
    assert.ok(Number.isInteger(t.fanoutBound));
  }
  assert.ok(m.capabilities.includes("send") && m.capabilities.includes("state.write"));
  assert.deepEqual(m.state.map((s: { name: string; type: string }) => [s.name, s.type]), [["lastPost", "Map<Address, Time> max 5000"]]);
  assert.equal(m.limits.members.value, 5000);
  assert.equal(m.limits.members.declared, true);
  assert.equal(m.limits.subject.declared, false);
  assert.equal(m.settings.timezone, "Europe/Paris");
  assert.equal(b.sha256, sha256Hex(canonicalJson({ format: b.format, manifest: m, source: b.source, code: b.code })));
});

test("a bundle reads back and is accepted", () => {
  const r = readBundle("x.thwb", bundleText());
  assert.deepEqual(r.diagnostics, []);
  assert.ok(r.bundle);
});

test("malformed and tampered bundles are refused with a clear code", () => {
  const good = bundleText();
  const codes = (text: string) => readBundle("x.thwb", text).diagnostics.map((d) => d.code);
  assert.deepEqual(codes("{not json"), ["TW4001"]);
  assert.deepEqual(codes("[]"), ["TW4001"]);
  assert.deepEqual(codes(JSON.stringify({ ...JSON.parse(good), code: undefined })), ["TW4001"]);
  assert.deepEqual(codes(good.replace(BUNDLE_FORMAT, "thwonk-bundle/99")), ["TW4002"]);
  // Changing the code without fixing the hash.
  assert.deepEqual(codes(good.replace("__oog()", "0")), ["TW4003"]);
  // Changing the code and fixing the hash: recompiling the source finds it.
  const b = JSON.parse(good);
  b.code.text = b.code.text.replace(/__gas -= (\d+)/, "__gas -= 0");
  const { sha256: _, ...body } = b;
  b.sha256 = sha256Hex(canonicalJson(body));
  assert.deepEqual(codes(JSON.stringify(b)), ["TW4006"]);
  // A higher bound in the manifest, hash fixed: also found.
  const c = JSON.parse(good);
  c.manifest.triggers[0].gasBound += 1;
  const { sha256: __, ...body2 } = c;
  c.sha256 = sha256Hex(canonicalJson(body2));
  assert.deepEqual(codes(JSON.stringify(c)), ["TW4006"]);
  // Another compiler version.
  const d = JSON.parse(good);
  d.manifest.compiler = "0.0.1";
  const { sha256: ___, ...body3 } = d;
  d.sha256 = sha256Hex(canonicalJson(body3));
  assert.deepEqual(codes(JSON.stringify(d)), ["TW4004"]);
  // Another stdlib (its prelude is not this one's): "compile it again", not "altered".
  const lib = JSON.parse(good);
  lib.manifest.stdlib = "0.3.0";
  const { sha256: _s, ...bodyLib } = lib;
  lib.sha256 = sha256Hex(canonicalJson(bodyLib));
  assert.deepEqual(codes(JSON.stringify(lib)), ["TW4004"]);
  assert.match(readBundle("x.thwb", JSON.stringify(lib)).diagnostics[0]!.message, /stdlib 0\.3\.0, .*this is thwonkc .* \(stdlib \d/);
  // Code for another ABI (an older code target), hash fixed: refused before anything else, even without recompiling.
  const f = JSON.parse(good);
  f.code.target = "quickjs-js/1";
  const { sha256: _____, ...body5 } = f;
  f.sha256 = sha256Hex(canonicalJson(body5));
  assert.deepEqual(codes(JSON.stringify(f)), ["TW4002"]);
  assert.deepEqual(readBundle("x.thwb", JSON.stringify(f), { recompile: false }).diagnostics.map((d) => d.code), ["TW4002"]);
  // A bundle an older thwonkc made (its version, cost table and code target): "compile it again", not "tampered", even without recompiling.
  const g = JSON.parse(good);
  g.manifest.compiler = "0.1.0";
  g.manifest.costTable = "1";
  g.code.target = "quickjs-js/2";
  const { sha256: ______, ...body6 } = g;
  g.sha256 = sha256Hex(canonicalJson(body6));
  assert.deepEqual(codes(JSON.stringify(g)), ["TW4004"]);
  assert.deepEqual(readBundle("x.thwb", JSON.stringify(g), { recompile: false }).diagnostics.map((d) => d.code), ["TW4004"]);
  assert.match(readBundle("x.thwb", JSON.stringify(g)).diagnostics[0]!.message, /made by thwonkc 0\.1\.0 .*Compile the rule again/);
  // Source that no longer compiles.
  const e = JSON.parse(good);
  e.source.text = e.source.text.replace("rule once_a_day", "rule once_a_day\nlet = ");
  const { sha256: ____, ...body4 } = e;
  e.sha256 = sha256Hex(canonicalJson(body4));
  assert.deepEqual(codes(JSON.stringify(e)), ["TW4005"]);
});

test("the source map points generated lines at .thwonk lines", () => {
  const b = JSON.parse(bundleText());
  const lines = b.code.text.split("\n") as string[];
  const sendLine = lines.findIndex((l) => l.includes("F$send(")) + 1;
  const pos = sourcePosition(b, sendLine);
  assert.ok(pos);
  assert.match(RULE.split("\n")[pos.line - 1]!, /send\(/);
});
