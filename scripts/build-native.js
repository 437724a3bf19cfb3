// Builds native/ (syncfs(2) for the outbox writer: runtime/daemon/syncfs.ts) with the node-gyp that npm carries; run by
// `npm ci` and `npm install` (the "install" script). Optional: off Linux, without a C compiler, or with THWONK_NO_NATIVE=1
// it says why and ends well, and thwonkd then syncs each outbox file on its own (slower, as durable).
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const native = join(dirname(fileURLToPath(import.meta.url)), "..", "native");
const skip = (why) => {
  console.warn(`thwonk: native/ not built (${why}); thwonkd syncs each outbox file on its own instead`);
  process.exit(0);
};
if (process.env.THWONK_NO_NATIVE) skip("THWONK_NO_NATIVE is set");
if (process.platform !== "linux") skip(`syncfs is Linux's, and this is ${process.platform}`);
// npm gives its scripts the path of its node-gyp; run outside npm, the one next to this node's npm.
const gyp = [process.env.npm_config_node_gyp, join(dirname(process.execPath), "..", "lib", "node_modules", "npm", "node_modules", "node-gyp", "bin", "node-gyp.js")].find(
  (p) => p && existsSync(p),
);
if (!gyp) skip("npm's node-gyp was not found");
const r = spawnSync(process.execPath, [gyp, "rebuild"], { cwd: native, encoding: "utf8" });
if (r.status !== 0) skip(`node-gyp failed: ${(r.stderr || r.stdout || String(r.error)).trim().split("\n").slice(-3).join(" | ")}`);
