// `node bench/memory/peaks.js` (after `npm run build`): each example trigger
// and adversarial rule (test/verify/memory-worst.ts) at its worst inputs, the
// verifier's memory bound beside the measured peak: the smallest heap limit
// under which the run completes on real QuickJS (bisection to 1 MiB), the
// largest over the input styles. Prints the table as markdown.
// PEAKS_ONLY=substring limits the cases.
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const load = (p) => import(pathToFileURL(join(root, "dist", p)).href);
const { peakCases, peakOf } = await load("test/verify/memory-worst.js");

const mib = (b) => (b / 2 ** 20).toFixed(1);
const only = process.env.PEAKS_ONLY;
console.log("| trigger | bound (MiB) | peak (MiB) | style | bound / peak |");
console.log("|---|---:|---:|---|---:|");
for (const c of peakCases()) {
  if (only && !c.name.includes(only)) continue;
  let worst = { peak: 0, style: "" };
  for (const { style, input } of c.inputs) {
    const peak = await peakOf(c.ex.bundle, c.trigger, input, Math.max(c.bound, 8 * 2 ** 20), 2 ** 20);
    if (peak > worst.peak) worst = { peak, style };
  }
  const ratio = Number.isFinite(worst.peak) ? (c.bound / worst.peak).toFixed(1) : "NOT MEASURED";
  console.log(`| ${c.name} | ${mib(c.bound)} | ${mib(worst.peak)} | ${worst.style} | ${ratio} |`);
}
