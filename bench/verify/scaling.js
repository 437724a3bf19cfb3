// The verifier's work on the shapes that once made it exponential (issue 8,
// hole 6): nested loops and trees of looping fn calls. For each size it
// prints the steps the verifier took, the nodes of the bound's formula, and
// the time of `checkSources` against a baseline measured in the same run: a
// straight-line rule with as many statements (median of 7 alternating
// runs). Run after `npm run build`: `node bench/verify/scaling.js`.
import { checkSources } from "../../dist/compiler/program.js";

function nested(depth) {
  let src = "rule n\nlimits { members: 2 }\non message(m: Message) {\n  var s = \"\"\n  var n = 0\n";
  for (let i = 0; i < depth; i++) src += `${"  ".repeat(i + 1)}for x${i} in members {\n`;
  src += `${"  ".repeat(depth + 1)}s += "a"\n${"  ".repeat(depth + 1)}n += s.length + x${depth - 1}.name.length\n`;
  for (let i = depth - 1; i >= 0; i--) src += `${"  ".repeat(i + 1)}}\n`;
  return src + '  log("{s} {n} {m.subject}")\n}\n';
}

function chain(depth) {
  let src = "rule f\nlimits { members: 2 }\nfn f0(s: string): int {\n  return s.length\n}\n";
  for (let i = 1; i <= depth; i++) {
    src += `fn f${i}(s: string): int {\n  var t = 0\n  for x in members {\n    t += f${i - 1}(s) + f${i - 1}(s + x.name)\n  }\n  return t\n}\n`;
  }
  return src + `on message(m: Message) {\n  log("{f${depth}(m.subject)}")\n}\n`;
}

function flat(statements) {
  let src = "rule b\non message(m: Message) {\n  var n = 0\n";
  for (let i = 0; i < statements; i++) src += `  n += m.subject.length\n`;
  return src + '  log("{n}")\n}\n';
}

function size(s) {
  if (s.k === "num" || s.k === "var") return 1;
  if (s.k === "cdiv" || s.k === "at") return 1 + size(s.x);
  return 1 + s.xs.reduce((n, x) => n + size(x), 0);
}

function time(text) {
  const t = performance.now();
  const r = checkSources([{ fileName: "b.thwonk", text }]);
  return { ms: performance.now() - t, r };
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function measure(label, text) {
  const statements = text.split("\n").length;
  const base = flat(statements);
  time(text);
  time(base);
  const a = [];
  const b = [];
  let r;
  for (let i = 0; i < 7; i++) {
    const x = time(text);
    r = x.r;
    a.push(x.ms);
    b.push(time(base).ms);
  }
  const v = r.units[0]?.verify;
  const steps = v?.steps ?? 0;
  const nodes = v ? v.triggers.reduce((n, t) => n + size(t.gasSym), 0) : 0;
  const codes = r.diagnostics.filter((d) => d.severity === "error").map((d) => d.code).join(" ") || "ok";
  console.log(`${label.padEnd(22)} ${String(statements).padStart(5)} lines  ${String(steps).padStart(6)} steps  ${String(nodes).padStart(6)} nodes  ${median(a).toFixed(1).padStart(7)} ms  ${(median(a) / median(b)).toFixed(2).padStart(6)}× flat  (${codes})`);
}

console.log("shape                  lines          steps         nodes     check   vs a flat rule of as many lines");
for (const d of [16, 20, 24, 30, 60]) measure(`${d} nested loops`, nested(d));
for (const d of [3, 7, 11, 15]) measure(`fn tree, depth ${d}`, chain(d));
