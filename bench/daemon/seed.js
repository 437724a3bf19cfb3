// Deploys many lists straight into a thwonkd store (the rows the daemon's own
// deploy writes: the bundle, the deployment, the members), without going
// through HTTP one list at a time. Each distinct source is compiled (and so
// verified) once here, as a deploy would.
import { dirname, join } from "node:path";
import { mkdirSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const dist = (p) => import(pathToFileURL(join(root, "dist", p)).href);
const { compileSource, serializeBundle } = await dist("compiler/index.js");
const { openSqliteStore } = await dist("runtime/daemon/store/sqlite.js");

/** A one-member forwarding rule; `n` makes the source (and so the bundle) distinct. */
export function forwardSource(n = 0) {
  return `rule forward\n\nlimits { members: 10, fanout: 10 }\n\non message(m: Message) {\n  send(to: members, subject: m.subject.truncate(${100 + n}), text: m.text, from: "sender", replyTo: "list")\n}\n`;
}

/**
 * `lists` addresses `list0@DOMAIN`... (or `list@DOMAIN` for one), one member each; `distinct`: one bundle per
 * list instead of one for all. Returns the addresses and the seconds spent compiling.
 */
export async function seed(dataDir, { lists = 1, distinct = false, domain = "lists.localhost" } = {}) {
  mkdirSync(dataDir, { recursive: true });
  const store = openSqliteStore(join(dataDir, "thwonkd.sqlite"));
  const addresses = [];
  let compileMs = 0;
  let shared;
  const now = Date.now();
  for (let i = 0; i < lists; i++) {
    const address = lists === 1 ? `list@${domain}` : `list${i}@${domain}`;
    let bundle = distinct ? undefined : shared;
    if (!bundle) {
      const t = performance.now();
      const r = compileSource("forward.thwonk", forwardSource(distinct ? i : 0));
      compileMs += performance.now() - t;
      if (!r.bundle) throw new Error(r.diagnostics.map((d) => d.message).join("; "));
      bundle = r.bundle;
      shared = bundle;
      await store.putBundle({ hash: bundle.sha256, rule: bundle.manifest.rule, compiler: bundle.manifest.compiler, source: bundle.source.text, json: serializeBundle(bundle), createdAt: now });
    }
    await store.deploy(address, bundle.sha256, now);
    await store.setMembers(address, [{ address: `member${i}@example.org`, name: `Member ${i}`, role: "member", joined: now }]);
    addresses.push(address);
  }
  await store.close();
  return { addresses, compileSeconds: compileMs / 1000 };
}
