/**
 * Adversary of `thwonkc lists`: addresses past ASCII (EAI local parts) in the table. Its columns are padded to what
 * a terminal shows, so a CJK address (two columns a character) or one with a combining mark does not push its row's
 * RULE, BUNDLE and MEMBERS out of line with the header's. Real thwonkd, real HTTP, the real thwonkc.
 */
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { cliIn, startDaemon, workspace } from "./helpers.js";

const RULE = `rule fan

on message(m: Message) {
  send(to: members, subject: m.subject, text: m.text)
}
`;

/** Terminal columns, counted here on their own: CJK ideographs two, a combining mark none, anything else one. */
function columns(s: string): number {
  let n = 0;
  for (const c of s) n += /[\u4e00-\u9fff]/.test(c) ? 2 : /\p{M}/u.test(c) ? 0 : 1;
  return n;
}

test("thwonkc lists keeps its columns in line with CJK and decomposed addresses", async () => {
  const ws = workspace({});
  mkdirSync(ws.rules, { recursive: true });
  const d = await startDaemon(ws);
  try {
    const api = `http://127.0.0.1:${d.ports.http}`;
    const token = readFileSync(join(ws.data, "admin.token"), "utf8").trim();
    const res = await fetch(`${api}/v1/deploy`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ source: RULE, fileName: "fan.thwonk", addresses: ["日本語@example.org", "plain@example.org", "zoe\u0308@example.org"] }),
    });
    assert.equal(res.status, 200, await res.text());
    const r = await cliIn(ws.dir, ["lists", "--server", api, "--token", token]);
    assert.equal(r.code, 0, r.err);
    const lines = r.out.split("\n").filter((l) => l.includes("@") || l.startsWith("ADDRESS"));
    assert.equal(lines.length, 4, r.out);
    const at = (line: string, word: string): number => columns(line.slice(0, line.indexOf(word)));
    const rule = at(lines[0]!, "RULE");
    const members = columns(lines[0]!.slice(0, lines[0]!.indexOf("MEMBERS") + "MEMBERS".length));
    for (const line of lines.slice(1)) {
      assert.equal(at(line, " fan ") + 1, rule, `RULE in line:\n${r.out}`);
      assert.equal(columns(line.trimEnd()), members, `MEMBERS in line:\n${r.out}`);
    }
  } finally {
    assert.equal(await d.stop(), 0);
    rmSync(ws.dir, { recursive: true, force: true });
  }
});
