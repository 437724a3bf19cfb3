/**
 * How a delivery status report's field groups are told apart (runtime/daemon/bounces.ts readDsn): a report that
 * leaves out the per-message group keeps its first recipient, and a separator line of blanks separates two
 * recipients' groups instead of folding the second into the first.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { isHardFailure, readDsn } from "../../runtime/daemon/bounces.js";
import { statusReport } from "./helpers.js";

const read = async (status: string[]) =>
  (await readDsn(statusReport(status)))?.recipients.map((r) => [r.finalRecipient, r.action, r.status, isHardFailure(r)]);

test("a report without the per-message group: its first recipient is read too", async () => {
  assert.deepEqual(
    await read(["Final-Recipient: rfc822; ann@example.org", "Action: failed", "Status: 5.1.1", "", "Final-Recipient: rfc822; bob@example.org", "Action: failed", "Status: 5.2.2"]),
    [
      ["ann@example.org", "failed", "5.1.1", true],
      ["bob@example.org", "failed", "5.2.2", true],
    ],
  );
  // With it, as RFC 3464 writes it: the same recipients, the per-message fields naming none.
  assert.deepEqual(
    await read(["Reporting-MTA: dns; mx.example.net", "Arrival-Date: Sun, 6 Dec 2026 10:00:00 +0000", "", "Final-Recipient: rfc822; ann@example.org", "Action: failed", "Status: 5.1.1"]),
    [["ann@example.org", "failed", "5.1.1", true]],
  );
});

test("a separator line of blanks between two recipients' groups: each is read with its own fields", async () => {
  assert.deepEqual(
    await read([
      "Reporting-MTA: dns; mx.example.net",
      " ",
      "Final-Recipient: rfc822; ann@example.org",
      "Action: delayed",
      "Status: 4.4.7",
      "\t ",
      "Final-Recipient: rfc822; bob@example.org",
      "Action: failed",
      "Status: 5.1.1",
      "Diagnostic-Code: smtp; 550 5.1.1 no such",
      "  user",
    ]),
    [
      ["ann@example.org", "delayed", "4.4.7", false],
      ["bob@example.org", "failed", "5.1.1", true],
    ],
  );
});
