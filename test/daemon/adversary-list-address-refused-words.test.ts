/**
 * TW6044 (a list deployed before the address rules, at an address a deploy now refuses) for a list over
 * LIST_ADDRESS_MAX but within what SMTP takes (246 to 253 characters): its own address still takes mail (smtp-server
 * takes a path up to 253, and the runner finds the list), only its -request and -bounces addresses, 8 longer, do
 * not. The start report said "SMTP refuses mail to it: no mail reaches it", which was not so, and would have an owner
 * tell the members that mail no longer arrives. Now it names what SMTP refuses. A real Daemon, the list put in the
 * store as an older thwonkd left it.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { Daemon } from "../../runtime/daemon/daemon.js";
import { createLogger } from "../../runtime/daemon/log.js";
import { LIST_ADDRESS_MAX } from "../../runtime/daemon/smtp.js";
import { postTo } from "./helpers.js";

const RULE = `rule open

on message(m: Message) {
  send(to: members, subject: m.subject, text: m.text)
}
`;
const LONG = `${"a".repeat(LIST_ADDRESS_MAX + 5 - "@example.org".length)}@example.org`;

test("a list of 250 characters deployed earlier: TW6044 says its -request and -bounces addresses are refused, and mail to it still runs", async () => {
  const dir = mkdtempSync(join(tmpdir(), "thwonkd-list-"));
  const log = createLogger({ level: "silent", pretty: false });
  try {
    let daemon = await Daemon.open({ dataDir: dir, log, workers: 1 });
    const r = await daemon.deploy({ source: RULE, fileName: "open.thwonk", addresses: ["open@example.org"] });
    assert.equal(r.ok, true);
    // As a thwonkd from before TW6043 deployed it.
    await daemon.store.deploy(LONG, daemon.runner.bundleAt("open@example.org")!.sha256, Date.now(), []);
    await daemon.close();
    daemon = await Daemon.open({ dataDir: dir, log, workers: 1 });
    try {
      const line = daemon.startReport.find((l) => l.includes(LONG));
      assert.ok(line, daemon.startReport.join("\n"));
      assert.match(line, /^TW6044 /);
      assert.doesNotMatch(line, /no mail reaches it|refuses mail to it\b/, line);
      assert.match(line, /-request and -bounces addresses/);
      await daemon.addMembers(LONG, [{ address: "ann@example.org", name: "Ann" }]);
      daemon.start();
      const sent = await postTo(daemon, LONG, "ann@example.org", "hi");
      assert.equal(sent.code, 250);
      assert.deepEqual(sent.to, ["ann@example.org"]);
    } finally {
      await daemon.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
