/**
 * The arrays the daemon's hot code reads on each message (a run's actions, a group's commit ids) are packed whether
 * or not V8 has optimized the function that made them. Optimized `Array.prototype.map` makes holey arrays and the
 * interpreter's packed ones: code that met one kind deoptimizes when it meets the other, so a daemon under steady
 * load deoptimized and re-optimized runMessage, submit, runCommit, composeRun and flush as the producers' tiers
 * changed. Checked in a child node with V8's natives syntax (the only way to ask an array's elements kind), on the
 * real modules and a real SQLite store; the check itself is checked on a `map` that must come out holey.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const url = (p: string): string => new URL(p, import.meta.url).href;

const SCRIPT = `
const { withListHeaders } = await import(${JSON.stringify(url("../../runtime/run/list-headers.js"))});
const { expandToMembers } = await import(${JSON.stringify(url("../../runtime/run/run-rule.js"))});
const { openSqliteStore } = await import(${JSON.stringify(url("../../runtime/daemon/store/sqlite.js"))});
const send = () => ({ kind: "send", toMembers: true, subject: "s", text: "t", at: { line: 1, column: 1 } });
const list = { address: "list@lists.localhost", name: "List" };
const store = openSqliteStore(process.env.DB);
let n = 0;
const commit = () => ({ address: list.address, run: { trigger: "message", now: 1e12 + n++, bundleHash: "h", outcome: "ok", error: null, gasUsed: 1, gasBound: 2, actions: [send(), send()], replayOf: null } });
const mapped = (actions) => actions.map((a) => a);
// Each case: the function that makes the array (the one optimized), and a call that gets the array.
const cases = {
  // The check's own check: optimized map must make a holey array, or the other cases prove nothing.
  map: [mapped, () => mapped([send(), send()])],
  withListHeaders: [withListHeaders, () => withListHeaders([send(), send()], list)],
  expandToMembers: [expandToMembers, () => expandToMembers([send(), send()], ["a@example.org"])],
  // The group commit's ids: made by the store's transaction body, under better-sqlite3's transaction wrapper.
  commitRuns: [Object.getPrototypeOf(store).groupTransaction, () => store.commitRuns([commit(), commit()])],
};
const out = {};
for (const [name, [maker, f]] of Object.entries(cases)) {
  if (typeof maker !== "function") throw new Error(name + ": no function to optimize");
  const kinds = [];
  const holey = async () => { const r = await f(); kinds.push(%HasHoleyElements(r) ? "holey" : "packed"); };
  %PrepareFunctionForOptimization(maker);
  await holey();
  await holey();
  %OptimizeFunctionOnNextCall(maker);
  await holey();
  out[name] = kinds;
}
await store.close();
console.log(JSON.stringify(out));
`;

test("the actions and the commit ids are packed arrays, from interpreted and optimized code alike", () => {
  const dir = mkdtempSync(join(tmpdir(), "thwonk-packed-"));
  try {
    const stdout = execFileSync(process.execPath, ["--allow-natives-syntax", "--input-type=module", "-e", SCRIPT], {
      env: { ...process.env, DB: join(dir, "t.sqlite") },
      encoding: "utf8",
    });
    const kinds = JSON.parse(stdout) as Record<string, string[]>;
    assert.deepEqual(kinds["map"], ["packed", "packed", "holey"], "optimized map no longer makes holey arrays: this test's premise is gone");
    for (const name of ["withListHeaders", "expandToMembers", "commitRuns"]) assert.deepEqual(kinds[name], ["packed", "packed", "packed"], name);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
