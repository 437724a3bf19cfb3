/**
 * The adversary of a state set killed (SIGKILL) while it is under way: a real thwonkd, a state of 800 KB sent with
 * PUT /v1/lists/ADDR/state, the process killed at times from before the body is read to after the answer. Started
 * again, the list has the old state whole or the new one whole, never a mix of the two nor a cut one;
 * and a set answered 200 before the kill is the one it has.
 */
import assert from "node:assert/strict";
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { callApi } from "./adversary-api-helpers.js";
import { startDaemon, workspace, type Running } from "./helpers.js";

const LIST = "big@example.org";
const BIG = `rule big

limits { memory: 128 * 1024 * 1024 }

state {
  notes: List<string max 2000> max 400 = []
  runs: int = 0
}

on message(_m: Message) {
  if state.notes.size > 0 { state.runs += 1 }
}
`;
/** 400 notes of 2,000 times `letter`: about 800 KB of JSON. */
const stateOf = (letter: string, runs: number) => ({ notes: Array.from({ length: 400 }, () => letter.repeat(2000)), runs });

test("a state set killed at any point: the list comes back with the old state or the new one, whole", async () => {
  const ws = workspace({ big: { source: BIG, members: [{ address: "ann@example.org" }] } });
  let d: Running = await startDaemon(ws);
  const token = readFileSync(join(ws.data, "admin.token"), "utf8").trim();
  const call = (method: string, body?: unknown) => callApi(`http://127.0.0.1:${d.ports.http}/v1`, token, method, `lists/${LIST}/state`, body);
  try {
    assert.equal((await call("PUT", { state: stateOf("a", 1) })).status, 200);
    let expected = "a";
    for (let i = 0; i < 8; i++) {
      const next = expected === "a" ? "b" : "a";
      const sent = call("PUT", { state: stateOf(next, i + 2) }).then(
        (r) => r.status,
        () => 0,
      );
      await new Promise((r) => setTimeout(r, i * 15));
      await d.kill();
      const answered = await sent;
      d = await startDaemon(ws);
      const r = await call("GET");
      assert.equal(r.status, 200);
      const state = (r.json as { state: { notes: string[]; runs: number } }).state;
      const letter = state.notes[0]![0]!;
      assert.ok(letter === "a" || letter === "b");
      assert.deepEqual(state, stateOf(letter, state.runs), "one state whole");
      assert.ok(letter === expected || letter === next, `kill ${i}: ${letter}`);
      // Answered 200 before the kill: it was set (the write is on the disk before the answer).
      if (answered === 200) assert.equal(letter, next, `kill ${i}: answered, so set`);
      expected = letter;
    }
  } finally {
    await d.stop();
    rmSync(ws.dir, { recursive: true, force: true });
  }
});
