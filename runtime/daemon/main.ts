/**
 * thwonkd: `thwonkd --data DIR [--smtp HOST:PORT] [--lmtp HOST:PORT]
 * [--http HOST:PORT] [--domain D] [--deploy DIR] [--relay smtp://HOST:PORT] [--config FILE]`.
 * The first line on stdout is one JSON object with the ports bound; logs go
 * to stderr. SIGTERM (or SIGINT): new connections get 421 (HTTP requests
 * 503), the work in flight finishes, then the process exits 0.
 */
import { randomUUID } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, statSync } from "node:fs";
import { DataInUse, type DataLock, LockFileUnusable, lockDataDir, LOCK_FILE } from "./data-lock.js";
import { diskFull } from "./disk-full.js";
import { directoryRules } from "./deploy-dir.js";
import { createServer, type Server } from "node:http";
import { basename, join, resolve } from "node:path";
import { Command } from "commander";
import { COMPILER_VERSION } from "../../compiler/index.js";
import { clockFromEnv, ConfigError, hostPort, resolveConfig, type DaemonConfig } from "./config.js";
import { Daemon, Refusal } from "./daemon.js";
import { RelayDelivery } from "./delivery.js";
import { createLogger, type Logger } from "./log.js";
import { apiHandler } from "./api.js";
import { adminAuthorizer, ensureAdminToken } from "./auth.js";
import { publishHandler } from "./publish.js";
import { createIngress, InFlight, type Ingress } from "./smtp.js";
import { loadDkimKeys } from "./dkim.js";
import { daemonMessages as M, say } from "./messages.js";
import { personalFrom, verpOf } from "./mail-out.js";
import { ensureUnsubscribeKey, MAX_PUBLIC_URL, UNSUBSCRIBE_PATH, unsubscribeHandler, unsubscribeToken } from "./unsubscribe.js";

/** A handler the HTTP server tries in turn; true when it answered. The API adds its own. */
export type HttpHandler = (req: import("node:http").IncomingMessage, res: import("node:http").ServerResponse) => Promise<boolean>;

export function healthHandler(daemon: Daemon, inFlight?: InFlight): HttpHandler {
  return async (req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    if (url.pathname !== "/v1/health") return false;
    // The mail in flight against its budget: how near the server is to answering 452.
    const flight = inFlight ? { inFlight: { bytes: inFlight.bytes, peak: inFlight.peak, limit: inFlight.limit } } : {};
    const outbox = { outboxSync: daemon.outbox.durability };
    // Retention: how long payloads are kept, the last sweep's report, when the next is due, and the store's size.
    const r = daemon.retention;
    const size = r ? await daemon.store.size() : undefined;
    const retention = r && size ? { retention: { keepDays: r.keepDays, lastSweep: r.last ?? null, nextSweepAt: r.nextAt, storeBytes: size.pages * size.pageSize, freeBytes: size.free * size.pageSize } } : {};
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ ok: true, compiler: COMPILER_VERSION, lists: daemon.lists().length, ...flight, ...outbox, ...retention }) + "\n");
    return true;
  };
}

/** The HTTP listener, with what SIGTERM needs of it: no new requests, then the requests in flight answered. */
export interface HttpServer extends Server {
  /** From now on a request gets 503 (TW6008) and its connection closes, as a new SMTP connection gets 421 (TW6007). */
  refuseNew(): void;
  /** Resolves once no request is being handled (its work queued with the lists, or done). */
  settled(): Promise<void>;
}

