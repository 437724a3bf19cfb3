// Runs every compiled test file (dist/test/**/*.test.js) with node's test
// runner. `node --test dist/test/` on Node 20 would also run every other .js
// file under a directory named "test" (helpers included), so the files are
// listed here. The TAP reporter ends the output with node's summary
// ("# pass N", "# fail N"), which CI reads. Extra arguments are passed on
// to node (e.g. --test-name-pattern=check). A failing test's TAP block is
// printed again after the summary, so the end of a long log (all CI shows)
// names what failed and why.
import { spawn } from "node:child_process";
import { readdirSync } from "node:fs";
import { availableParallelism } from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const testDir = join(root, "dist", "test");

function find(dir, out) {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const e of entries) {
    const full = join(dir, e.name);
    if (e.isDirectory()) find(full, out);
    else if (e.name.endsWith(".test.js")) out.push(relative(root, full));
  }
  return out;
}

const files = find(testDir, []).sort();
if (files.length === 0) {
  console.error(`run-tests: no *.test.js files under ${relative(root, testDir)}; did the build run?`);
  process.exit(1);
}

const concurrency = Math.max(2, availableParallelism());
// TEST_TIMES=FILE also writes each file's time to FILE, slowest first (scripts/test-times.js).
const times = process.env.TEST_TIMES ? [`--test-reporter=${join(root, "scripts", "test-times.js")}`, `--test-reporter-destination=${process.env.TEST_TIMES}`] : [];
const args = [
  "--test",
  "--test-reporter=tap",
  ...(times.length > 0 ? ["--test-reporter-destination=stdout", ...times] : []),
  `--test-concurrency=${concurrency}`,
  ...process.argv.slice(2),
  ...files,
];
const child = spawn(process.execPath, args, { cwd: root, stdio: ["inherit", "pipe", "inherit"] });
const failures = [];
/** The block being kept: from a `not ok` line to the YAML end (`...`) at its indentation. */
let block;
let partial = "";
child.stdout.on("data", (chunk) => {
  process.stdout.write(chunk);
  const lines = (partial + chunk.toString("utf8")).split("\n");
  partial = lines.pop();
  for (const line of lines) keep(line);
});

function keep(line) {
  const failed = /^(\s*)not ok \d+ - /.exec(line);
  if (failed && !block) block = { indent: failed[1], lines: [] };
  if (!block) return;
  if (block.lines.length < 80) block.lines.push(line);
  if (line === `${block.indent}  ...`) {
    failures.push(block.lines.join("\n"));
    block = undefined;
  }
}

child.on("exit", (code, signal) => {
  if (partial) keep(partial);
  if (block) failures.push(block.lines.join("\n"));
  if (failures.length > 0) {
    process.stdout.write(`\n# ${failures.length} failing test block(s), repeated from above:\n${failures.join("\n")}\n`);
  }
  process.exit(signal ? 1 : (code ?? 1));
});
