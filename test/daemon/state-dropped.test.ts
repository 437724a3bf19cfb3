/**
 * What a deploy with `allowDataLoss` says it dropped (TW6041, daemon.ts swapCheck; compat.ts droppedPaths): the
 * removed fields and record fields whose values the list's state holds, not every one the old version declared. A
 * field left out of a state set, a record field of a none record or of the records of an empty list or map has no
 * stored value, and nothing of it is lost.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { compareVersions, versionSchema } from "../../compiler/index.js";
import { compileSource } from "../../compiler/emit/bundle.js";
import { listDaemon } from "./helpers.js";

const LIST = "drop@example.org";
const OLD = `rule drop

state {
  kept: int = 0
  gone: int = 0
  unsaved: int = 0
  r: { a: int, b: int }? = none
  items: List<{ a: int, b: int }> max 10 = []
  byName: Map<string max 20, { a: int, b: int }> max 10 = {}
}

on message(_m: Message) {
  state.kept += state.gone + state.unsaved + state.items.size + state.byName.size
  if state.r != none { state.kept += 1 }
}
`;
const NEW = `rule drop

state {
  kept: int = 0
  r: { a: int }? = none
  items: List<{ a: int }> max 10 = []
  byName: Map<string max 20, { a: int }> max 10 = {}
}

on message(_m: Message) {
  state.kept += state.items.size + state.byName.size
  if state.r != none { state.kept += 1 }
}
`;

test("allowDataLoss reports only the fields whose stored values it drops, and drops them", async () => {
  const d = await listDaemon({ source: OLD, fileName: "drop.thwonk", addresses: [LIST] });
  try {
    // `unsaved` is left out (it would start at its initial value), `r` is none, `items` empty: only `gone` and the
    // `b` of byName's one record hold values.
    await d.daemon.setState(LIST, { kept: 1, gone: 2, r: null, items: [], byName: { ann: { a: 3, b: 4 } } });
    const r = await d.daemon.deploy({ source: NEW, addresses: [LIST], allowDataLoss: true });
    assert.equal(r.ok, true, JSON.stringify(r));
    const said = r.addresses[0]!.dropped!.join(" ");
    assert.match(said, /^TW6041 The new version at drop@example\.org does not have `state\.gone`, `state\.byName\[\]\.b`, so/);
    assert.doesNotMatch(said, /unsaved|state\.r\.b|items/);
    assert.deepEqual((await d.daemon.stateAsDeployed(LIST)).state, { kept: 1, r: null, items: [], byName: { ann: { a: 3 } } });
  } finally {
    await d.close();
  }
});

test("allowDataLoss over a state that holds none of the removed fields' values: nothing is said to be dropped, and the state is kept as it was", async () => {
  const d = await listDaemon({ source: OLD, fileName: "drop.thwonk", addresses: [LIST] });
  try {
    await d.daemon.setState(LIST, { kept: 5, items: [] });
    const before = await d.daemon.state(LIST);
    const r = await d.daemon.deploy({ source: NEW, addresses: [LIST], allowDataLoss: true });
    assert.equal(r.ok, true, JSON.stringify(r));
    assert.equal(r.addresses[0]!.dropped, undefined, JSON.stringify(r.addresses[0]));
    assert.deepEqual(await d.daemon.state(LIST), before);
  } finally {
    await d.close();
  }
});

test("compareVersions with the stored data warns (TW4026) of the removed fields it holds only; without data, of every removed field", () => {
  const schema = (source: string) => versionSchema(compileSource("drop.thwonk", source).bundle!.manifest);
  const [before, after] = [schema(OLD), schema(NEW)];
  const dropped = (o: Parameters<typeof compareVersions>[2]) =>
    compareVersions(before, after, o)
      .filter((p) => p.message.code === "TW4026")
      .map((p) => p.args[0]);
  assert.deepEqual(dropped({ allowDataLoss: true }), ["state.gone", "state.unsaved", "state.r.b", "state.items[].b", "state.byName[].b"]);
  assert.deepEqual(dropped({ allowDataLoss: true, state: { kept: 1, gone: 2, r: { a: 1, b: 2 }, items: [{ a: 1, b: 2 }] } }), ["state.gone", "state.r.b", "state.items[].b"]);
  assert.deepEqual(dropped({ allowDataLoss: true, state: {} }), []);
  // Without allowDataLoss a removed field is still refused (TW4020), stored or not: the schema says what may be lost.
  assert.equal(compareVersions(before, after, { state: {} }).filter((p) => p.message.code === "TW4020").length, 5);
});