export function createHttp(handlers: HttpHandler[], log: Logger): HttpServer {
  let refusing = false;
  let handling = 0;
  const onSettled: (() => void)[] = [];
  const server = createServer((req, res) => {
    if (refusing) {
      // TW6008, not SMTP's TW6007: the request, not a message, is to be sent again. Retry-After (RFC 9110 10.2.3): the
      // stop lasts at least as long as it waits for the requests in flight, so no sooner than that. Under /v1 in the
      // API's own shape ({ error: { code, message } }), so thwonkc reports the refusal rather than "not JSON".
      const headers = { connection: "close", "retry-after": String(HTTP_GRACE_MS / 1000), "cache-control": "no-store" };
      const path = (req.url ?? "/").split("?")[0]!;
      if (path === "/v1" || path.startsWith("/v1/"))
        res.writeHead(503, { ...headers, "content-type": "application/json; charset=utf-8" }).end(`${JSON.stringify({ error: { code: M.httpStopping.code, message: say(M.httpStopping) } })}\n`);
      else res.writeHead(503, { ...headers, "content-type": "text/plain; charset=utf-8" }).end(`${say(M.httpStopping)}\n`);
      return;
    }
    handling++;
    void (async () => {
      for (const h of handlers) if (await h(req, res)) return;
      res.writeHead(404, { "content-type": "text/plain; charset=utf-8" }).end("not found\n");
    })()
      .catch((err) => {
        // As the API does (api.ts, TW6032): the cause stays in the log, the answer carries only the id to find it by.
        const errorId = randomUUID();
        // The path without an unsubscribe link's token: whoever reads the log could unsubscribe that member with it.
        const path = (req.url ?? "/").split("?")[0]!.replace(/^(\/unsubscribe\/).+/, "$1…");
        log.error({ err, errorId, method: req.method, path }, "HTTP handler failed");
        if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" }).end(`${say(M.serverFailed, errorId)}\n`);
        else res.destroy(); // part of an answer went: cut it, so the client does not take it as whole
      })
      .finally(() => {
        if (--handling === 0) for (const r of onSettled.splice(0)) r();
      });
  });
  return Object.assign(server, {
    refuseNew(): void {
      refusing = true;
    },
    settled(): Promise<void> {
      return handling === 0 ? Promise.resolve() : new Promise<void>((r) => onSettled.push(r));
    },
  });
}

/** How long SIGTERM waits for the HTTP requests in flight before it cuts their connections (smtp-server's closeTimeout). */
const HTTP_GRACE_MS = 5000;

/**
 * The mail listeners closed and what they took in answered (an LMTP message's recipients are delivered one after
 * the other, so the runner may be idle between two of them), and the API's requests in flight answered (a deploy, a
 * change of members, an approval): their work reaches the lists' queues while the scheduler still orders it, not
 * after it stopped or the store closed. A request whose client stalls is cut after HTTP_GRACE_MS, as smtp-server
 * cuts a session.
 */
async function closeListeners(ingresses: readonly Ingress[], http: HttpServer): Promise<void> {
  await Promise.all(ingresses.map((i) => i.close()));
  await Promise.all(ingresses.map((i) => i.settled()));
  await httpSettled(http);
}

/** The HTTP listener closed, its idle keep-alive connections with it. */
function closeHttp(http: HttpServer): Promise<void> {
  return new Promise<void>((r) => {
    http.close(() => r());
    http.closeAllConnections();
  });
}

/** The HTTP requests in flight answered, or HTTP_GRACE_MS passed. */
async function httpSettled(http: HttpServer): Promise<void> {
  let grace: NodeJS.Timeout | undefined;
  await Promise.race([http.settled(), new Promise<void>((r) => (grace = setTimeout(r, HTTP_GRACE_MS)))]);
  clearTimeout(grace);
}

class CannotListen extends Error {}

/** The port `listening` bound, or CannotListen saying which listener, where and why, for the errors a user can fix. */
async function bound(what: string, at: string, listening: () => Promise<number>): Promise<number> {
  try {
    return await listening();
  } catch (err) {
    const why = LISTEN_ERRORS[(err as NodeJS.ErrnoException).code ?? ""];
    if (why === undefined) throw err;
    throw new CannotListen(say(M.cannotListen, what, at, why));
  }
}

