/**
 * A long `--public-url` and the one-click List-Unsubscribe field made from it (RFC 8058): a line of a message is at
 * most 998 octets (RFC 5322 2.1.1) and the field cannot be folded inside its URL, so a public URL too long for the
 * links of every list and member mail can go to is refused at start (TW6030, exit 2), and a copy whose link would
 * still pass the line (an address past an SMTP path's 254 octets) goes without one. A real thwonkd started with it,
 * and the field written by the code the relay's per-member copies go through (personal.ts withOneClick).
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { rmSync } from "node:fs";
import { test } from "node:test";
import { withOneClick } from "../../runtime/daemon/personal.js";
import { MAX_PUBLIC_URL, readToken, UNSUBSCRIBE_PATH, unsubscribeToken } from "../../runtime/daemon/unsubscribe.js";
import { startDaemon, workspace } from "./helpers.js";

/** An https URL of exactly `n` characters. */
const urlOf = (n: number): string => {
  const base = "https://lists.example.org/";
  return base + "p".repeat(n - base.length);
};

/** An address of 254 octets, the most an SMTP path holds (RFC 5321 4.5.3.1.3), with a local part past 64. */
const longest = (who: string): string => {
  const domain = `${"d".repeat(63)}.${"e".repeat(63)}.org`;
  return `${who}${"x".repeat(254 - 1 - domain.length - who.length)}@${domain}`;
};

const MESSAGE =
  "From: list <list@example.org>\r\nList-Unsubscribe: <mailto:list-request@example.org?subject=unsubscribe>\r\nSubject: hi\r\n\r\nbody\r\n";

/** The lines of the message's header, unfolded, longest first. */
const longestLine = (raw: Buffer): number => Math.max(...raw.toString("latin1").split("\r\n").map((l) => l.length));

test("a public URL too long for its one-click links is refused at start with TW6030; the longest allowed starts", async () => {
  const ws = workspace({ trim140: { example: "trim140", members: ["ann@example.org"] } });
  try {
    await assert.rejects(startDaemon(ws, { args: ["--one-click", "--public-url", urlOf(MAX_PUBLIC_URL + 1)] }), (err: Error) => {
      assert.match(err.message, /exited with 2 before it was ready/);
      assert.match(err.message, /thwonkd: TW6030 Cannot start: --public-url https:\/\/lists\.example\.org\/p+\.\.\.: it is \d+ characters long/);
      assert.match(err.message, new RegExp(`at most ${MAX_PUBLIC_URL} characters`));
      return true;
    });
    const d = await startDaemon(ws, { args: ["--one-click", "--public-url", urlOf(MAX_PUBLIC_URL)] });
    assert.equal(await d.stop(), 0);
  } finally {
    rmSync(ws.dir, { recursive: true, force: true });
  }
});

test("at the longest public URL, the link of a list and a member of 254 octets each fits a line and reads back", () => {
  const key = randomBytes(32);
  const list = longest("list");
  const member = longest("ann");
  assert.equal(list.length, 254);
  // The joined time as long as a token carries one (13 characters in base 36).
  const joined = Number.MIN_SAFE_INTEGER;
  const token = unsubscribeToken(key, list, member, joined);
  assert.deepEqual(readToken(key, token), { list, member, joined });
  const out = withOneClick(Buffer.from(MESSAGE, "latin1"), `${urlOf(MAX_PUBLIC_URL)}${UNSUBSCRIBE_PATH}${token}`);
  const text = out.toString("latin1");
  assert.match(text, /^List-Unsubscribe: <https:\/\/lists\.example\.org\/p+\/unsubscribe\/[^>]+>,\r\n <mailto:list-request@example\.org\?subject=unsubscribe>\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n/m);
  // Within one of the line: the bound leaves room for the longest joined time a token can carry.
  assert.ok(longestLine(out) >= 997 && longestLine(out) <= 998, String(longestLine(out)));
});

test("a link that would pass 998 octets is left out: the copy keeps its mailto field, and no line is too long", () => {
  const url = `${urlOf(MAX_PUBLIC_URL)}${UNSUBSCRIBE_PATH}${"t".repeat(998)}`;
  const raw = Buffer.from(MESSAGE, "latin1");
  const out = withOneClick(raw, url);
  assert.ok(out.equals(raw), out.toString("latin1"));
  assert.ok(longestLine(out) <= 998);
});
