// A local SMTP sink for bench/delivery/run.js: smtp-server that reads and drops
// every message and counts its accepted recipients. First stdout line:
// {"smtp":PORT}. On stdin, "expect N" resets the count; the sink prints
// "reached" when N recipients have been accepted (after DATA) since.
import { createInterface } from "node:readline";
import { SMTPServer } from "smtp-server";

let count = 0;
let target = Number.POSITIVE_INFINITY;
const server = new SMTPServer({
  name: "sink",
  banner: "sink",
  authOptional: true,
  disabledCommands: ["AUTH", "STARTTLS"],
  logger: false,
  size: 50 * 1024 * 1024,
  onData(stream, session, cb) {
    stream.on("data", () => undefined);
    stream.on("end", () => {
      count += session.envelope.rcptTo.length;
      cb();
      if (count >= target) {
        target = Number.POSITIVE_INFINITY;
        process.stdout.write("reached\n");
      }
    });
  },
});
createInterface({ input: process.stdin }).on("line", (line) => {
  const m = /^expect (\d+)$/.exec(line.trim());
  if (m) {
    count = 0;
    target = Number(m[1]);
  }
});
server.listen(0, "127.0.0.1", () => process.stdout.write(JSON.stringify({ smtp: server.server.address().port }) + "\n"));
process.on("SIGTERM", () => server.close(() => process.exit(0)));