const LISTEN_ERRORS: Record<string, string> = {
  EADDRINUSE: "the address is already in use (by another thwonkd, or another server?)",
  EACCES: "permission denied (ports below 1024 need privileges)",
  EADDRNOTAVAIL: "this machine has no such address",
};

function listen(server: Server, host: string, port: number): Promise<number> {
  return new Promise((ok, fail) => {
    server.once("error", fail);
    server.listen(port, host, () => {
      const a = server.address();
      ok(typeof a === "object" && a ? a.port : port);
    });
  });
}

/**
 * Each rule of a directory (NAME.thwonk or NAME.ts, or NAME/NAME.thwonk or
 * NAME/NAME.ts) at NAME@domain, `_` as `-`; its members file (members.txt
 * or members.json beside it) if the list has none. Where a rule and its
 * TypeScript twin are both there, NAME.thwonk is the list's rule and the
 * twin is skipped, with a log line.
 */
async function deployDirectory(daemon: Daemon, dir: string, domain: string, log: Logger): Promise<void> {
  const rules = directoryRules(dir);
  for (const twin of rules.skipped) log.info({ file: twin }, "not deployed: a TypeScript twin of the .thwonk rule beside it, which is deployed");
  for (const file of rules.deploy) {
    const name = basename(file).replace(/\.(thwonk|ts)$/, "");
    const address = `${name.replace(/_/g, "-")}@${domain}`;
    // A list removed (thwonkc lists remove) stays removed: its rule still in the directory does not bring it back.
    if (!daemon.runner.bundleAt(address)) {
      const removed = (await daemon.store.removals(address)).at(-1);
      if (removed) {
        log.warn(
          { file, list: address, removedAt: new Date(removed.removedAt).toISOString() },
          `not deployed: the list at ${address} was removed (thwonkc lists remove); to have it again, deploy it (thwonkc deploy ${file} --address ${address}), or take the rule out of ${dir}`,
        );
        continue;
      }
    }
    // Whether the list has members as this start finds it, before the deploy: a schedule due before the deploy runs
    // first (main.ts orders before deploying), and one that empties the list does not bring the file's members back.
    const had = await daemon.members(address).then(
      (now) => now.members.length,
      (err: unknown) => {
        if (err instanceof Refusal) return 0; // not deployed yet
        throw err;
      },
    );
    const r = await daemon.deploy({ source: readFileSync(file, "utf8"), fileName: basename(file), addresses: [address] });
    if (!r.ok) {
      log.warn({ file, problems: [...r.problems, ...r.addresses.flatMap((a) => a.problems)] }, "not deployed");
      continue;
    }
    const at = join(file, "..");
    for (const m of ["members.txt", "members.json"]) {
      if (!existsSync(join(at, m))) continue;
      if (had === 0 && (await daemon.members(address)).members.length === 0) {
        // A file the import refuses (all or nothing: an entry that is no address) is said, as a rule that does not
        // compile is, and the start goes on: thrown, it ended the start with a stack trace, the list deployed.
        await daemon.importMembers(address, readFileSync(join(at, m), "utf8")).catch((err: unknown) => {
          if (!(err instanceof Refusal)) throw err;
          log.warn({ file: join(at, m), problem: err.message }, "members not imported: the list has none until the file is fixed (the next start tries it again)");
        });
      }
      break;
    }
  }
}

