// A node:test reporter that sums each test file's top-level test times and prints the files slowest first, with
// their share of the whole: `TEST_TIMES=FILE npm test` (scripts/run-tests.js adds it) writes the table to FILE.
// A file's tests run one after another, so the sum is about the file's time; files run side by side.
export default async function* testTimes(source) {
  const byFile = new Map();
  for await (const event of source) {
    if ((event.type !== "test:pass" && event.type !== "test:fail") || event.data.nesting !== 0) continue;
    const file = event.data.file ?? "(unknown file)";
    const t = byFile.get(file) ?? { ms: 0, tests: 0 };
    t.ms += event.data.details?.duration_ms ?? 0;
    t.tests += 1;
    byFile.set(file, t);
  }
  const rows = [...byFile].sort((a, b) => b[1].ms - a[1].ms);
  const total = rows.reduce((sum, [, t]) => sum + t.ms, 0);
  yield `# ${rows.length} files, ${(total / 1000).toFixed(1)} s of tests in all\n`;
  for (const [file, t] of rows) {
    yield `${(t.ms / 1000).toFixed(1).padStart(7)} s ${((100 * t.ms) / total).toFixed(1).padStart(5)}% ${String(t.tests).padStart(4)} tests  ${file.replace(`${process.cwd()}/`, "")}\n`;
  }
}
