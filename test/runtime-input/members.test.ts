/** Members files, text and JSON: what is read, and where each bad entry is. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { parseMembersJson, parseMembersText, readMembers } from "../../runtime/input/index.js";

const FILE = [
  "# The committee",
  "ann@example.org",
  "Bob Stone <bob@EXAMPLE.org>",
  '"Lee, Carol \\"C\\"" <carol@example.org>   # the treasurer',
  "",
  "   dan+lists@Example.Net  ",
  "not an address",
  "eve@",
  "ANN@example.org",
  "frank#1@example.org",
  `Long <${"x".repeat(60)}@${"d".repeat(300)}.org>`,
  `${"N".repeat(257)} <gina@example.org>`,
].join("\r\n");

test("the text form: bare addresses, names (quoted too), comments, blank lines; order kept", () => {
  const { members, problems } = parseMembersText(FILE, { joined: 42 });
  assert.deepEqual(members, [
    { address: "ann@example.org", name: "", role: "member", joined: 42 },
    { address: "bob@example.org", name: "Bob Stone", role: "member", joined: 42 },
    { address: "carol@example.org", name: 'Lee, Carol "C"', role: "member", joined: 42 },
    { address: "dan+lists@example.net", name: "", role: "member", joined: 42 },
    { address: "frank#1@example.org", name: "", role: "member", joined: 42 },
  ]);
  assert.deepEqual(problems.map((p) => [p.code, p.line]), [
    ["TW5022", 7],
    ["TW5022", 8],
    ["TW5022", 9],
    ["TW5022", 11],
    ["TW5022", 12],
  ]);
  assert.match(problems[0]!.message, /^The member at line 7 was not accepted: "not an address" is not an e-mail address\. Fix or remove that entry\.$/);
  // Addresses compare without case: ANN@ is ann@ (contract/values.ts).
  assert.match(problems[2]!.message, /ann@example\.org is already listed \(line 2\)/);
  assert.match(problems[4]!.message, /name is 257 characters long; a name has at most 256/);
});

test("duplicates are reported with the line of the first; the file name goes into messages", () => {
  const { members, problems } = parseMembersText("ann@example.org\nbob@example.org\nann@EXAMPLE.ORG\n", { source: "members.txt" });
  assert.deepEqual(members.map((m) => m.address), ["ann@example.org", "bob@example.org"]);
  assert.equal(problems.length, 1);
  assert.match(problems[0]!.message, /^The member at members\.txt:3 was not accepted: ann@example\.org is already listed \(line 1\)/);
});

test("the JSON form: addresses or objects with name, role and joined (epoch ms or ISO 8601)", () => {
  const json = JSON.stringify([
    "ann@example.org",
    { address: "bob@example.org", name: "Bob", role: "owner", joined: 1000 },
    { address: "carol@example.org", role: "moderator", joined: "2026-03-01T10:00:00Z" },
    { address: "dan@example.org", joined: "2026-03-01" },
    { address: "eve@example.org", role: "admin" },
    { address: "fay@example.org", joined: "yesterday" },
    { address: "gus@example.org", name: 7 },
    42,
    { name: "no address" },
  ]);
  const { members, problems } = parseMembersJson(json);
  assert.deepEqual(members, [
    { address: "ann@example.org", name: "", role: "member", joined: 0 },
    { address: "bob@example.org", name: "Bob", role: "owner", joined: 1000 },
    { address: "carol@example.org", name: "", role: "moderator", joined: Date.UTC(2026, 2, 1, 10) },
    { address: "dan@example.org", name: "", role: "member", joined: Date.UTC(2026, 2, 1) },
  ]);
  assert.deepEqual(problems.map((p) => p.line), [5, 6, 7, 8, 9]);
  assert.match(problems[0]!.message, /entry 5 .*role "admin" is not one of member, moderator, owner/);
  assert.match(problems[1]!.message, /`joined` "yesterday" is not a time/);
});

test("bad JSON and a JSON value that is not an array are reported, not thrown", () => {
  assert.match(parseMembersJson("[1, 2").problems[0]!.message, /not valid JSON/);
  assert.match(parseMembersJson({ members: [] }).problems[0]!.message, /array of addresses/);
});

test("readMembers picks the form by the first character", () => {
  assert.deepEqual(readMembers('  ["ann@example.org"]').members.map((m) => m.address), ["ann@example.org"]);
  assert.deepEqual(readMembers("ann@example.org\n").members.map((m) => m.address), ["ann@example.org"]);
});

test("an address written with its domain in Unicode is the member at that domain in ASCII (xn--): the same member as its punycode form", () => {
  const { members, problems } = parseMembersText(["Wang <\u7528\u6237@\u4f8b\u5b50.\u5e7f\u544a>", "\u7528\u6237@XN--FSQU00A.XN--4RR70V", "ann@b\u00fccher.example"].join("\n"), { joined: 1 });
  assert.deepEqual(
    members.map((m) => [m.address, m.name]),
    [
      ["\u7528\u6237@xn--fsqu00a.xn--4rr70v", "Wang"],
      ["ann@xn--bcher-kva.example", ""],
    ],
  );
  assert.deepEqual(problems.map((p) => p.line), [2], "the punycode spelling is already listed");
  assert.deepEqual(parseMembersJson(JSON.stringify(["ann@B\u00dcCHER.example"])).members.map((m) => m.address), ["ann@xn--bcher-kva.example"]);
});