export async function main(argv: string[]): Promise<number> {
  const program = new Command("thwonkd")
    .description("The Thwonk daemon: mail in over SMTP/LMTP, the deployed rules run in order, nothing acknowledged lost.")
    .option("--data <dir>", "data directory (the store, the outbox)")
    .option("--smtp <host:port>", "SMTP listener (default 127.0.0.1:2525; port 0: any free port)")
    .option("--lmtp <host:port>", "LMTP listener (off by default)")
    .option("--http <host:port>", "HTTP listener: /v1 and published files (default 127.0.0.1:8025)")
    .option("--domain <domain>", "domain of the lists deployed with --deploy (default lists.localhost)")
    // Repeated, each directory is deployed (as `deploy` in the config is a list): the last alone was, silently.
    .option("--deploy <dir>", "deploy every rule in DIR at start (NAME@DOMAIN); give it again for more directories", (dir: string, dirs: string[] = []) => [...dirs, dir])
    .option("--size <bytes>", "largest message accepted (default 10485760)")
    .option("--max-connections <n>", "most connections at once per listener; past it a new one gets 421 (default 1000)")
    .option("--in-flight <bytes>", "most bytes of mail taken in or running at once; past it a message gets 452, to send again (default 268435456)")
    .option("--workers <n>", "sandbox workers (default: the cores, at most 4; 256 at most)")
    .option("--outbox-sync <how>", "syncfs: the outbox's files made durable with one sync of their file system a batch, where it can (default); fdatasync: each file")
    .option("--relay <url>", "deliver through this SMTP relay (smtp://HOST:PORT); without it mail goes to the Maildir outbox")
    .option("--relay-batch <n>", "most recipients in one SMTP transaction (default 100)")
    .option("--relay-retry-min <ms>", "first wait after a 4xx or an unreachable relay, doubled each attempt (default 30000)")
    .option("--relay-retry-max <ms>", "longest wait between attempts (default 3600000)")
    .option("--dead-after <ms>", "give a message up as a dead letter this long after its commit (default 5 days)")
    .option("--hop-limit <n>", "do not run a message that passed through more lists than this (default 10)")
    .option("--hold-expiry <ms>", "a held message nobody approves or rejects this long expires, unsent (default 14 days)")
    .option("--dkim <domain=selector:keyfile,...>", "sign each domain's list mail with this DKIM key (thwonkc dkim-key DOMAIN makes one); give it again for more domains", (pair: string, pairs?: string) =>
      pairs === undefined ? pair : `${pairs},${pair}`,
    )
    .option("--public-url <url>", "where mailbox providers reach the HTTP side, for one-click unsubscribe links (default http://HOST:PORT of --http)")
    .option("--one-click", "one-click unsubscribe (RFC 8058) on every list: a signed link per member, one SMTP transaction per recipient")
    .option("--keep <days>", "remove the bytes of messages, runs' actions and outgoing mail older than DAYS days, keeping their records (default: keep them for ever)")
    .option("--config <file>", "JSON config file")
    .exitOverride();
  let cfg: DaemonConfig;
  try {
    program.parse(argv, { from: "user" });
    const f = program.opts<Record<string, unknown>>();
    const flags: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(f)) if (v !== undefined) flags[k] = v;
    cfg = resolveConfig(flags, process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`thwonkd: ${err.message}\n`);
      return 2;
    }
    const code = (err as { exitCode?: number }).exitCode;
    if (code !== undefined) return code === 0 ? 0 : 2;
    throw err;
  }
  const log = createLogger({ level: cfg.logLevel });
  const dataDir = resolve(cfg.data);
  try {
    return await serve(cfg, dataDir, log);
  } catch (err) {
    // What it was given cannot be used (a data directory that is a file, a store that is not SQLite's): said in one
    // line, exit 2, as a bad flag is; anything else is a fault of thwonkd's own, with its stack.
    const why = cannotStart(err, dataDir);
    if (why === undefined) throw err;
    process.stderr.write(`thwonkd: ${why}\n`);
    return 2;
  }
}

/** Each --deploy directory, before anything starts: one that is not there is a mistyped flag. */
function checkDeployDirs(dirs: readonly string[]): void {
  for (const dir of dirs) {
    let isDir = false;
    try {
      isDir = statSync(dir).isDirectory();
    } catch {
      isDir = false;
    }
    if (!isDir) throw new StartProblem(say(M.cannotStart, `--deploy ${dir}:`, existsSync(dir) ? "it is not a directory" : "there is no such directory", "Give the directory that holds the rules (NAME.thwonk or NAME/NAME.thwonk)."));
  }
}

