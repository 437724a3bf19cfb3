// Builds native/ (syncfs(2) for the outbox writer: runtime/daemon/syncfs.ts) with the node-gyp that npm carries; run by
// `npm ci` and `npm install` (the "install" script). Optional: off Linux, without a C compiler, or with THWONK_NO_NATIVE=1
// it says why and ends well, and thwonkd then syncs each outbox file on its own (slower, as durable).
import { spawnSync } from "node:child_process";
import { existsSync, renameSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const native = join(dirname(fileURLToPath(import.meta.url)), "..", "native");
const ADDON = join(native, "build", "Release", "thwonk_syncfs.node");
// An addon an earlier install built stays, and thwonkd loads it: the message says so rather than that it syncs each file.
const skip = (why) => {
  if (existsSync(ADDON)) console.warn(`thwonk: native/ not rebuilt (${why}); the earlier build is kept, and thwonkd uses it (--outbox-sync fdatasync syncs each file instead)`);
  else console.warn(`thwonk: native/ not built (${why}); thwonkd syncs each outbox file on its own instead`);
  process.exit(0);
};
// Whatever else goes wrong here (a native/ that cannot be written, say), the install goes on.
process.on("uncaughtException", (err) => skip(err instanceof Error ? err.message : String(err)));
// Set to anything but "" or "0": `THWONK_NO_NATIVE=0` asks for the build, as such switches read elsewhere.
if (!["", "0"].includes(process.env.THWONK_NO_NATIVE ?? "")) skip("THWONK_NO_NATIVE is set");
if (process.platform !== "linux") skip(`syncfs is Linux's, and this is ${process.platform}`);
// npm gives its scripts the path of its node-gyp; run outside npm, the one next to this node's npm.
const gyp = [process.env.npm_config_node_gyp, join(dirname(process.execPath), "..", "lib", "node_modules", "npm", "node_modules", "node-gyp", "bin", "node-gyp.js")].find(
  (p) => p && existsSync(p),
);
if (!gyp) skip("npm's node-gyp was not found");
// `node-gyp rebuild` first removes build/: an earlier build is set aside, and put back if this one fails, so a later
// install where the compiler is gone does not take syncfs away from thwonkd. One set aside by an install that was
// stopped before it ended is kept, unless build/ has an addon to set aside instead.
const build = join(native, "build");
const earlier = join(native, "build.earlier");
if (existsSync(ADDON)) {
  try {
    rmSync(earlier, { recursive: true, force: true });
    renameSync(build, earlier);
  } catch {
    // Not set aside (native/ is read-only, say): node-gyp cannot remove it either.
  }
}
const r = spawnSync(process.execPath, [gyp, "rebuild"], { cwd: native, encoding: "utf8" });
if (r.status !== 0) {
  // node-gyp ends with its versions, its command and "not ok": the reason is in the lines before (the compiler's,
  // make's, gyp's error and its message).
  const noise = /^gyp (info|http|verb|sill|WARN)|^gyp ERR! (System|command|cwd|node -v|node-gyp -v|not ok)|^gyp ERR! stack +at /;
  const lines = `${r.stderr ?? ""}`.split("\n").filter((l) => l.trim() && !noise.test(l));
  const why = `node-gyp failed: ${lines.slice(-3).join(" | ") || String(r.error ?? `exit code ${r.status}`)}`;
  if (existsSync(earlier)) {
    rmSync(build, { recursive: true, force: true });
    renameSync(earlier, build);
  }
  skip(why);
}
rmSync(earlier, { recursive: true, force: true });
