// @ts-check
/**
 * The driver: it loads a run's input, runs the trigger (or a test: `test:N`)
 * and returns the result as JSON (the shapes of contract/input.ts and
 * contract/output.ts). It is part of the prelude (after library.js), so a
 * context compiles it once for all its bundles, and like the rest of the
 * prelude its top level is `const` bindings to frozen values. The rule's code
 * ends with `function __thwonk_run(name, inputJson, members)` calling
 * `__drive` with its own definitions (`__triggers`, `__tests`, `__stateSchema`,
 * `__stateBounds`, `__stateInit`, `__stateUnitGas`: contract/prelude.ts
 * RULE_ENTRY); `__drive` keeps them in `__rule` for the run, beside the rest of
 * the run state (library.js's `let` line: `__G_members`, `__G_list`, `__G_now`,
 * which the rule's code reads and its tests set, and `__stUnits`), which
 * `__reset()` sets back before each run.
 */
// ---8<--- the prelude's text: everything below this line goes into every bundle, as it is
// Loading and saving state is charged like the rule's own work (docs/cost-model.md, "State"): each value walked is
// one unit (a string also one per 64 UTF-16 units, a map entry its key as well), `__stateUnitGas` gas each way;
// the verifier's bound holds the same count at the state's declared maxima.
const __stLen = function (s) { return 1 + (s.length >> 6); }
const __stLoad = function (d, v) {
  if (v === null || v === undefined) { __stUnits++; return null; }
  if (typeof d === "string") {
    if (d === "string") { __stUnits += __stLen(v); return v; }
    __stUnits++;
    if (d === "time") return typeof v === "number" ? v : Date.parse(v);
    if (d === "address") return __addr(v);
    return v;
  }
  if (d[0] === "opt") return __stLoad(d[1], v);
  __stUnits++;
  var i;
  if (d[0] === "list") { var l = new Array(v.length); for (i = 0; i < v.length; i++) l[i] = __stLoad(d[1], v[i]); return l; }
  if (d[0] === "map") {
    // Keys and values of the common kinds are read here, without a call per entry.
    var m = new Map(), ks = Object.keys(v), kd = d[1], vd = d[2], n = 2 * ks.length, x;
    var plainKey = kd === "string" || kd === "int" || kd === "duration", plainValue = vd === "int" || vd === "bool" || vd === "duration";
    for (i = 0; i < ks.length; i++) {
      var k = ks[i];
      if (kd === "string" && k.length >= 64) n += k.length >> 6;
      x = v[k];
      m.set(plainKey ? (kd === "string" ? k : Number(k)) : __loadKey(kd, k), plainValue && x !== null ? x : vd === "time" && typeof x === "string" ? Date.parse(x) : (n--, __stLoad(vd, x)));
    }
    __stUnits += n;
    return m;
  }
  if (d[0] === "rec") { var r = Object.create(null); for (var f in d[1]) r[f] = __stLoad(d[1][f], v[f]); return r; }
  return v;
}
const __stSave = function (d, v) {
  if (v === null || v === undefined) { __stUnits++; return null; }
  if (typeof d === "string") {
    if (d === "string") { __stUnits += __stLen(v); return v; }
    __stUnits++;
    // A time the host gave (a member's `joined`: any safe integer) saves as the nearest calendar end, as it reads.
    return d === "time" ? new Date(__clampTime(v)).toISOString() : v;
  }
  if (d[0] === "opt") return __stSave(d[1], v);
  __stUnits++;
  var i;
  if (d[0] === "list") { var l = new Array(v.length); for (i = 0; i < v.length; i++) l[i] = __stSave(d[1], v[i]); return l; }
  if (d[0] === "map") {
    var o = Object.create(null), kd = d[1], vd = d[2], n = 2 * v.size;
    var plainValue = vd === "int" || vd === "bool" || vd === "duration" || vd === "address";
    v.forEach(function (val, k) {
      if (kd === "string" && k.length >= 64) n += k.length >> 6;
      o[kd === "time" ? new Date(__clampTime(k)).toISOString() : kd === "string" ? k : String(k)] = plainValue && val !== null ? val : vd === "time" && val !== null ? new Date(__clampTime(val)).toISOString() : (n--, __stSave(vd, val));
    });
    __stUnits += n;
    return o;
  }
  if (d[0] === "rec") { var r = Object.create(null); for (var f in d[1]) r[f] = __stSave(d[1][f], v[f]); return r; }
  return v;
}
/** Loads the saved state (or each field's initial value, which is the rule's own code and charges as it runs). */
const __loadState = function (saved) {
  var st = Object.create(null);
  var schema = __rule.schema, init = __rule.init;
  var ks = Object.keys(schema);
  for (var i = 0; i < ks.length; i++) { var k = ks[i]; st[k] = saved && Object.prototype.hasOwnProperty.call(saved, k) ? __stLoad(schema[k], saved[k]) : init(k); }
  return st;
}
/** The state as saved, and its units. */
const __saveState = function (st) {
  __stUnits = 0;
  var o = Object.create(null);
  var schema = __rule.schema;
  var ks = Object.keys(schema);
  for (var i = 0; i < ks.length; i++) o[ks[i]] = __stSave(schema[ks[i]], st[ks[i]]);
  return o;
}
/** Charges `units` of state walked: within the verifier's bound this never runs out, but gas is the one meter. */
const __stCharge = function (units) { __gas -= units * __rule.unitGas; if (__gas < 0) __oog(); }
const __begin = function (input) {
  __in = input; __gas = __gasLimit = input.gas; __actions = []; __snapshots = new Map(); __logs = 0; __sent = 0; __tz = input.tz || []; __trace = input.trace ? [] : null;
  // The trigger's fan-out bound (the host passes the manifest's); without one, the rule's limits.fanout, which it never exceeds.
  __fanout = input.fanout !== undefined ? input.fanout : input.limits ? input.limits.fanout : undefined;
  if (!Number.isSafeInteger(__fanout) || __fanout < 0) return { code: "TW5017", args: ["its fan-out bound " + JSON.stringify(__fanout === undefined ? null : __fanout) + " is not a whole number \u2265 0"], line: 0, column: 0 };
  __G_now = typeof input.now === "number" ? input.now : Date.parse(input.now);
  __G_members = __members(input.members);
  __G_list = { address: __addr(input.list.address), name: input.list.name || "", owners: __addrs(input.list.owners) };
  // Initial values are evaluated with gas to spare (their cost is in no bound); the load is charged by its units.
  __gas = 1e15;
  __stUnits = 0;
  __st = __loadState(input.state);
  __gas = __gasLimit;
  __stCharge(__stUnits);
  return null;
}
const __runTrigger = function (name, msg) {
  try {
    // Only the rule's own triggers: not what its object inherits (`constructor`, `__proto__`).
    var trigger = Object.prototype.hasOwnProperty.call(__rule.triggers, name) ? __rule.triggers[name] : undefined;
    if (!trigger) __err("TW5018", [name], 0, 0);
    trigger(msg);
  } catch (e) {
    if (e === __STOP) return null; // reject or hold ended the trigger
    if (e && e.thwonk === true) return { code: e.code, args: e.args, line: e.line, column: e.column };
    // An error the engine threw (a TypeError) has no .thwonk position: the lines of the bundle's code on its stack,
    // innermost first, which the host maps to the source (the first in the rule's own code, past the prelude's; the rule's
    // code is evaluated inside the context's one prelude, where QuickJS names its frames <input>, lines kept).
    if (e instanceof Error && typeof e.stack === "string") {
      var lines = [], re = /(?:bundle\.js|<input>):(\d+)/g, at;
      while ((at = re.exec(e.stack)) !== null && lines.length < 32) lines.push(at[1]);
      try { if (lines.length) /** @type {any} */ (e).thwonkJsLines = lines.join(","); } catch (_) { /* a frozen error keeps no lines */ }
    }
    throw e;
  }
  return null;
}
// The backstop behind the checks at each write: state goes back to the host only within every bound it declares
// (a value that reached state another way, e.g. a collection changed through a second name, fails the run here).
const __stateOver = function (st) {
  var bounds = __rule.bounds;
  for (var k in bounds) { var r = __stbad(bounds[k], st[k], true); if (r !== null) return { code: "TW5012", args: [k + r.path.reverse().join(""), r.max, r.n], line: 0, column: 0 }; }
  return null;
}
const __result = function (error, extra) {
  if (!error) error = __stateOver(__st);
  var saved = null;
  if (!error) { saved = __saveState(__st); __stCharge(__stUnits); }
  var actions = error ? [] : __actions, used = __gasLimit - __gas;
  // What JSON.stringify writes for this object, its five members written out: QuickJS lists an object's keys at
  // some microseconds a time, and almost every run returns this and nothing more.
  if (!extra && (error === null || typeof error === "object") && Number.isSafeInteger(used) && typeof actions === "object" && actions !== null && (__trace === null || typeof __trace === "object")) {
    return "{\"actions\":" + JSON.stringify(actions) + ",\"state\":" + (saved === null ? "null" : JSON.stringify(saved)) + ",\"gas\":{\"used\":" + used +
      "},\"error\":" + (error === null ? "null" : JSON.stringify(error)) + ",\"trace\":" + (__trace === null ? "null" : JSON.stringify(__trace)) + "}";
  }
  var r = { actions: actions, state: saved, gas: { used: used }, error: error, trace: __trace };
  if (extra) Object.keys(extra).forEach(function (k) { r[k] = extra[k]; });
  return JSON.stringify(r);
}
// A message given in a test (a record, or an .eml as the host parsed it): the fields it names, sensible defaults
// for the rest, and the envelope the test gives (`envelope = {...}`) over the message's own.
const __testMessage = function (r, env) {
  var j = {};
  Object.keys(r).forEach(function (k) { j[k] = r[k]; });
  if (j.headers instanceof Map) j.headers = Array.from(j.headers);
  else if (j.headers && j.headers.fields) { if (j.decoded === undefined) j.decoded = j.headers.decoded; j.headers = j.headers.fields; }
  if (j.envelope && typeof j.envelope === "object") j.envelope = j.envelope;
  if (j.from === undefined) j.from = G$Members$size(__G_members) ? __maddresses(__G_members)[0] : "sender@example.org";
  if (j.messageId === undefined) j.messageId = "test@thwonk.invalid";
  var e = {}, own = j.envelope && typeof j.envelope === "object" ? j.envelope : null;
  [own, env].forEach(function (x) { if (x) Object.keys(x).forEach(function (k) { if (x[k] !== undefined) e[k] = x[k]; }); });
  // The recipient says whether it is the -request or a +tag address, as the daemon reads it, unless the test says.
  var by = env && env.recipient !== undefined ? env : own && own.recipient !== undefined ? own : null;
  if (by && typeof by.recipient === "string") {
    var form = __addressForm(by.recipient.toLowerCase(), __G_list.address);
    e.isRequest = by.isRequest !== undefined ? by.isRequest : form.isRequest;
    e.tag = by.tag !== undefined ? by.tag : form.tag;
  }
  j.envelope = e;
  return __message(j);
}
// runtime/input/envelope.ts addressForm: `list-request+x@d` is the request address with tag "x".
const __addressForm = function (recipient, list) {
  var at = recipient.lastIndexOf("@"), local = recipient.slice(0, at), plus = local.indexOf("+");
  var base = plus < 0 ? local : local.slice(0, plus), listAt = list.lastIndexOf("@");
  return { isRequest: recipient.slice(at + 1) === list.slice(listAt + 1) && base === list.slice(0, listAt).toLowerCase() + "-request", tag: plus < 0 ? null : local.slice(plus + 1) };
}
// A test's own statement that failed (not the rule's run): the failure, with the error when the code raised one.
const __givensFailed = function (e) {
  if (e && typeof e.thwonkTest === "string") return { line: e.line || 0, column: e.column || 0, message: "the test's givens failed: " + e.thwonkTest };
  if (e && e.thwonk === true) return { line: e.line || 0, column: e.column || 0, message: "the test's givens failed", error: { code: e.code, args: e.args, line: e.line, column: e.column } };
  throw e;
}
/** The gas of a test's own statements, all its runs' givens and expectations together (runtime/testing/run-tests.ts gives the clock for it). */
const __GIVENS_GAS = 10000000;
/** The test's own statements run from here, on what is left of their gas. */
const __givensStart = function () { __inGivens = true; __gas = __givensLeft; }
/** ...and stop here (a run of the rule's trigger, or the end): what they left is kept. */
const __givensEnd = function () { if (__inGivens) __givensLeft = __gas; __inGivens = false; }
// Tests only (compiler/semantic/test-functions.ts): the numbers 0 to n - 1; any text containing a part.
const __range = function (n, line, column) {
  if (n > 100000) throw { thwonkTest: "range(" + n + ") gives at most 100,000 numbers", line: line, column: column };
  var l = []; for (var i = 0; i < n; i++) l.push(i); return l;
}
const __contains = function (part) { return { __contains: part }; }
// A value in a test's failure, as it is written in a test: strings quoted (so "" is seen), lists and maps inside.
const __showTest = function (v) {
  if (typeof v === "string") return JSON.stringify(v);
  if (Array.isArray(v)) return "[" + v.map(__showTest).join(", ") + "]";
  if (v instanceof Map) return "{" + Array.from(v).map(function (e) { return __showTest(e[0]) + ": " + __showTest(e[1]); }).join(", ") + "}";
  if (v && typeof v === "object" && v.__contains !== undefined) return "contains(" + JSON.stringify(v.__contains) + ")";
  return __showAny(v);
}
const __clipQ = function (s, n) { return s.length > n ? JSON.stringify(s.slice(0, n)) + "\u2026 (" + s.length + " characters)" : JSON.stringify(s); }
const __PATTERN_FIELDS = { a: "address", reason: "reason" };
/** Why action `a` does not match `pattern`: the arguments that differ, each with what it was; [] when it matches. */
const __mismatches = function (a, pattern) {
  var out = [];
  Object.keys(pattern).forEach(function (p) {
    var want = pattern[p];
    if (p === "m") return;
    // The exact set of addresses (docs/language.md, Tests): order and repeats aside, no more and no fewer.
    if (p === "to") {
      var got = __actionRecipients(a), w = __recipients(want);
      if (!(w.length === new Set(got).size && w.every(function (x) { return got.indexOf(x) >= 0; }))) out.push("to " + __showTest(got.slice(0, 5)) + (got.length > 5 ? " (" + got.length + " addresses)" : "") + ", not " + __showTest(w.slice(0, 5)) + (w.length > 5 ? " (" + w.length + " addresses)" : ""));
      return;
    }
    var v = a[__PATTERN_FIELDS[p] || p];
    var ok = want && typeof want === "object" && want.__contains !== undefined ? typeof v === "string" && v.indexOf(want.__contains) >= 0 : v === want;
    if (!ok) out.push(p + " " + (typeof v === "string" ? __clipQ(v, 200) : __showTest(v)) + (want && typeof want === "object" && want.__contains !== undefined ? ", which does not contain " + __clipQ(want.__contains, 100) : ", not " + (typeof want === "string" ? __clipQ(want, 100) : __showTest(want))));
  });
  return out;
}
const __expectAction = function (failures, kind, pattern, negated, text, line, column) {
  var same = __actions.filter(function (a) { return a.kind === kind; });
  var matches = same.filter(function (a) { return __mismatches(a, pattern).length === 0; });
  if (negated && matches.length > 0) failures.push({ line: line, column: column, message: "expected no \u0060" + text + "\u0060, but the run did " + (matches.length === 1 ? "one" : matches.length) + ":" + matches.map(function (a) { return "\n  " + __describeAction(a); }).join("") });
  if (negated || matches.length > 0) return;
  var why = same.length
    ? same.slice(0, 3).map(function (a) { return "\n  " + kind + " at line " + a.at.line + " has " + __mismatches(a, pattern).join("; "); }).join("") + (same.length > 3 ? "\n  and " + (same.length - 3) + " more" : "")
    : "";
  var did = __actions.length ? ":" + __actions.slice(0, 10).map(function (a) { return "\n  " + __describeAction(a); }).join("") + (__actions.length > 10 ? "\n  and " + (__actions.length - 10) + " more" : "") : " nothing";
  failures.push({ line: line, column: column, message: "expected a \u0060" + text + "\u0060, but " + (why ? "no " + kind + " matches:" + why + "\nThe run did" + did : "the run did" + did) });
}
const __describeAction = function (a) {
  var s = a.kind;
  var to = __actionRecipients(a);
  if (a.toMembers) s += to.length === 0 ? " to members (there are none)" : to.length === 1 ? " to the one member" : " to all " + to.length + " members";
  else if (to.length) s += " to " + (to.length > 3 ? to.slice(0, 3).join(", ") + " and " + (to.length - 3) + " more" : to.join(", "));
  if (a.subject !== undefined) s += ", subject " + __clipQ(a.subject, 100);
  if (a.reason !== undefined) s += ", " + (a.reason === null ? "no reason" : "reason " + __clipQ(a.reason, 200));
  if (a.address !== undefined) s += " " + a.address;
  if (a.path !== undefined) s += " " + a.path;
  if (typeof a.text === "string") s += (a.kind === "log" ? " " : ", text ") + __clipQ(a.text, 200);
  if (a.at && a.at.line) s += " (line " + a.at.line + ")";
  return s;
}
// The sandbox's entry point, called by the rule's `__thwonk_run` with the rule's definitions (RULE_ENTRY).
// `members`, when given, is the members' columns as frozen arrays, which the sandbox keeps between runs while
// the list's members stay the same (the input then has none).
/**
 * @param {string} name @param {string} inputJson @param {unknown} members
 * @param {Record<string, (msg: unknown) => void>} triggers
 * @param {(() => { trigger: string; setup(): unknown; expects(): unknown[] })[]} tests
 * @param {Record<string, unknown>} schema @param {Record<string, unknown>} bounds
 * @param {(name: string) => unknown} init @param {number} unitGas
 */
