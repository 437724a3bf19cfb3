#!/usr/bin/env -S node --single-threaded-gc
// The thwonkd daemon. Runs from dist/ (tsc's output): the sandbox starts its
// workers from their own module files, so the daemon is not bundled.
// V8 collects garbage on the thread that made it (the #! line): a list server
// is often a 2-core machine, where GC helper threads compete with the sandbox
// worker and the outbox writer, and each wake of a helper costs more than the
// small young-generation collections it shares (bench/RESULTS.md, issue 13).
const entry = new URL("../dist/runtime/daemon/main.js", import.meta.url);
let main;
try {
  ({ main } = await import(entry.href));
} catch (err) {
  if (err && err.code === "ERR_MODULE_NOT_FOUND" && String(err.message).includes("daemon/main.js")) {
    process.stderr.write("thwonkd: dist/runtime/daemon/main.js is missing; run `npm run build` (or `npm install`) first.\n");
    process.exit(2);
  }
  throw err;
}
const code = await main(process.argv.slice(2));
process.exit(code);