/** A start refused for what it was given, its message said as is. */
class StartProblem extends Error {}

/** The one-line reason a start failed on what it was given, or undefined for a fault of thwonkd's own. */
function cannotStart(err: unknown, dataDir: string): string | undefined {
  if (err instanceof StartProblem) return err.message;
  if (err instanceof DataInUse)
    return say(M.cannotStart, `--data ${dataDir}:`, `another thwonkd is using it (it holds ${err.message})`, "Stop that thwonkd first, or give this one another --data directory.");
  if (err instanceof LockFileUnusable)
    return say(M.cannotStart, `--data ${dataDir}:`, err.message, `No thwonkd holds it: remove ${join(dataDir, LOCK_FILE)} (thwonkd makes it again); the store is not touched.`);
  const e = err as { code?: unknown; name?: unknown; message?: unknown; path?: unknown };
  const message = typeof e.message === "string" ? e.message : String(err);
  if (diskFull(err)) return say(M.cannotStart, `--data ${dataDir}:`, `its disk is full (${message})`, "Free space on that disk, or give a --data directory on a disk with room.");
  if (e.name === "SqliteError")
    return say(M.cannotStart, `the store in ${dataDir}`, `cannot be used (${message})`, "Is --data the right directory? A store damaged on the disk can be read back with sqlite3's .recover into a new thwonkd.sqlite.");
  const fsCodes = ["ENOENT", "ENOTDIR", "EEXIST", "EACCES", "EPERM", "EROFS", "ENOSPC", "EISDIR", "ELOOP", "ENAMETOOLONG", "EDQUOT"];
  if (typeof e.code === "string" && fsCodes.includes(e.code)) {
    const where = typeof e.path === "string" ? e.path : dataDir;
    return say(M.cannotStart, where, `cannot be used (${message})`, "Give a --data directory this user can create and write (thwonkd makes it if it is missing).");
  }
  return undefined;
}

/** A public URL too long for its one-click links to fit a line of mail (unsubscribe.ts MAX_PUBLIC_URL). */
function checkPublicUrl(url: string | null): void {
  if (url === null || url.length <= MAX_PUBLIC_URL) return;
  throw new StartProblem(
    say(
      M.cannotStart,
      `--public-url ${url.length > 80 ? `${url.slice(0, 77)}...` : url}:`,
      `it is ${url.length} characters long, and the one-click unsubscribe links made from it could not fit a line of a message's List-Unsubscribe field (RFC 5322: 998 octets), which cannot be folded inside a link`,
      `Give a public URL of at most ${MAX_PUBLIC_URL} characters (a shorter host name or path in front of thwonkd's HTTP side).`,
    ),
  );
}

async function serve(cfg: DaemonConfig, dataDir: string, log: Logger): Promise<number> {
  checkDeployDirs(cfg.deploy);
  checkPublicUrl(cfg.publicUrl);
  if (existsSync(dataDir) && !statSync(dataDir).isDirectory()) throw new StartProblem(say(M.cannotStart, `--data ${dataDir}:`, "it is a file, not a directory", "Give a directory (thwonkd makes it if it is missing)."));
  mkdirSync(dataDir, { recursive: true });
  // Alone in the folder before anything in it is read or made (data-lock.ts); held until the daemon has stopped.
  const lock = lockDataDir(dataDir);
  try {
    return await serveAlone(cfg, dataDir, log, lock);
  } finally {
    lock.release();
  }
}

