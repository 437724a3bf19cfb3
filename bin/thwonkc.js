#!/usr/bin/env node
// The thwonkc command. Loads the bundle that `npm run build` makes (one file,
// so start-up does not walk hundreds of modules) and exits with its code.
const bundle = new URL("../dist/thwonkc.mjs", import.meta.url);
let main;
try {
  ({ main } = await import(bundle.href));
} catch (err) {
  if (err && err.code === "ERR_MODULE_NOT_FOUND" && String(err.message).includes("thwonkc.mjs")) {
    process.stderr.write("thwonkc: dist/thwonkc.mjs is missing; run `npm run build` (or `npm install`) first.\n");
    process.exit(2);
  }
  throw err;
}
// A reader that stops early (`thwonkc check x | head`) is not an error.
process.stdout.on("error", (err) => {
  if (err.code === "EPIPE") process.exit(process.exitCode ?? 0);
  throw err;
});
process.exitCode = await main(process.argv.slice(2));
