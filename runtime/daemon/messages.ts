/**
 * The daemon's messages (TW6001–TW6069; mail out TW6120–TW6149, the -request address's TW6128–TW6135, a removal that failed
 * TW6136; moderation TW6150–TW6169): SMTP answers, deploy and members
 * refusals, start-up reports. Each says what is wrong and how to fix it.
 */
export interface DaemonMessage<A extends unknown[]> {
  code: string;
  title: string;
  format: (...args: A) => string;
}

function def<A extends unknown[]>(code: string, title: string, format: (...args: A) => string): DaemonMessage<A> {
  return { code, title, format };
}

/** The time now in SQL, as thwonkd stores times (milliseconds since 1970), for TW6060's fix. */
const NOW_MS = "CAST(strftime('%s','now') AS INTEGER) * 1000";

/**
 * TW6060's fix: each time ahead of now set to the earliest time of the records that came after it (or now): it came
 * before them, so nothing is removed early, and it no longer holds them back.
 */
const AHEAD_FIX = [
  ["messages", "received_at"],
  ["runs", "created_at"],
]
  .map(([t, c]) => `UPDATE ${t} SET ${c} = coalesce((SELECT min(${c}) FROM ${t} n WHERE n.id > ${t}.id AND n.${c} <= ${NOW_MS}), ${NOW_MS}) WHERE ${c} > ${NOW_MS};`)
  .join(" ");