async function serveAlone(cfg: DaemonConfig, dataDir: string, log: Logger, lock: DataLock): Promise<number> {
  const admin = ensureAdminToken(dataDir);
  if (admin.created) log.info({ file: admin.file }, "made the admin token (send it as Authorization: Bearer)");
  const { clock, test } = clockFromEnv(process.env);
  if (test) log.warn("THWONKD_TEST_CLOCK_FILE is set: the clock is a test's (never use it in production)");
  let dkim;
  try {
    dkim = loadDkimKeys(cfg.dkim);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`thwonkd: ${err.message}\n`);
    return 2;
  }
  const daemon = await Daemon.open({
    dataDir,
    log,
    clock,
    outboxSync: cfg.outboxSync,
    domain: cfg.domain,
    ...(cfg.workers ? { workers: cfg.workers } : {}),
    ...(test ? { tickMs: 100, testClock: true } : {}),
    ...(cfg.keep !== null ? { keepDays: cfg.keep } : {}),
  });
  const unsubscribeKey = ensureUnsubscribeKey(dataDir);
  const lists = new Map(Object.entries(cfg.lists).map(([a, s]) => [a.toLowerCase(), s.from ? { fromMode: s.from } : {}]));
  daemon.runner.mail = { lists: (address) => lists.get(address.toLowerCase()), hopLimit: cfg.hopLimit };
  daemon.holds.expiry = cfg.holdExpiry;
  let publicUrl = cfg.publicUrl ?? "";
  const personal = personalFrom(cfg, dkim, unsubscribeKey, () => publicUrl, daemon);
  daemon.onListRemoved = (address) => personal.forget(address);
  // A -request address's confirmation offers the member's one-click link only where it reaches thwonkd: a --public-url.
  if (cfg.publicUrl) daemon.unsubscribeLink = (list, member, joined) => `${cfg.publicUrl}${UNSUBSCRIBE_PATH}${unsubscribeToken(unsubscribeKey, list, member, joined)}`;
  if (dkim.size) daemon.outbox.sign = (address, raw) => dkim.sign(address, raw);
  let relay: RelayDelivery | undefined;
  if (cfg.relay) {
    relay = new RelayDelivery({
      url: cfg.relay,
      store: daemon.store,
      log,
      clock,
      batch: cfg.relayBatch,
      retryMin: cfg.relayRetryMin,
      retryMax: cfg.relayRetryMax,
      deadAfter: cfg.deadAfter,
      personal,
      held: true, // sends nothing until every listener is bound (below): its one-click links need the HTTP port
    });
    daemon.outbox.useRelay(relay);
    daemon.verpLists = verpOf(cfg);
  } else if ((await daemon.store.nextDeliveryAt()) !== null) {
    // Planned for a relay by an earlier start: without one they wait, so say so rather than let them sit unseen.
    log.warn("deliveries planned for a relay are pending, and this start has no --relay: they wait until thwonkd starts with one");
  }
  // Work is ordered from here on, before the deploys at start and before any listener binds: what comes (a message
  // taken the moment a port opens, a deploy of a changed rule after downtime) must come after the schedules due
  // before it, a missed one's catch-up too (daily_or_out's midnight removal before the member's post; a midnight run
  // by the version deployed then, before the swap), and the runner asks the scheduler for them (dueBy) only once it
  // orders. Ordering runs nothing of its own: the clock's work (schedules, expiries, the outbox left by an earlier
  // process) and the relay's sending start once every listener is bound (daemon.start() below), so a start that
  // cannot listen runs only what came before it failed (and what was due before that), then exits 2.
  daemon.order();
  for (const dir of cfg.deploy) await deployDirectory(daemon, dir, cfg.domain, log);

  const smtpAt = hostPort(cfg.smtp, "--smtp");
  const httpAt = hostPort(cfg.http, "--http");
  // One budget for every listener: it bounds the memory mail takes while it is received and run.
  const limits = { size: cfg.size, maxConnections: cfg.maxConnections, inFlight: new InFlight(cfg.inFlight) };
  const ingresses: Ingress[] = [createIngress({ daemon, log, ...limits, name: cfg.domain })];
  const api = apiHandler({ daemon, authorize: adminAuthorizer(admin.token), log });
  const http = createHttp([healthHandler(daemon, limits.inFlight), unsubscribeHandler({ daemon, key: unsubscribeKey, log }), api, publishHandler(daemon.store, (a) => daemon.runner.listAt(a), clock)], log);
  const ports: Record<string, number> = {};
  try {
    ports["smtp"] = await bound("SMTP", cfg.smtp, () => ingresses[0]!.listen(smtpAt.host, smtpAt.port));
    if (cfg.lmtp) {
      const at = hostPort(cfg.lmtp, "--lmtp");
      const lmtp = createIngress({ daemon, log, ...limits, lmtp: true, name: cfg.domain });
      ingresses.push(lmtp);
      ports["lmtp"] = await bound("LMTP", cfg.lmtp, () => lmtp.listen(at.host, at.port));
    }
    ports["http"] = await bound("HTTP", cfg.http, () => listen(http, httpAt.host, httpAt.port));
  } catch (err) {
    if (!(err instanceof CannotListen)) throw err;
    // A start that cannot take its addresses says which and why, and leaves nothing running.
    process.stderr.write(`thwonkd: ${err.message}\n`);
    http.refuseNew();
    await closeListeners(ingresses, http);
    if (http.listening) await closeHttp(http);
    await relay?.stop();
    await daemon.close();
    return 2;
  }
  publicUrl ||= `http://${httpAt.host.includes(":") ? `[${httpAt.host}]` : httpAt.host}:${ports["http"]}`;
  // The signals are taken before the ready line: a SIGTERM sent the moment it is read stops thwonkd cleanly.
  let stopNow: (signal: string, code: number) => void = () => undefined;
  const stopped = new Promise<number>((done) => {
    let stopping = false;
    const stop = (signal: string, code = 0): void => {
      if (stopping) return;
      stopping = true;
      log.info({ signal }, "stopping: new connections get 421, work in flight finishes");
      for (const i of ingresses) i.refuseNew();
      http.refuseNew();
      void (async () => {
        await daemon.runner.drain();
        await closeListeners(ingresses, http);
        await daemon.runner.drain();
        await closeHttp(http);
        await daemon.outbox.kick();
        await relay?.stop();
        await daemon.close();
        log.info("stopped");
        // Taken off once stopped: a process that runs main() again (a test) would gather them, each with its daemon.
        process.off("SIGTERM", onTerm);
        process.off("SIGINT", onInt);
        done(code);
      })();
    };
    stopNow = stop;
    const onTerm = (): void => stop("SIGTERM");
    const onInt = (): void => stop("SIGINT");
    process.on("SIGTERM", onTerm);
    process.on("SIGINT", onInt);
  });
  // The lock file removed or replaced while thwonkd runs (data-lock.ts keep): taken again at its name, so a later start
  // is still refused; if a start got in meanwhile, two run on one folder, and this one, no longer holding the name,
  // stops (exit 2) as SIGTERM stops it.
  const lockFile = join(dataDir, LOCK_FILE);
  lock.keep({
    retaken: () => log.warn({ file: lockFile }, "the lock file was removed or replaced while thwonkd ran: locked again"),
    unlockable: (why) => log.warn({ file: lockFile, why }, "the lock file was replaced while thwonkd ran by one that cannot be locked: a start is refused on it too; remove it, and thwonkd locks the one it makes"),
    lost: () => {
      log.error({ file: lockFile }, "the lock file was removed or replaced, and another thwonkd holds the new one: stopping, as two must not run on one data folder");
      stopNow("lock lost", 2);
    },
  });
  daemon.start();
  void relay?.start();
  process.stdout.write(JSON.stringify({ ...ports, data: dataDir, outbox: daemon.outbox.dir, token: admin.file, lists: daemon.lists().map((l) => l.address) }) + "\n");
  log.info({ ports, lists: daemon.lists().length, outboxSync: daemon.outbox.durability, ...(cfg.keep !== null ? { keepDays: cfg.keep } : {}) }, "thwonkd is ready");
  return stopped;
}
