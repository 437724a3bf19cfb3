// `npm start`: thwonkd on the embedded default for a first look: the store
// and the outbox under ./data, SMTP on 127.0.0.1:2525, the API on
// 127.0.0.1:8025, every example deployed at NAME@lists.localhost with the
// members of its members.txt. Prints thwonkd's first line (the ports, as
// JSON), then how to send a message and where to see what was sent.
// Arguments are passed on to thwonkd and win over these defaults
// (e.g. `npm start -- --data /tmp/t --smtp 127.0.0.1:0 --http 127.0.0.1:0`).
import { spawn } from "node:child_process";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const args = ["--data", "data", "--deploy", join(root, "examples"), "--domain", "lists.localhost", ...process.argv.slice(2)];
// The launcher itself, so its #! line gives node the daemon's flags.
const child = spawn(join(root, "bin", "thwonkd.js"), args, { stdio: ["ignore", "pipe", "inherit"] });

for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => child.kill(signal));
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));

let buffered = "";
let ready = false;
child.stdout.on("data", (chunk) => {
  process.stdout.write(chunk);
  if (ready) return;
  buffered += chunk.toString();
  const nl = buffered.indexOf("\n");
  if (nl < 0) return;
  ready = true;
  hint(JSON.parse(buffered.slice(0, nl)));
});

/** A path as short as it can be written from here. */
function short(p) {
  const r = relative(process.cwd(), p);
  return r && !r.startsWith("..") ? r : p;
}

function hint(up) {
  const smtp = up.smtp === 2525 ? "" : ` --server smtp://127.0.0.1:${up.smtp}`;
  const http = up.http === 8025 ? "" : ` --server http://127.0.0.1:${up.http}`;
  const data = short(up.data);
  const list = up.lists.includes("trim140@lists.localhost") ? "trim140@lists.localhost" : (up.lists[0] ?? "LIST@lists.localhost");
  const eml = short(join(root, "examples", "trim140", "weather.eml"));
  process.stdout.write(`
thwonkd is running: SMTP on 127.0.0.1:${up.smtp}, API on http://127.0.0.1:${up.http}/v1, data in ${data}
Lists (each with the members of examples/NAME/members.txt):
${up.lists.map((l) => `  ${l}`).join("\n")}

Send a message (a real SMTP submission):
  npx thwonkc mail ${eml} --to ${list}${smtp}
  swaks --server 127.0.0.1:${up.smtp} --from ann@example.org --to ${list}

See what the rules sent (Maildir, one file per message, written just after the 250):
  ls ${short(join(up.outbox, "new"))}
See the runs, the state, the members (the admin token is ${short(up.token)}):
  npx thwonkc runs ${list} --data ${data}${http}
  npx thwonkc members list ${list} --data ${data}${http}

Stop with Ctrl-C.
`);
}
