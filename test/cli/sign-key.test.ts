/**
 * `thwonkc run` and `thwonkc test` sign tokens with the public test key, the
 * same on every machine, or with the key given by `--sign-key` (to check a
 * token a deployed list sent, given its key).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { TEST_TOKEN_KEY, tokenMac } from "../../runtime/sandbox/tokens.js";
import { runCli, tempDir } from "../helpers/cli.js";

const RULE = `rule tok
on message(m: Message) {
  log(list.sign("subscribe {m.from}", 2026-12-04T00:00:00Z))
  log("{list.verify(m.subject, "subscribe {m.from}")}")
}
`;
const EML = (subject: string) => `From: Ann <ann@example.org>\r\nTo: tok@example.org\r\nSubject: ${subject}\r\nMessage-ID: <1@example.org>\r\n\r\nhi\r\n`;
const expires = Date.UTC(2026, 11, 4);
const token = (key: string) => `${expires.toString(36)}.${tokenMac(key, "tok@example.org", expires, JSON.stringify("subscribe ann@example.org"))}`;

test("run signs with the public test key by default, and with --sign-key when given", async () => {
  const dir = tempDir({ "tok.thwonk": RULE, "a.eml": EML(token("k2")) });
  try {
    const plain = await runCli(["run", "tok.thwonk", "-m", "a.eml", "--at", "2026-12-01T00:00:00Z", "--json"], { cwd: dir.dir });
    assert.equal(plain.code, 0, plain.stderr);
    const logs = (JSON.parse(plain.stdout) as { actions: { text: string }[] }).actions.map((a) => a.text);
    assert.deepEqual(logs, [token(TEST_TOKEN_KEY), "false"]);
    const keyed = await runCli(["run", "tok.thwonk", "-m", "a.eml", "--at", "2026-12-01T00:00:00Z", "--json", "--sign-key", "k2"], { cwd: dir.dir });
    assert.equal(keyed.code, 0, keyed.stderr);
    assert.deepEqual((JSON.parse(keyed.stdout) as { actions: { text: string }[] }).actions.map((a) => a.text), [token("k2"), "true"]);
  } finally {
    dir.remove();
  }
});

test("test takes --sign-key: a token written into a test verifies only under its key", async () => {
  const testFile = `test "the token verifies" {\n  now = 2026-12-01T00:00:00Z\n  message = { from: "ann@example.org", subject: "${token("k2")}", text: "" }\n  expect log(text: "true")\n}\n`;
  const dir = tempDir({ "tok.thwonk": RULE, "tok.test.thwonk": testFile });
  try {
    const keyed = await runCli(["test", "tok.thwonk", "--sign-key", "k2"], { cwd: dir.dir });
    assert.match(keyed.stdout, /1 passed, 0 failed/, keyed.stdout + keyed.stderr);
    const plain = await runCli(["test", "tok.thwonk"], { cwd: dir.dir });
    assert.match(plain.stdout, /0 passed, 1 failed/, plain.stdout + plain.stderr);
  } finally {
    dir.remove();
  }
});
