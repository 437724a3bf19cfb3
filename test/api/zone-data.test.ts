/**
 * Time zones come from the host's ICU: a bundle of a rule with a time zone
 * records the zone data it was compiled against (`manifest.zoneData`, Node's
 * `process.versions.tz`), and reading it on a host with other data says so
 * (TW4029, a warning: the bundle is still good, its offsets may differ).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { compileSource, readBundle, serializeBundle } from "../../compiler/index.js";
import { contentHash } from "../../compiler/emit/bundle.js";

const ZONED = 'rule z\nsettings { timezone: "Europe/Paris" }\nevery day at 09:00 {\n  log("morning")\n}\n';
const UTC = 'rule u\nevery day at 09:00 {\n  log("morning")\n}\n';

test("a rule with a time zone records this host's zone data; a UTC rule depends on none", () => {
  const z = compileSource("z.thwonk", ZONED).bundle;
  const u = compileSource("u.thwonk", UTC).bundle;
  assert.ok(z && u);
  assert.equal(z.manifest.zoneData, process.versions.tz ?? null);
  assert.equal(u.manifest.zoneData, null);
  assert.deepEqual(readBundle("z.thwb", serializeBundle(z)).diagnostics, [], "same host, same data: nothing to say");
});

test("a bundle compiled against other zone data is read, with a warning (TW4029)", () => {
  const z = compileSource("z.thwonk", ZONED).bundle!;
  const { sha256: _, ...body } = { ...z, manifest: { ...z.manifest, zoneData: "1999z" } };
  const other = { ...body, sha256: contentHash(body) };
  const r = readBundle("z.thwb", serializeBundle(other));
  assert.ok(r.bundle, JSON.stringify(r.diagnostics));
  assert.deepEqual(r.diagnostics.map((d) => [d.code, d.severity]), [["TW4029", "warning"]]);
  assert.match(r.diagnostics[0]!.message, /`Europe\/Paris` was compiled against zone data 1999z, and this host has /);
  // Anything else changed with it is still refused.
  const { sha256: __, ...body2 } = { ...other, manifest: { ...other.manifest, zoneData: "1999z", rule: "zz" } };
  assert.deepEqual(readBundle("z.thwb", serializeBundle({ ...body2, sha256: contentHash(body2) })).diagnostics.map((d) => d.code), ["TW4006"]);
});