const __drive = function (name, inputJson, members, triggers, tests, schema, bounds, init, unitGas) {
  __rule = { triggers: triggers, tests: tests, schema: schema, bounds: bounds, init: init, unitGas: unitGas };
  var input = JSON.parse(inputJson), packed = null;
  // A packed input (an array: the rest of an input the context keeps parts of, kept-input.ts PACKED) stands for
  // the object with its members.
  if (__kept !== null && Array.isArray(input)) {
    packed = input;
    input = { gas: packed[0], now: packed[1], state: packed[2], fanout: packed[3] };
  }
  // The parts of the input a reused context keeps for the list (runtime/sandbox/kept-input.ts), frozen, put back
  // where the host wrote them: the input is then what parsing the whole of it gave.
  if (__kept !== null) {
    if (__kept.tz !== undefined) input.tz = __kept.tz;
    if (__kept.list !== undefined) input.list = __kept.list;
    if (__kept.limits !== undefined) input.limits = __kept.limits;
  }
  if (members !== undefined) input.members = members;
  var refused = __begin(input);
  if (refused) return __result(refused);
  if (name.indexOf("test:") === 0) {
    // Each test's functions are made for its own run only (compiler/emit/tests.ts).
    var t = __rule.tests[Number(name.slice(5))]();
    // The test's own statements (`for i in range(200) { ... }`) build its givens on the test's own gas, not the rule's.
    __givensLeft = __GIVENS_GAS;
    __givensStart();
    var msg;
    try { msg = t.setup(); } catch (e) { var given = __givensFailed(e); __givensEnd(); __gas = __gasLimit; return __result(null, { failures: [given], logs: [] }); }
    __givensEnd();
    // Actions the givens took (`members.add(...)`) are not the run's.
    __actions = []; __snapshots = new Map(); __logs = 0; __sent = 0;
    if (msg === null && t.trigger === "message") msg = __testMessage({}, null);
    __gas = __gasLimit;
    // The test's state, charged as a run loading it would be.
    __saveState(__st);
    __stCharge(__stUnits);
    var error = __runTrigger(t.trigger, msg);
    var used = __gasLimit - __gas;
    // Checking the expectations is not the rule's work: it runs on what is left of the test's own gas.
    __givensStart();
    var failures;
    try { failures = error ? [] : t.expects(); } catch (e) { failures = [__givensFailed(e)]; }
    __givensEnd();
    __gas = __gasLimit - used;
    // The log lines of the last run, kept even when it failed: what the rule's author looks at first.
    var logs = __actions.filter(function (a) { return a.kind === "log"; }).map(function (a) { return { line: a.at.line, text: a.text }; });
    return __result(error, { failures: failures, logs: logs });
  }
  return __result(__runTrigger(name, packed !== null ? __packedMessage(packed) : __message(input.message)));
}