export const daemonMessages = {
  noList: def("TW6001", "No list at this address", (address: string) =>
    `No list is deployed at ${address}; this server accepts mail only for its lists (it is no relay). Check the address, or deploy a rule there.`),
  secondList: def("TW6002", "One list per transaction", (address: string, first: string) =>
    `${address} is another list than ${first}, which this transaction is already for: send the message to ${address} in a new transaction (MAIL FROM again).`),
  tooBig: def("TW6003", "Message over the server's size limit", (size: number) =>
    `The message is over this server's limit of ${size} bytes. Send a smaller message (e.g. a link instead of an attachment).`),
  inputRefused: def("TW6004", "Message over the list's limits", (address: string, problems: string) =>
    `The message is over the limits of the list ${address}, so it was not run: ${problems}`),
  commitFailed: def("TW6005", "Not stored", (why: string) =>
    `The message could not be stored (${why}); nothing was done with it. Send it again later.`),
  diskFull: def("TW6062", "The server's disk is full", () =>
    "The server's disk is full, so the message could not be stored; nothing was done with it. Send it again later."),
  diskFullLog: def("TW6063", "The store's disk is full", (why: string, more: number) =>
    `The store could not write (${why}): mail is answered 452 4.3.1 (try again later) and nothing of it is kept, until there is room again; then mail is taken as before, no restart needed. Free space on the data folder's disk, or move the data folder to a larger one.${more > 0 ? ` ${more} more group${more === 1 ? "" : "s"} failed so since the last time this was said.` : ""}`),
  diskFullApi: def("TW6064", "The server's disk is full", () =>
    "The server's disk is full, so the change could not be stored; nothing was changed. Try again once there is room on the data folder's disk."),
  listBroken: def("TW6006", "The list cannot run", (address: string, problems: string) =>
    `The list ${address} cannot run its rule now: ${problems}. Its administrator must fix the list (e.g. its members) before it takes mail; send it again later.`),
  shuttingDown: def("TW6007", "Shutting down", () => "The server is shutting down; send the message again in a moment."),
  httpStopping: def("TW6008", "thwonkd is stopping", () =>
    "thwonkd is stopping, so this request was not handled and nothing was changed: send it again once thwonkd is running again (the Retry-After header says when to try first)."),
  ruleDoesNotCompile: def("TW6010", "The rule does not compile", (file: string, errors: string) =>
    `${file} has errors, so it was not deployed and the running version keeps running: ${errors}. Fix them (thwonkc check ${file}) and deploy again.`),
  bundleRefused: def("TW6011", "Bundle refused", (file: string, why: string) =>
    `The bundle ${file} was refused and the running version keeps running: ${why}. Build the bundle again with thwonkc compile from its source.`),
  incompatibleState: def("TW6012", "The new version does not fit the stored state", (address: string, problems: string) =>
    `The new version cannot take over ${address}'s stored state, so it was not deployed there: ${problems}`),
  keptOldBundle: def("TW6013", "Kept the old version", (address: string, compiler: string, errors: string) =>
    `The rule at ${address} no longer compiles with compiler ${compiler}, so it keeps running the version it was deployed with: ${errors}. Fix the rule and deploy it again.`),
  membersOverLimit: def("TW6014", "Over the list's member limit", (address: string, count: number, limit: number) =>
    `${address} would have ${count} members, over its rule's limit of ${limit}. Remove members first, or raise \`limits { members }\` in the rule and deploy it again.`),
  unknownList: def("TW6015", "No such list", (address: string) => `No list is deployed at ${address}. Deploy a rule there first (thwonkc deploy).`),
  notReplayable: def("TW6016", "Nothing to replay", (id: number, why: string) => `Run ${id} cannot be replayed: ${why}.`),
  badAddress: def("TW6017", "Not an address", (text: string) => `${JSON.stringify(text)} is not an e-mail address; write it as name@example.org.`),
  // Each problem is a sentence of its own: the last one's full stop is this sentence's.
  badMembers: def("TW6018", "Members refused", (problems: string) => `The members were not changed: ${problems.replace(/\.$/, "")}. Fix those entries and try again.`),
  noMessageTrigger: def("TW6019", "The rule takes no mail", (rule: string) =>
    `Rule ${rule} has no \`on message\` trigger, so it does not take mail; the message is kept with this failed run. Add an \`on message\` trigger (or deploy the rule meant for this list), then replay the run.`),
  unauthorized: def("TW6020", "Not authorized", (why: string) =>
    `${why}. Send the admin token as \`Authorization: Bearer TOKEN\` (it is in DATA/admin.token on the server; thwonkc takes --token, THWONK_TOKEN or --data DIR).`),
  badRequest: def("TW6021", "Bad request", (why: string) => `The request was not understood: ${why}. See docs/daemon.md (the API) for what each route takes.`),
  bodyTooLarge: def("TW6022", "Request too large", (limit: number) =>
    `The request body is over this server's limit of ${limit} bytes. Send less at a time (e.g. import members in parts).`),
  noRoute: def("TW6023", "No such route", (method: string, path: string) =>
    `${method} ${path} is not a route of this server's API. See docs/daemon.md (the API) for the routes under /v1.`),
  noRun: def("TW6024", "No such run", (id: string) => `There is no run ${id}. List the runs with thwonkc runs ADDRESS (GET /v1/lists/ADDRESS/runs).`),
  deployRefused: def("TW6025", "Not deployed", (refused: string) =>
    `The rule was not deployed at ${refused}; the running version keeps running there. The reasons are given per address.`),
  cannotListen: def("TW6026", "Cannot listen", (what: string, at: string, why: string) =>
    `Cannot listen for ${what} on ${at}: ${why}. Choose another address with --${what.toLowerCase()} HOST:PORT (port 0 takes any free port).`),
  checkpointsOnLoop: def("TW6027", "Checkpoints back on the event loop", (why: string) =>
    `The store's checkpoint thread is not in use: ${why}; the event loop checkpoints the log itself from now on (SQLite's automatic checkpoint). Mail is still taken and nothing is lost, but commits wait longer; restart thwonkd to get the thread back, and report the reason if it happens again.`),
  inFlightFull: def("TW6028", "Too much mail at once", (limit: number) =>
    `This server is taking in or running more mail at once than it keeps in memory (${limit} bytes, --in-flight), so this message was not taken: send it again in a moment (a mail server retries a 4xx answer by itself). If this happens under normal load, raise --in-flight.`),
  tooSlow: def("TW6029", "The message came too slowly", (minutes: number) =>
    `The message had not arrived ${minutes} minutes after DATA, so it was not kept (a message is held in memory while it comes): send it again over a faster connection.`),
  cannotStart: def("TW6030", "Cannot start", (what: string, why: string, fix: string) =>
    `Cannot start: ${what} ${why}. ${fix}`),
  wrongMethod: def("TW6031", "Method not allowed", (method: string, path: string, allowed: string) =>
    `${method} is not a method of ${path}, which takes ${allowed} (the Allow header lists them). See docs/daemon.md (the API) for what each route does.`),
  serverFailed: def("TW6032", "The server failed", (id: string) =>
    `The server failed on this request (a fault of its own, not of the request), and whether the request took effect is not known: check before sending it again. Its log has the cause under the id ${id} (errorId): give that id to whoever runs the server.`),
  stateRefused: def("TW6040", "State refused", (address: string, problems: string) =>
    `The state was not set on ${address}, which keeps its state as it was: it does not fit the state the deployed rule declares: ${problems}. Fix those values (\`thwonkc state ${address} --json\` shows the state as stored) and send it again, or reset the list's state to the rule's initial one (thwonkc state reset ${address}).`),
  stateDropped: def("TW6041", "State dropped at deploy", (address: string, dropped: string) =>
    `The new version at ${address} does not have ${dropped}, so its stored values were dropped from the list's state at the deploy, as \`allowDataLoss\` (thwonkc deploy --allow-data-loss) asked.`),
  noStateStored: def("TW6042", "No state stored", (address: string) =>
    `No state is stored for ${address} (it was reset, or no run has saved state since it was deployed), so its next run starts from the rule's initial state: each field in \`initial\` at the initial value the rule declares. Nothing needs fixing; to start from other values, set them (thwonkc state set ${address} FILE).`),
  listAddressTooLong: def("TW6043", "List address too long", (address: string, length: number, max: number) =>
    `${address} is ${length} characters long as a client writes it: a list's address can be at most ${max}, so that mail reaches it and its -request and -bounces addresses (SMTP refuses an address over ${max + 8}, RFC 5321's path). Choose a shorter address.`),
  listAddressRefused: def("TW6044", "A list at an address a list can no longer have", (address: string, why: string, schedules: string) =>
    `The list ${address} was deployed before ${why}, and no rule can be deployed there again. ${schedules} Move it to a new address: deploy its rule there (thwonkc deploy RULE --address NEW), copy its members (the \`members\` array of \`thwonkc members list ${address} --json\` into a file, then thwonkc members import NEW FILE) and its state (\`thwonkc state ${address} --json > state.json\`, then thwonkc state set NEW state.json), and tell its members the new address. Then remove it here (thwonkc lists remove ${address} --yes), or remove it at once if it is no longer wanted: a removed list is no longer installed nor reported at a start.`),
  stateLeftOut: def("TW6048", "State entries at a refused address left out", (address: string, count: number, paths: string) =>
    `The stored state of ${address} has ${count === 1 ? "an entry" : `${count} entries`} at an address that is no longer an e-mail address (an invisible or control character in it, taken before thwonkd refused such addresses): ${paths}. ${count === 1 ? "It is" : "They are"} left out of this state, as the list's runs leave ${count === 1 ? "it" : "them"} out (its next run stores the state without ${count === 1 ? "it" : "them"}), so this state can be set back as it is (thwonkc state set ${address} FILE). Nothing needs fixing; to keep such an entry, set it again at the address as it should be.`),
  listRemoved: def("TW6045", "The list was removed", (address: string, at: string) =>
    `The list ${address} was removed at ${at} (thwonkc lists remove): no list is deployed there now, and its members and state were dropped with it. Its runs and messages are kept (thwonkc runs ${address}). To have a list there again, deploy a rule there (thwonkc deploy RULE --address ${address}): it starts as a new list, with no members and the rule's initial state.`),
  removedList: def("TW6046", "List removed", (address: string, members: number, held: number) =>
    `The list ${address} is removed: mail to it (and to its -request, -bounces and +tag addresses) is now refused with 550, and its schedules no longer run. The messages it had accepted were run first; its outgoing mail already queued is still delivered. Its ${members} member${members === 1 ? " was" : "s were"} dropped with its state${held ? `, and its ${held} held message${held === 1 ? "" : "s"} expired` : ""}. Its runs, messages and deployed versions are kept (thwonkc runs ${address}); a deploy at ${address} starts a new list. Nothing needs fixing.`),
  replayRemoved: def("TW6047", "The run's list was removed", (id: number, address: string, at: string) =>
    `Run ${id} cannot be replayed: its list ${address} was removed at ${at}, so no rule of it is deployed (a list deployed at ${address} since is another list, which does not run the removed list's messages). The run and its message are kept and readable (thwonkc runs ${id}); to run the message through a list, send it to that list again.`),
  tooManyHops: def("TW6050", "Mail loop", (address: string, why: string) =>
    `The message was not run by ${address}: ${why}, so it is probably going round in a loop between lists or servers. Look at its Received and X-Thwonk-Hops fields to find the loop, and break it (a rule that forwards to a list that forwards back).`),
  relayRefused: def("TW6051", "The relay refused the message", (code: number, response: string) =>
    `The relay answered ${code} (${response}); the message is not sent again to these recipients. Check the addresses, or the relay's policy for this list's mail.`),
  deadLetter: def("TW6052", "Not delivered in time", (window: string, last: string) =>
    `The message could not be handed to the relay within ${window} (last: ${last}); it is given up as a dead letter. Check that the relay is up and accepts mail from this server, and raise --dead-after if it is often down this long.`),
  keepRefused: def("TW6054", "Not a number of days to keep", (where: string, given: string) =>
    `${where} must be a whole number of days, 1 or more (how long thwonkd keeps the bytes of messages, of runs' actions and of outgoing mail), got ${given}; thwonkd did not start. Give e.g. --keep 90, or leave it out to keep them for ever (the default).`),
  payloadPruned: def("TW6055", "Removed by retention", (id: number, at: string) =>
    `The bytes of message ${id} were removed by retention at ${at} (thwonkd --keep DAYS keeps them that long), so it cannot be read or run again; its record (times, addresses, status, size) and its runs' records are kept. Ask its sender to send it again if it is still needed.`),
  runPruned: def("TW6056", "Actions removed by retention", (id: number, count: number, at: string) =>
    `The ${count} action${count === 1 ? "" : "s"} of run ${id} (what it sent, replied, published) were removed by retention at ${at} (thwonkd --keep); its trigger, outcome, gas, error and times are kept. Nothing needs fixing.`),
  vacuumOnce: def("TW6057", "The store rewritten once for retention", (mb: string, seconds: string) =>
    `The store (${mb} MB) was made before retention and was rewritten once (VACUUM, ${seconds} s) so that retention can give the space it frees back to the disk; later starts do not do it again. Nothing needs fixing.`),
  sweepFailed: def("TW6058", "A retention sweep failed", (why: string) =>
    `A retention sweep failed (${why}); what it did before is kept (each step is one transaction) and the next sweep goes on from there. Mail is not affected. If it happens at every sweep, report it with this line.`),
  vacuumFailed: def("TW6059", "The store could not be rewritten for retention", (why: string) =>
    `The store was made before retention, and rewriting it once so that retention can give freed space back to the disk failed (${why}); it is left as it was. Retention still removes old payloads, and the space they took is used again by new mail inside the file, but the file does not shrink. To have it shrink, make room (the rewrite needs as much free disk as the file takes) and restart thwonkd.`),
  pruneWaits: def("TW6060", "Retention waits behind a record stamped ahead of the clock", (what: string, column: string, stamp: string, days: number, now: string) =>
    `Retention waits behind ${what}, whose time (${column}) is ${stamp}, ${days} day${days === 1 ? "" : "s"} after thwonkd's clock now (${now}): payloads are removed in the order their records came, so nothing that came after it is removed before that time, and the store grows meanwhile. If the clock was ahead when it was stamped and is right now, stop thwonkd, bring each time ahead of now back to the earliest time of the records that came after it (it came before them, so nothing is removed early): sqlite3 DATA/thwonkd.sqlite "${AHEAD_FIX}" and start it again. If thwonkd's clock is behind now, set it right instead. Mail is not affected.`),
  clockJumped: def("TW6061", "The clock jumped ahead: retention waits an hour", (minutes: number, now: string) =>
    `thwonkd's clock moved ${minutes} minutes more than the time that passed (it is ${now} now): it was set forward, by hand or by NTP, or the machine was suspended. Retention's next sweep waits an hour, so that a clock set ahead by mistake removes no payload early if it is set right within that hour. If the clock is right now, nothing needs doing.`),
  relayNoUtf8: def("TW6154", "The relay does not offer SMTPUTF8", (why: string) =>
    `The relay does not offer SMTPUTF8 (RFC 6531), which this mail needs: ${why}. It was not handed to the relay (a relay without SMTPUTF8 may not be given such an address, and one that takes it anyway loses or garbles the copy) and is not tried again; the other recipients' copies went as usual. Use a relay that offers SMTPUTF8 (Postfix: smtputf8_enable = yes), or give the member an ASCII address.`),
  postmasterApart: def("TW6155", "The postmaster's mail in a transaction of its own", (address: string, first: string) =>
    `${address} cannot be a recipient of this transaction, which is already for ${first}: mail to the postmaster is kept for whoever runs this server and never run by a list's rule, so it goes in a transaction of its own, with no other recipient. Send the message to ${address} in a new transaction (MAIL FROM again).`),
  secondAddress: def("TW6156", "One address of a list per transaction", (address: string, list: string) =>
    `${address} is another address of the list ${list} (its +tag or -request form), which this transaction is already for: each address of a list is run on its own, so send the message to ${address} in a new transaction (MAIL FROM again).`),
  postmasterNotKept: def("TW6157", "Not kept for the postmaster", (to: string, why: string) =>
    `The message to ${to} could not be kept in the postmaster's mailbox (${why}); nothing was kept. Send it again later; whoever runs this server should check DATA/postmaster (its tmp, new and cur folders, and the disk).`),
  noHeld: def("TW6150", "No such held message", (id: string) =>
    `There is no held message ${id}. List a list's held messages with thwonkc held ADDRESS (GET /v1/lists/ADDRESS/held).`),
  heldDecided: def("TW6151", "Already decided", (id: number, status: string, at: string) =>
    `Held message ${id} was ${status} at ${at}; a decision on a held message is final, so nothing was done. See it with thwonkc held ${id}.`),
  heldExpired: def("TW6152", "The hold expired", (id: number, at: string, window: string) =>
    `Held message ${id} expired at ${at}, ${window} after it was held, and can no longer be approved or rejected; nothing was sent. Ask its sender to send it again, or raise the server's holdExpiry (--hold-expiry) if owners need longer.`),
  approvalNotRun: def("TW6153", "The approved message could not run", (id: number, why: string) =>
    `Held message ${id} could not be run again, so it stays held: ${why}. Fix the cause (the list's rule, limits or members) and approve it again.`),
  unsubscribeForged: def("TW6120", "Not an unsubscribe link of this server", () =>
    "This unsubscribe link was not made by this server (or was changed), so nobody was unsubscribed. Use the link from the List-Unsubscribe field of a message the list sent you, or write to the list's -request address with the subject unsubscribe."),
  unsubscribeNotOneClick: def("TW6121", "Not a one-click unsubscribe request", () =>
    "A one-click unsubscribe is a POST whose form body is List-Unsubscribe=One-Click (RFC 8058); this request was not one, so nothing changed."),
  unsubscribeMethod: def("TW6122", "Method not allowed", (method: string) => `${method} is not allowed here: POST unsubscribes (RFC 8058), GET shows the page with the button.`),
  unsubscribeNoList: def("TW6123", "No such list", (list: string) => `The list ${list} is no longer served here, so there is nothing to unsubscribe from.`),
  unsubscribed: def("TW6124", "Unsubscribed", (member: string, list: string) => `${member} is unsubscribed from ${list}.`),
  notSubscribed: def("TW6125", "Not subscribed", (member: string, list: string) =>
    `${member} is not subscribed to ${list} with the subscription this link was made for (already unsubscribed, perhaps by this link); nothing changed.`),
  bounceRecorded: def("TW6126", "Bounce recorded", (members: string) => `A delivery failure was recorded for ${members}.`),
  bounceIgnored: def("TW6127", "Not a bounce of this list", (why: string) =>
    `The message to the bounce address was read and dropped: ${why}. The bounce address takes delivery status reports (RFC 3464) only; write to the list's own address or its -request address instead.`),
  // The -request address of a list whose rule does not answer it (requests.ts; docs/daemon.md, "The -request address").
  requestAnswered: def("TW6128", "Request answered", (list: string, what: string) =>
    `accepted: a request to ${list}'s -request address, answered by the list server (${what}); the list's rule does not see it.`),
  requestNotAnswered: def("TW6129", "Request not answered", (list: string, why: string) =>
    `accepted and not answered: ${why}. Write to ${list}'s -request address from your own mailbox, with "unsubscribe" or "help" as the subject.`),
  requestHelpSubject: def("TW6130", "The help reply's subject", (list: string) => `Help for the list ${list}`),
  requestHelp: def("TW6131", "The help reply", (list: string, request: string) =>
    `This is the list server of ${list}, answering mail to its request address, ${request}.\n\n` +
    `To leave the list, send a message with the subject "unsubscribe" to ${request} from the address you are subscribed with (your mail program's Unsubscribe button does this). A confirmation request then goes to that address; the list never removes anyone without one.\n\n` +
    `To post, write to ${list}. Anything else sent to ${request} gets this help.\n`),
  requestConfirmSubject: def("TW6132", "The confirmation request's subject", (list: string) => `Confirm: unsubscribe from ${list}`),
  requestConfirm: def("TW6133", "The confirmation request", (member: string, list: string, replyTo: string | null, link: string | null, days: number) =>
    `Someone, probably you, asked to unsubscribe ${member} from the list ${list}.\n\n` +
    (replyTo !== null ? `To confirm, reply to this message: the reply goes to ${replyTo}, and what it says does not matter.\n` : "") +
    (link !== null ? `${replyTo !== null ? "Or open" : "To confirm, open"} this link and press its button:\n${link}\n` : "") +
    (replyTo === null && link === null ? `This address is too long for a confirmation by mail: ask the owner of ${list} to remove it.\n` : "") +
    (replyTo !== null ? `A reply confirms for ${days} days; after that, ask again.\n` : "") +
    `\nIf you did not ask, ignore this message: you stay subscribed.\n`),
  requestGoodbyeSubject: def("TW6134", "The goodbye's subject", (list: string) => `Unsubscribed from ${list}`),
  requestGoodbye: def("TW6135", "The goodbye", (member: string, list: string) =>
    `${member} is unsubscribed from the list ${list}, as you confirmed. You will get no more of its mail.\n`),
  removalFailed: def("TW6136", "The list was not removed", (address: string, id: string) =>
    `The list ${address} was not removed: the store could not record its removal (a fault of the server's, not of the request; its log has the cause under the id ${id}, errorId). Nothing of it was changed: it is still there, whole (its members, state, key and held messages), and takes mail as before. Try again once the store takes writes (thwonkc lists remove ${address} --yes).`),
} as const;

/** `TW6001 No list is deployed at ...`: how answers and refusals start. */
export function say<A extends unknown[]>(m: DaemonMessage<A>, ...args: A): string {
  return `${m.code} ${m.format(...args)}`;
}
