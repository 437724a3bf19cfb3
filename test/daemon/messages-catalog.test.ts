/**
 * The daemon's catalog (runtime/daemon/messages.ts): one code names one message. Two branches that each took the
 * next free code once gave two messages TW6045; a code's meaning must not depend on which one a reader finds.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { daemonMessages } from "../../runtime/daemon/messages.js";

test("every daemon message has a code of its own, TW6nnn, and a title", () => {
  const byCode = new Map<string, string>();
  for (const [name, m] of Object.entries(daemonMessages)) {
    assert.match(m.code, /^TW6\d{3}$/, name);
    assert.ok(m.title.length > 0, name);
    const other = byCode.get(m.code);
    assert.equal(other, undefined, `${m.code} is both ${other} and ${name}`);
    byCode.set(m.code, name);
  }
});
