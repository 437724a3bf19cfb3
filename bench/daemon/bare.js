// The baseline for bench/daemon/run.js: a bare smtp-server that only parses
// each message with mailparser and answers 250, configured as thwonkd's
// ingress is (runtime/daemon/smtp.ts). First stdout line: {"smtp":PORT}.
import { SMTPServer } from "smtp-server";
import { simpleParser } from "mailparser";
import { baselineOptions } from "./smtp-options.js";

const server = new SMTPServer(
  baselineOptions("bare", (stream, _session, cb) => {
    simpleParser(stream).then(() => cb(), cb);
  }),
);
server.listen(0, "127.0.0.1", () => process.stdout.write(JSON.stringify({ smtp: server.server.address().port }) + "\n"));
process.on("SIGTERM", () => server.close(() => process.exit(0)));
