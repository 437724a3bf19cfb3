// @ts-check
/**
 * The prelude: the stdlib's implementations as they run inside the QuickJS
 * sandbox, placed at the top of every bundle's code (so a bundle is
 * self-contained and what the daemon runs is what was verified). It is a
 * script: its top-level bindings are the globals the emitted code calls.
 * scripts/prelude.js turns the text below the marker into a string
 * (contract/prelude.ts PRELUDE); `tsc -p contract/prelude` type-checks it
 * against the globals the emitted code and the sandbox define (globals.d.ts).
 * Gas is not charged here: the emitted code charges every call from the one
 * cost table before the call runs. test/contract/prelude.test.ts checks that
 * every function, method and field the stdlib declares has an implementation
 * here, with its arity, and nothing more.
 *
 * Names: stdlib methods are `Type$method(self, ...args)`, fields read through
 * a getter `G$Type$field(self)`, functions `F$name(...args)` (actions take the
 * call's line and column last); the rest start with `__`.
 *
 * Values: bool, int, string as in JS; Address is its canonical string
 * (`local@domain`, domain in lower case); Time and Duration are numbers of
 * milliseconds; List is an array, Map a Map; none is null; Members is
 * `{ members: true, cols, list, index }` (see `__members`); records and
 * Message are plain objects. Keys are data: every object this file makes
 * from a rule's names or keys (records, state, saved maps) has a null
 * prototype, so `__proto__` or `toString` is a key like any other.
 *
 * The sandbox runs the prelude once per context and keeps it between runs
 * (runtime/sandbox/bundle.ts), so the `let` bindings of the first line are
 * the only ones it may change: all set back by `__reset()`, which the sandbox
 * calls before each run. Every other top-level binding is a `const` whose
 * value is frozen (contract/prelude.ts adds the freezing).
 *
 * Runtime errors are raised by code (TW5xxx, worded in contract/messages.ts).
 */
// ---8<--- the prelude's text: everything below this line goes into every bundle, as it is
"use strict";
let __in = null, __gas = 0, __gasLimit = 0, __actions = [], __snapshots = new Map(), __st = null, __tz = [], __trace = null, __logs = 0, __sent = 0, __fanout = 0, __lcT = NaN, __lcZ = __tz, __lcF = [1970, 1, 1, 0, 0, 0, 4], __inGivens = false, __givensLeft = 0, __G_members = null, __G_list = null, __G_now = 0, __stUnits = 0, __rule = null, __kept = null;
const __reset = function () { __in = null; __gas = 0; __gasLimit = 0; __actions = []; __snapshots = new Map(); __st = null; __tz = []; __trace = null; __logs = 0; __sent = 0; __fanout = 0; __lcT = NaN; __lcZ = __tz; __lcF = [1970, 1, 1, 0, 0, 0, 4]; __inGivens = false; __givensLeft = 0; __G_members = null; __G_list = null; __G_now = 0; __stUnits = 0; __rule = null; __kept = null; };
const __STOP = { stop: true };
// A test's own statements (its givens, its expectations) run on a gas of their own, shared by the whole test
// (driver.js __givensStart): running out there fails the test as its givens, not the rule's run.
const __oog = function () {
  if (__inGivens) { __inGivens = false; __gas = 0; throw { thwonkTest: "the test's own statements (givens, helpers, expectations) used more than their 10,000,000 gas: build less (a loop over range(n) in a loop over range(m) is n × m steps)" }; }
  __host_outOfGas(); for (;;) {}
}
const __g = function (n) { if ((__gas -= n) < 0) __oog(); }
const __err = function (code, args, line, column) { throw { thwonk: true, code: code, args: args, line: line, column: column }; }
const __ia = function (r, line, column) { if (!Number.isSafeInteger(r)) __err("TW5011", [], line, column); return r; }
const __idiv = function (a, b, line, column) { if (b === 0) __err("TW5010", [], line, column); return Math.trunc(a / b); }
const __imod = function (a, b, line, column) { if (b === 0) __err("TW5010", [], line, column); return a % b; }
const __tr = function (line, column, what, value) { if (__trace) __trace.push({ line: line, column: column, what: what, value: __showFull(value, 0), gas: __gasLimit - __gas }); return value; }

// ---------------------------------------------------------------- code points
// Each walk is one native step (a regular expression, a native string method), never a JS loop per UTF-16 unit:
// the cost table charges these per 16 units (issue 11's calibration, bench/gas/calibrate.js).
const __cps = function (s) { return Array.from(s); }
// A high surrogate followed by a low one is one code point; any other unit (a lone surrogate too) is one.
const __SURROGATE = /[\ud800-\udfff]/;
// A new global expression per call: the prelude's own objects are frozen, and a global one writes its lastIndex.
const __cpLen = function (s) { return __SURROGATE.test(s) ? s.length - (s.length - s.replace(/[\ud800-\udbff][\udc00-\udfff]/g, "").length) / 2 : s.length; }
/** The unit offset `k` code points after unit offset `from` (s.length when fewer remain); `u` mode counts a pair as one, a lone surrogate as one. */
const __cpSkip = function (s, k, from) {
  if (k <= 0) return from;
  if (k >= s.length - from) k = s.length - from;
  var re = new RegExp("[\\s\\S]{" + k + "}", "uy");
  re.lastIndex = from;
  return re.exec(s) !== null ? re.lastIndex : s.length;
}

// A needle that begins with a low surrogate or ends with a high one (a lone half of a pair) could be found across
// the middle of a pair, where no character begins or ends: it is searched as a `u` expression, which matches whole
// code points only. Any other needle can only be found where characters begin and end; and such a needle is never
// found in a well-formed string (one without a lone half: all text the host parses), told by one native scan.
const __LONE_EDGE = /^[\udc00-\udfff]|[\ud800-\udbff]$/;
const __needle = function (x, flags) { return new RegExp(x.replace(/[\\^$.*+?()[\]{}|\/]/g, "\\$&"), "u" + flags); }
/** The unit offset of the first occurrence of x in s that starts and ends between characters, or -1. */
const __find = function (s, x) { if (!__LONE_EDGE.test(x)) return s.indexOf(x); if (s.isWellFormed()) return -1; var m = __needle(x, "").exec(s); return m === null ? -1 : m.index; }
/** Whether unit offset i of s is inside a pair (between its high and low surrogates). */
const __splitsPair = function (s, i) { var c = s.charCodeAt(i), b = s.charCodeAt(i - 1); return c >= 0xdc00 && c <= 0xdfff && b >= 0xd800 && b <= 0xdbff; }

// ---------------------------------------------------------------- sizes (for charging)
/** The addresses an action goes to (a send to all members: the members when it was sent). */
const __actionRecipients = function (a) { return a.toMembers ? (__snapshots.get(a) || []) : (a.to || []); }
const __rcount = function (x) { if (x === null) return 0; if (typeof x === "string") return 1; if (Array.isArray(x)) return x.length; if (__isMembers(x)) return G$Members$size(x); return 1; }
// total(x) (stdlib/decl.ts): each element's (each map value's) weight: a string its length, a list or map
// its count plus its total, a record its fields' weights, none 0, anything else 1. Values the language
// cannot change (Members, frozen stdlib objects such as a message's headers) weigh 1: a copy shares them.
const __weight = function (v) {
  if (typeof v === "string") return v.length;
  if (v === null || v === undefined) return 0;
  if (Array.isArray(v)) return v.length + __total(v);
  if (v instanceof Map) return v.size + __total(v);
  if (typeof v === "object" && !__isMembers(v) && !Object.isFrozen(v)) { var t = 0; for (var k in v) t += __weight(v[k]); return t; }
  return 1;
}
// log2(x) in the cost table (stdlib/decl.ts): ⌈log₂(x + 1)⌉, the number of binary digits of x.
const __bitlen = function (x) { var n = 0; for (var y = Math.floor(x); y >= 1; y = Math.floor(y / 2)) n++; return n; }
const __total = function (x) { var t = 0; if (Array.isArray(x)) { for (var i = 0; i < x.length; i++) t += __weight(x[i]); } else if (x instanceof Map) { x.forEach(function (v) { t += __weight(v); }); } return t; }

// ---------------------------------------------------------------- time zones
// Offsets come from the host as [[fromMs, offsetMinutes], ...] sorted by time (QuickJS has no Intl).
const __off = function (t) { var lo = 0, hi = __tz.length - 1, r = 0; while (lo <= hi) { var mid = (lo + hi) >> 1; if (__tz[mid][0] <= t) { r = __tz[mid][1]; lo = mid + 1; } else hi = mid - 1; } return r; }
// Calendar fields are read within years 0000–9999 (a time outside reads as the nearest end), so a
// date is always YYYY-MM-DD: the lengths the verifier assumed hold for any time a rule computes.
const __T_MIN = -62167219200000, __T_MAX = 253402300799999;
const __clampTime = function (t) { return t !== t ? 0 : t < __T_MIN ? __T_MIN : t > __T_MAX ? __T_MAX : t; }
// Time ± Duration stays within those years (TW5011 beyond, as an int's overflow): a time past them could not be
// saved (a Date holds ±8.64e15 ms; toISOString throws), so state fed by `t + d` each run would fail every run after.
const __ta = function (r, line, column) { if (!(r >= __T_MIN && r <= __T_MAX)) __err("TW5011", [], line, column); return r; }
// Local calendar fields by arithmetic (days to civil date, H. Hinnant's algorithm), not a Date per read: a Date
// costs microseconds under the lockdown. The last time read is kept, as a rule reads several fields of one time.
/** The local time of t (ms since 1970-01-01 on the rule's zone's wall clock). */
const __wall = function (t) { t = __clampTime(t); return __clampTime(t + __off(t) * 60000); }
/** [year, month, day, hour, minute, second, weekday (0 = sunday)] of t in the rule's time zone. */
const __local = function (t) {
  t = __clampTime(t);
  // The last time read, kept with the zone table it was read in (run state: reset with the run).
  if (t === __lcT && __tz === __lcZ) return __lcF;
  // Days are shifted by one 400-year era so every quotient below is of non-negative integers (`| 0`, no Math call).
  var l = __wall(t), days = Math.floor(l / 86400000), ms = l - days * 86400000;
  var z = days + 865565, era = (z / 146097) | 0, doe = z - era * 146097;
  var yoe = ((doe - ((doe / 1460) | 0) + ((doe / 36524) | 0) - ((doe / 146096) | 0)) / 365) | 0;
  var doy = doe - (365 * yoe + ((yoe / 4) | 0) - ((yoe / 100) | 0)), mp = ((5 * doy + 2) / 153) | 0;
  var month = mp < 10 ? mp + 3 : mp - 9, year = yoe + (era - 1) * 400 + (month <= 2 ? 1 : 0);
  __lcF = [year, month, doy - (((153 * mp + 2) / 5) | 0) + 1, (ms / 3600000) | 0, ((ms / 60000) | 0) % 60, ((ms / 1000) | 0) % 60, (z + 3) % 7];
  __lcT = t;
  __lcZ = __tz;
  return __lcF;
}
const __p4 = function (n) { return n < 10 ? "000" + n : n < 100 ? "00" + n : n < 1000 ? "0" + n : String(n); }
const __WEEKDAYS = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"];
const __p2 = function (n) { return n < 10 ? "0" + n : String(n); }
const __showTime = function (t) {
  t = __clampTime(t);
  var o = __off(t), d = __local(t);
  var s = __p4(d[0]) + (d[1] < 10 ? "-0" : "-") + d[1] + (d[2] < 10 ? "-0" : "-") + d[2] + (d[3] < 10 ? "T0" : "T") + d[3] + (d[4] < 10 ? ":0" : ":") + d[4] + (d[5] < 10 ? ":0" : ":") + d[5];
  if (o === 0) return s + "Z";
  var a = o < 0 ? -o : o, h = (a / 60) | 0, m = a % 60;
  return s + (o < 0 ? "-" : "+") + (h < 10 ? "0" : "") + h + (m < 10 ? ":0" : ":") + m;
}
// Whole days, then hours, minutes, seconds and milliseconds within the day (each under 2^31: `| 0`).
const __showDuration = function (ms) {
  if (ms === 0) return "0s";
  var m = ms < 0 ? -ms : ms, days = Math.floor(m / 86400000), r = m - days * 86400000;
  var h = (r / 3600000) | 0, mi = ((r / 60000) | 0) % 60, s = ((r / 1000) | 0) % 60, x = r % 1000;
  var out = (days > 0 ? " " + days + "d" : "") + (h > 0 ? " " + h + "h" : "") + (mi > 0 ? " " + mi + "m" : "") + (s > 0 ? " " + s + "s" : "") + (x > 0 ? " " + x + "ms" : "");
  return (ms < 0 ? "-" : "") + out.slice(1);
}
const __showAny = function (v) { if (v === null || v === undefined) return "none"; if (typeof v === "string") return v; if (typeof v === "number" || typeof v === "boolean") return String(v); if (Array.isArray(v)) return "[" + v.map(__showAny).join(", ") + "]"; if (v instanceof Map) return "{" + Array.from(v).map(function (e) { return __showAny(e[0]) + ": " + __showAny(e[1]); }).join(", ") + "}"; if (__isMembers(v)) return "members(" + G$Members$size(v) + ")"; if (typeof v.address === "string") return v.address; return "{...}"; }
// A traced value in full (run --trace): records with their fields, strings inside quoted, at most 50 elements and 4 levels.
const __showFull = function (v, depth) {
  if (v === null || v === undefined) return "none";
  if (typeof v === "string") return depth === 0 ? v : JSON.stringify(v);
  if (typeof v !== "object") return String(v);
  if (depth > 3) return "…";
  var more = function (n) { return n > 50 ? ", … " + (n - 50) + " more" : ""; };
  if (Array.isArray(v)) return "[" + v.slice(0, 50).map(function (x) { return __showFull(x, depth + 1); }).join(", ") + more(v.length) + "]";
  if (v instanceof Map) return "{" + Array.from(v).slice(0, 50).map(function (e) { return __showFull(e[0], depth + 1) + ": " + __showFull(e[1], depth + 1); }).join(", ") + more(v.size) + "}";
  if (__isMembers(v)) return "members(" + G$Members$size(v) + ")";
  return "{ " + Object.keys(v).map(function (k) { var x = v[k]; return k + ": " + (k === "joined" && typeof x === "number" ? new Date(__clampTime(x)).toISOString().replace(".000Z", "Z") : __showFull(x, depth + 1)); }).join(", ") + " }";
}

// ---------------------------------------------------------------- addresses
// The one address rule, as contract/values.ts canonicalAddress states it (test/contract/values.test.ts: they agree).
// The local part is bounded only by the whole's 320 (RFC 5321 asks servers to take local parts past 64).
// No separator, invisible or bidirectional control in the local part, but the joiner and selector of emoji sequences:
// contract/values.ts INVISIBLE says which and why.
const __invisible = /[\u00a0\u00ad\u034f\u061c\u115f\u1160\u1680\u17b4\u17b5\u180b-\u180f\u2000-\u200c\u200e\u200f\u2028-\u202f\u205f-\u206f\u2800\u3000\u3164\ue000-\uf8ff\ufe00-\ufe0e\ufeff\uffa0\ufff0-\ufffb\u{1bca0}-\u{1bca3}\u{1d173}-\u{1d17a}\u{e0000}-\u{e0fff}\u{f0000}-\u{10ffff}]|\p{Noncharacter_Code_Point}|(?<!\p{Extended_Pictographic}[\u{1f3fb}-\u{1f3ff}\ufe0f]?)\u200d|\u200d(?!\p{Extended_Pictographic})|(?<!\p{Extended_Pictographic}|[0-9#*])\ufe0f|(?<!\p{Extended_Pictographic})\ufe0f(?!\u20e3)/u;
// Lower case, then NFC (as canonicalAddress: a fixed point); a trimmed string over 4 × 320 units is none before it is normalised.
const __canonical = function (s) {
  var t = s.trim();
  if (t.length > 1280) return null;
  t = t.toLowerCase().normalize("NFC");
  var at = t.indexOf("@");
  if (t.length > 320 || at < 1 || t.length - at - 1 > 255 || /\p{Cs}/u.test(t)) return null;
  return /^[a-z0-9!#$%&'*+\/=?^_`{|}~\u00a0-\uffff-]+(?:\.[a-z0-9!#$%&'*+\/=?^_`{|}~\u00a0-\uffff-]+)*$/.test(t.slice(0, at)) &&
    !__invisible.test(t.slice(0, at)) &&
    /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?$/.test(t.slice(at + 1)) ? t : null;
}
// Every run reads the same few addresses again (the list's, its members', a sender's): the answers for short strings
// are kept, in a closure no code can reach but through this function, which puts in its own answers only. What a run
// gets is the same either way (the rule is a pure function of the string); only when it gets it changes. At most
// 256 strings of at most 330 units are kept (beyond, the table starts afresh), so what it holds stays small.
const __addr = (function () {
  var known = new Map();
  return function (s) {
    if (typeof s !== "string") return null;
    if (s.length > 330) return __canonical(s);
    var a = known.get(s);
    if (a !== undefined) return a;
    a = __canonical(s);
    if (known.size >= 256) known.clear();
    known.set(s, a);
    return a;
  };
})();
/** The canonical addresses among xs (a new array; the ones that are not addresses left out). */
const __addrs = function (xs) {
  if (xs && !Array.isArray(xs)) return xs.map(__addr).filter(function (a) { return a !== null; });
  var out = [];
  if (xs) for (var i = 0; i < xs.length; i++) { var a = __addr(xs[i]); if (a !== null) out.push(a); }
  return out;
}

// ---------------------------------------------------------------- getters
// Characters (code points), as every position and length the stdlib takes or gives: a native scan, no loop per unit.
const G$string$length = function (s) { return __cpLen(s); };
const G$Address$local = function (a) { return a.slice(0, a.lastIndexOf("@")); };
const G$Address$domain = function (a) { return a.slice(a.lastIndexOf("@") + 1); };
const G$Address$tag = function (a) { var l = G$Address$local(a), i = l.indexOf("+"); return i < 0 ? null : l.slice(i + 1); };
const G$Time$year = function (t) { return __local(t)[0]; };
const G$Time$month = function (t) { return __local(t)[1]; };
const G$Time$day = function (t) { return __local(t)[2]; };
const G$Time$hour = function (t) { return __local(t)[3]; };
const G$Time$minute = function (t) { return __local(t)[4]; };
const G$Time$weekday = function (t) { return __WEEKDAYS[__local(t)[6]]; };
const G$Time$date = function (t) { var d = __local(t); return __p4(d[0]) + "-" + __p2(d[1]) + "-" + __p2(d[2]); };
const G$Duration$days = function (d) { return Math.trunc(d / 86400000); };
const G$Duration$hours = function (d) { return Math.trunc(d / 3600000); };
const G$Duration$minutes = function (d) { return Math.trunc(d / 60000); };
const G$Duration$seconds = function (d) { return Math.trunc(d / 1000); };
const G$Duration$ms = function (d) { return d; };
const G$List$size = function (l) { return l.length; };
const G$Map$size = function (m) { return m.size; };
const G$Members$size = function (m) { return (m.list !== null ? m.list.length : __col(m, "address").length) - m.goneCount + m.extraLive; };

// ---------------------------------------------------------------- methods
const int$abs = function (n) { return Math.abs(n); };
const string$isEmpty = function (s) { return s.length === 0; };
// Text with no surrogate at all (found by one native scan) is cut by its units directly; other text by code
// points, counted and skipped natively (__cpLen, __cpSkip).
const string$truncate = function (s, n) { if (n <= 0) return ""; if (s.length <= n) return s; return __SURROGATE.test(s) ? s.slice(0, __cpSkip(s, n, 0)) : s.slice(0, n); };
const string$slice = function (s, start, end) {
  var open = end === null || end === undefined, astral = __SURROGATE.test(s);
  var len = !astral ? s.length : start < 0 || (!open && end < 0) ? __cpLen(s) : Infinity;
  var a = start < 0 ? Math.max(0, len + start) : Math.min(start, len); var b = open ? len : end < 0 ? Math.max(0, len + end) : Math.min(end, len);
  if (b <= a) return "";
  if (!astral) return s.slice(a, b);
  var i = __cpSkip(s, a, 0);
  return b === Infinity ? s.slice(i) : s.slice(i, __cpSkip(s, b - a, i));
};
const string$contains = function (s, x) { return __find(s, x) >= 0; };
const string$startsWith = function (s, x) { return s.startsWith(x) && !__splitsPair(s, x.length); };
const string$endsWith = function (s, x) { return s.endsWith(x) && !__splitsPair(s, s.length - x.length); };
const string$lower = function (s) { return s.toLowerCase(); };
const string$upper = function (s) { return s.toUpperCase(); };
const string$trim = function (s) { return s.trim(); };
const string$split = function (s, sep) { return sep === "" ? __cps(s) : !__LONE_EDGE.test(sep) ? s.split(sep) : s.isWellFormed() ? [s] : s.split(__needle(sep, "")); };
// A regular expression split runs its matcher at every position: line ends are made `\n` first, then split natively.
const string$lines = function (s) { return s.indexOf("\r") < 0 ? s.split("\n") : s.replace(/\r\n?/g, "\n").split("\n"); };
// replaceAll with a string pattern reads `$` in the replacement as a pattern: written `$$` it is itself.
const string$replace = function (s, a, b) { if (a === "") return s; b = b.indexOf("$") < 0 ? b : b.replace(/\$/g, "$$$$"); return !__LONE_EDGE.test(a) ? s.replaceAll(a, b) : s.isWellFormed() ? s : s.replace(__needle(a, "g"), b); };
// One native pass per special character present (`&` first, so the entities are not escaped again); no callback per character.
const __ESCAPES = [["&", "&amp;"], ["<", "&lt;"], [">", "&gt;"], ['"', "&quot;"], ["'", "&#39;"]];
const string$escapeHtml = function (s) { for (var i = 0; i < __ESCAPES.length; i++) if (s.indexOf(__ESCAPES[i][0]) >= 0) s = s.replaceAll(__ESCAPES[i][0], __ESCAPES[i][1]); return s; };
const string$indexOf = function (s, x) { var i = __find(s, x); if (i < 0) return null; return i === 0 ? 0 : __cpLen(s.slice(0, i)); };
const Time$sameDay = function (a, b) { return Math.floor(__wall(a) / 86400000) === Math.floor(__wall(b) / 86400000); };
const Time$startOfDay = function (t) { t = __clampTime(t); var midnightLocal = Math.floor(__wall(t) / 86400000) * 86400000; return midnightLocal - __off(midnightLocal - __off(t) * 60000) * 60000; };
const List$isEmpty = function (l) { return l.length === 0; };
const List$contains = function (l, x) { for (var i = 0; i < l.length; i++) if (l[i] === x) return true; return false; };
const List$get = function (l, i) { return i >= 0 && i < l.length ? l[i] : null; };
const List$first = function (l) { return l.length ? l[0] : null; };
const List$last = function (l) { return l.length ? l[l.length - 1] : null; };
const List$join = function (l, sep) { return l.join(sep); };
const List$push = function (l, x) { l.push(x); };
// A deep copy: lists, maps and records at every depth are new, so the copy shares nothing the rule can change.
const __copy = function (v) {
  if (v === null || typeof v !== "object") return v;
  if (Array.isArray(v)) { var a = new Array(v.length); for (var i = 0; i < v.length; i++) a[i] = __copy(v[i]); return a; }
  if (v instanceof Map) { var m = new Map(); v.forEach(function (x, k) { m.set(k, __copy(x)); }); return m; }
  if (__isMembers(v) || Object.isFrozen(v)) return v;
  var r = Object.create(null); for (var f in v) r[f] = __copy(v[f]); return r;
}
const List$copy = function (l) { return __copy(l); };
const List$take = function (l, n) { return n <= 0 ? [] : l.slice(0, n); };
// A stable bottom-up merge sort into a new array, by the elements or by one field of them (`field` checked when the
// rule was): ⌈log₂ n⌉ passes, each moving every element once, whatever the order (the cost table's n·log₂ n; a
// native sort's comparisons and stability are the engine's, not the contract's).
const __msort = function (a, field) {
  var n = a.length, src = a.slice(), dst = new Array(n), t;
  for (var w = 1; w < n; w *= 2) {
    for (var lo = 0; lo < n; lo += 2 * w) {
      var mid = Math.min(lo + w, n), hi = Math.min(lo + 2 * w, n), i = lo, j = mid, k = lo;
      if (field === null) { while (i < mid && j < hi) dst[k++] = src[j] < src[i] ? src[j++] : src[i++]; }
      else { while (i < mid && j < hi) dst[k++] = src[j][field] < src[i][field] ? src[j++] : src[i++]; }
      while (i < mid) dst[k++] = src[i++];
      while (j < hi) dst[k++] = src[j++];
    }
    t = src; src = dst; dst = t;
  }
  return src;
}
const List$sort = function (l) { return __msort(l, null); };
const List$sortBy = function (l, field) { return __msort(l, field); };
const List$slice = function (l, start, end) {
  var n = l.length, a = start < 0 ? Math.max(0, n + start) : Math.min(start, n);
  var b = end === null || end === undefined ? n : end < 0 ? Math.max(0, n + end) : Math.min(end, n);
  return b <= a ? [] : l.slice(a, b);
};
// In place, in one pass: the kept elements move down, the tail is cut once.
const List$remove = function (l, x) { var k = 0; for (var i = 0; i < l.length; i++) if (l[i] !== x) l[k++] = l[i]; l.length = k; };
// By chunks of 1,024 elements: the texts of one chunk are alive at a time, besides the chunks' joined texts (the
// result's size, which the memory bound counts twice over, at two bytes a unit), never one string per element.
const List$joinValues = function (l, sep, shown) {
  var show = shown === "time" ? __showTime : shown === "duration" ? __showDuration : String, parts = [], chunk = [];
  for (var i = 0; i < l.length; i++) { chunk.push(show(l[i])); if (chunk.length === 1024) { parts.push(chunk.join(sep)); chunk = []; } }
  if (chunk.length > 0) parts.push(chunk.join(sep));
  return parts.join(sep);
};
const Map$isEmpty = function (m) { return m.size === 0; };
const Map$get = function (m, k) { return m.has(k) ? m.get(k) : null; };
const Map$has = function (m, k) { return m.has(k); };
const Map$set = function (m, k, v) { m.set(k, v); };
const Map$remove = function (m, k) { m.delete(k); };
const Map$keys = function (m) { return Array.from(m.keys()); };
const Map$values = function (m) { return Array.from(m.values()); };
const Map$copy = function (m) { return __copy(m); };
// The fields by lower-case name, made the first time a rule looks one up (most rules never do): a look-up then
// walks only the name. The values are as the host decoded them (encoded words, one line); `raw` gives them as
// written. The index lives in the frozen headers' own `index` object, made with the message, for this run only.
const __hindex = function (h) {
  var x = h.index;
  if (x.byName === null) {
    var fields = h.fields, d = h.decoded, byName = new Map(), rawByName = new Map();
    for (var i = 0; i < fields.length; i++) {
      var k = String(fields[i][0]).toLowerCase(), raw = fields[i][1], val = typeof d[i] === "string" ? d[i] : raw, v = byName.get(k);
      if (v === undefined) { byName.set(k, [val]); rawByName.set(k, [raw]); } else { v.push(val); rawByName.get(k).push(raw); }
    }
    x.byName = byName;
    x.rawByName = rawByName;
  }
  return x;
}
const Headers$get = function (h, name) { var v = __hindex(h).byName.get(name.toLowerCase()); return v === undefined ? null : v[0]; };
const Headers$has = function (h, name) { return __hindex(h).byName.has(name.toLowerCase()); };
const Headers$all = function (h, name) { var v = __hindex(h).byName.get(name.toLowerCase()); return v === undefined ? [] : v.slice(); };
// `decoded[i]`: field i's value decoded by the host, null (or absent) when it is the raw value itself.
const __headers = function (fields, decoded) {
  // A field that is not a pair fails here, with the message, as when the index was made at once.
  for (var i = 0; i < fields.length; i++) fields[i][0];
  return Object.freeze({ fields: fields, decoded: Array.isArray(decoded) ? decoded : [], index: { byName: null, rawByName: null, automated: null } });
}
// What the headers say about isAutomated(), answered once per message when it is first asked (a message never
// changes): the rule's call walks nothing. The markers of contract/automatic.ts (AUTOMATIC_MARKERS), any field of
// each name: RFC 3834's Auto-Submitted and the de facto ones of auto-responders that do not write it
// (test/contract/automatic.test.ts holds the two to one table).
// A marker's value as RFC 3834 reads it: comments (nested, quoted pairs) and what follows the first `;` outside
// them left out, trimmed, of its first 256 characters (contract/automatic.ts markerValue, the same pass).
const __markerValue = function (v) {
  var out = "", depth = 0, from = 0, end = Math.min(v.length, 256);
  for (var i = 0; i < end; i++) {
    var c = v.charCodeAt(i);
    if (depth > 0) {
      if (c === 0x5c) i++;
      else if (c === 0x28) depth++;
      else if (c === 0x29 && --depth === 0) from = i + 1;
    } else if (c === 0x28) { out += v.slice(from, i); depth = 1; }
    else if (c === 0x3b) { out += v.slice(from, i); return out.trim(); }
  }
  return (depth > 0 ? out : out + v.slice(from, end)).trim();
}
const __automated = function (h) {
  var x = h.index;
  if (x.automated !== null) return x.automated;
  var any = function (name, marks) {
    var vs = Headers$all(h, name);
    for (var i = 0; i < vs.length; i++) if (marks(__markerValue(vs[i]))) return true;
    return false;
  };
  var notNo = function (v) { return v.toLowerCase() !== "no"; };
  x.automated = any("Auto-Submitted", notNo) ||
    any("Precedence", function (v) { return /^(bulk|list|junk|auto_reply)$/i.test(v); }) ||
    any("X-Autoreply", notNo) ||
    Headers$has(h, "X-Autorespond") ||
    any("X-Auto-Response-Suppress", function (v) { return /(^|,)\s*(all|oof|autoreply)\s*(,|$)/i.test(v); }) ||
    Headers$has(h, "List-Id");
  return x.automated;
}
const Message$isAutomated = function (m) { return __automated(m.headers) || m.envelope.sender === null; };
// Signed tokens: `expiry.mac`, the expiry in base 36 (canonical: one spelling per time), the MAC the host computes
// with the list's key (runtime/sandbox/tokens.ts). The text goes over as JSON: a lone surrogate stays itself.
const __TOKEN = /^(-?[0-9a-z]{1,11})\.([A-Za-z0-9_-]{43})$/;
const ListInfo$sign = function (l, text, expires) {
  var mac = __host_sign(l.address, expires, JSON.stringify(text));
  if (mac === null) __err("TW5050", [], null, null);
  return expires.toString(36) + "." + mac;
};
const ListInfo$verify = function (l, token, text) {
  var m = token.length <= 56 ? __TOKEN.exec(token) : null;
  if (m === null) return false;
  var expires = parseInt(m[1], 36);
  if (!Number.isSafeInteger(expires) || expires.toString(36) !== m[1]) return false;
  var ok = __host_verify(l.address, expires, JSON.stringify(text), m[2]);
  if (ok === null) __err("TW5050", [], null, null);
  return ok === true && expires >= __in.now;
};
const Members$has = function (ms, a) { return ms.extraAt.has(a) || __mbase(ms, a) >= 0; };
const Members$get = function (ms, a) { var j = ms.extraAt.get(a); if (j !== undefined) return ms.extra[j]; var i = __mbase(ms, a); return i < 0 ? null : __mrecord(ms, i); };
const Members$owners = function (ms) { return __mlist(ms).filter(function (m) { return m.role === "owner"; }); };
// Adding and removing take constant time whatever the roster's size: an added member goes to `extra` (with its
// position in `extraAt`), a removed one is forgotten there or, for a member of the roster as the run began, put in
// `gone`; nothing is copied. What walks every member (a loop, owners(), a send to all) folds them in (__mlist).
const Members$add = function (ms, a, name, line, column) {
  if (Members$has(ms, a)) return;
  if (G$Members$size(ms) >= __in.limits.members) __err("TW5013", [a, __in.limits.members], line, column);
  // A display name is kept to the 256 UTF-16 units every member name is bounded by (never splitting a character).
  var shown = name === null || name === undefined ? "" : name;
  if (shown.length > 256) { var cut = 256; var c = shown.charCodeAt(cut - 1); if (c >= 0xd800 && c <= 0xdbff) cut--; shown = shown.slice(0, cut); }
  var m = { address: a, name: shown, role: "member", joined: __in.now, bounces: 0 };
  ms.extraAt.set(a, ms.extra.length); ms.extra.push(m); ms.extraLive++;
  __actions.push({ kind: "members.add", address: a, name: m.name, at: { line: line, column: column } });
};
const Members$remove = function (ms, a, line, column) {
  var j = ms.extraAt.get(a);
  if (j !== undefined) { ms.extra[j] = null; ms.extraAt.delete(a); ms.extraLive--; }
  else if (__mbase(ms, a) >= 0) { if (ms.gone === null) ms.gone = new Set(); ms.gone.add(a); ms.goneCount++; }
  else return;
  __actions.push({ kind: "members.remove", address: a, at: { line: line, column: column } });
};

// ---------------------------------------------------------------- actions
const __oneLine = function (s) { return s.replace(/[\r\n]+/g, " "); }
const __recipients = function (x) {
  var out = [], seen = new Set();
  var add = function (a) { if (a !== null && !seen.has(a)) { seen.add(a); out.push(a); } };
  if (x === null) return out;
  if (typeof x === "string") add(x);
  else if (Array.isArray(x)) x.forEach(function (e) { add(typeof e === "string" ? e : e.address); });
  else if (__isMembers(x)) __maddresses(x).forEach(add);
  else add(x.address);
  return out;
}
// The list's own header fields as an action shows them: contract/list-fields.ts listHeaderTexts, copied (the prelude
// imports nothing; test/contract/list-fields.test.ts checks the two agree): List-Id `NAME <LOCAL.DOMAIN>`, the
// mailto URLs percent-encoded (RFC 6068), each URL field left out when it cannot fit a line of 998 octets.
const __oneLineText = function (s, max) {
  var one = s.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, " ").replace(/\s+/g, " ").trim();
  if (one.length <= max) return one;
  var cps = Array.from(one);
  return cps.length <= max ? one : cps.slice(0, max).join("");
}
const __pct = function (b) { return "%" + "0123456789ABCDEF".charAt(b >> 4) + "0123456789ABCDEF".charAt(b & 15); }
const __mailtoEncode = function (s) {
  var plain = /^[A-Za-z0-9\-._~!$'*+]*$/;
  if (plain.test(s)) return s;
  var out = "", c, d;
  for (var i = 0; i < s.length; i++) {
    c = s.charCodeAt(i);
    if (c < 0x80) { out += plain.test(s.charAt(i)) ? s.charAt(i) : __pct(c); continue; }
    if (c >= 0xd800 && c <= 0xdfff) {
      d = s.charCodeAt(i + 1);
      if (c <= 0xdbff && d >= 0xdc00 && d <= 0xdfff) { c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00); i++; } else c = 0xfffd;
    }
    if (c < 0x800) out += __pct(0xc0 | (c >> 6)) + __pct(0x80 | (c & 63));
    else if (c < 0x10000) out += __pct(0xe0 | (c >> 12)) + __pct(0x80 | ((c >> 6) & 63)) + __pct(0x80 | (c & 63));
    else out += __pct(0xf0 | (c >> 18)) + __pct(0x80 | ((c >> 12) & 63)) + __pct(0x80 | ((c >> 6) & 63)) + __pct(0x80 | (c & 63));
  }
  return out;
}
const __mailtoField = function (address, subject) {
  var at = address.lastIndexOf("@");
  var url = "mailto:" + __mailtoEncode(address.slice(0, at)) + "@" + __mailtoEncode(address.slice(at + 1)) + (subject === null ? "" : "?subject=" + __mailtoEncode(subject));
  return url.length + 3 <= 998 ? "<" + url + ">" : null;
}
const __listHeaderTexts = function (address, name) {
  var at = address.lastIndexOf("@"), local = address.slice(0, at), domain = address.slice(at + 1);
  var shown = __oneLineText(name === null || name === undefined ? local : name, 100) || __oneLineText(local, 100);
  var out = { "List-Id": shown + " <" + local + "." + domain + ">" };
  var post = __mailtoField(address, null), unsubscribe = __mailtoField(local + "-request@" + domain, "unsubscribe");
  if (post !== null) out["List-Post"] = post;
  if (unsubscribe !== null) out["List-Unsubscribe"] = unsubscribe;
  out["X-Thwonk-Loop"] = address;
  return out;
}
// The list's header fields of a reply, its own object (it adds to them); a send's and a forward's are the same
// for every run of the list, so the host adds them to those actions (runtime/run/list-headers.ts), not written out
// here and read back by JSON for each. The texts depend on the list alone:
// they are kept for the last list seen while it is a frozen object (a reused context keeps each list's input part
// frozen, the same object run after run: runtime/sandbox/kept-input.ts), in a closure no code reaches but this one.
const __listHeaders = (function () {
  var kept = null, texts = null;
  return function () {
    var l = __in.list, t = l === kept ? texts : null;
    if (t === null) {
      t = __listHeaderTexts(l.address, l.name);
      if (Object.isFrozen(l)) { kept = l; texts = t; }
    }
    var out = {};
    for (var k in t) out[k] = t[k];
    return out;
  };
})();
// Sending to all members is one action marked toMembers: the host expands it from its own member list
// (replaying the run's members.add/remove before it), so a message to 1,000 members costs no 1,000-address list here.
const __isMembers = function (x) { return x !== null && typeof x === "object" && x.members === true; }
// Each message an action sends counts once: a distinct address (a list with duplicates sends once to each), or a
// member when it goes to all members. The verifier counts size(to) per call, never fewer. An action is refused,
// before it is recorded, when it would take the run past its trigger's fan-out bound.
const __fan = function (n, line, column) {
  if (__sent + n > __fanout) __err("TW5030", [__fanout, __sent + n], line, column);
  __sent += n;
}
// `thread: m` answers m in its thread: the host writes In-Reply-To and References from m's Message-ID (runtime/mail/compose.ts).
const F$send = function (to, subject, text, html, from, replyTo, thread, line, column) {
  var all = __isMembers(to);
  var rcpt = all ? [] : __recipients(to);
  __fan(all ? G$Members$size(to) : rcpt.length, line, column);
  var action = { kind: "send", to: rcpt, toMembers: all, subject: __oneLine(subject), text: text, html: html === undefined ? null : html,
    from: from === null || from === undefined ? "list" : from, replyTo: replyTo === undefined ? null : replyTo,
    thread: thread === null || thread === undefined ? null : thread.messageId, at: { line: line, column: column } };
  if (all) __snapshots.set(action, __maddresses(to));
  __actions.push(action);
};
// To the envelope sender (RFC 3834), never a header anyone can set; a bounce (no envelope sender) is never answered.
const F$reply = function (m, text, subject, line, column) {
  if (m.envelope.sender === null) return;
  var subj = subject === null || subject === undefined ? (/^re:/i.test(m.subject) ? m.subject : "Re: " + m.subject) : subject;
  var h = __listHeaders(); h["Auto-Submitted"] = "auto-replied"; if (m.messageId) { h["In-Reply-To"] = "<" + m.messageId + ">"; h["References"] = "<" + m.messageId + ">"; }
  __fan(1, line, column);
  __actions.push({ kind: "reply", to: [m.envelope.sender], subject: __oneLine(subj), text: text, html: null, headers: h, at: { line: line, column: column } });
};
// A new subject replaces m's; the footer is added to its text and HTML by the host (runtime/mail/footer.ts), m's MIME kept.
const F$forward = function (m, to, subject, footer, line, column) {
  var all = __isMembers(to);
  var rcpt = all ? [] : __recipients(to);
  __fan(all ? G$Members$size(to) : rcpt.length, line, column);
  var action = { kind: "forward", to: rcpt, toMembers: all, subject: __oneLine(subject === null || subject === undefined ? m.subject : subject),
    footer: footer === undefined ? null : footer, text: m.text, html: m.html, messageId: m.messageId, at: { line: line, column: column } };
  if (all) __snapshots.set(action, __maddresses(to));
  __actions.push(action);
};
const F$reject = function (reason, line, column) { __actions.push({ kind: "reject", to: [], reason: reason, at: { line: line, column: column } }); throw __STOP; };
const F$hold = function (reason, line, column) { __actions.push({ kind: "hold", to: [], reason: reason, at: { line: line, column: column } }); throw __STOP; };
const F$publish = function (path, html, line, column) {
  // The one publish path rule, as contract/values.ts canonicalPublishPath states it.
  if (path.length > 200 || !/^(?:[A-Za-z0-9_-]+\/)*[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)+$/.test(path)) __err("TW5016", [path], line, column);
  // A page's characters are at least half its UTF-16 units and at most all of them: they are counted only in between.
  var page = __in.limits.page;
  if (html.length > page && (html.length > 2 * page || __cpLen(html) > page)) __err("TW5015", [path, page], line, column);
  __actions.push({ kind: "publish", to: [], path: path, html: html, at: { line: line, column: column } });
};
const F$log = function (text, line, column) {
  if (++__logs > __in.limits.logs) __err("TW5014", [__in.limits.logs], line, column);
  __actions.push({ kind: "log", to: [], text: text, at: { line: line, column: column } });
};
const F$address = function (s) { return __addr(s); };
const F$min = function (a, b) { return Math.min(a, b); };
const F$max = function (a, b) { return Math.max(a, b); };

// ---------------------------------------------------------------- state: bounds, loading, saving
// Bounds descriptors, made by the emitter from each field's declared type (emitter.ts boundsOf): 0 when nothing
// inside is bounded, else ["s", max] | ["l", max or null, elem] | ["m", max or null, key, value] | ["r", { field: d }].
// An optional is its inner type's descriptor (none always fits). Strings count characters (code points), as
// "string max N" means; collections count entries.
//
// __stbad: null when v fits d, else { max, n, path } with the path from v down to the part over its bound,
// innermost first (built only on failure: a value that fits allocates nothing).
// `exact` (the run's last check, driver.js): count a string's characters whenever it could be over. At a write
// (not exact) a string of at most twice its max in UTF-16 units is left to that last check, which counts once a run:
// counting at every write was work no gas paid for, which a loop repeats (state.s = t, t 100,000 emoji, once per
// member: twice the clock). A verified rule never writes over a bound; the units its costs assume hold at once.
const __stbad = function (d, v, exact) {
  if (d === 0 || v === null || v === undefined) return null;
  var t = d[0], r;
  if (t === "s") {
    // A string's UTF-16 length is never less than its characters: count them only when it could be over.
    if (v.length > d[1] && (exact === true || v.length > 2 * d[1])) { var n = __cpLen(v); if (n > d[1]) return { max: d[1], n: n, path: [] }; }
    return null;
  }
  if (t === "l") {
    if (d[1] !== null && v.length > d[1]) return { max: d[1], n: v.length, path: [] };
    if (d[2] === 0) return null;
    r = __stall(d[2], v, exact); if (r !== null) r.path.push("[" + r.at + "]");
    return r;
  }
  if (t === "m") {
    if (d[1] !== null && v.size > d[1]) return { max: d[1], n: v.size, path: [] };
    // Arrays of the keys and values walk faster than the map's iterators in QuickJS.
    var ks = d[2] !== 0 || d[3] !== 0 ? Array.from(v.keys()) : null;
    if (d[2] !== 0) { r = __stall(d[2], ks, exact); if (r !== null) { r.path.push(" (the key " + __stkey(ks[r.at]) + ")"); return r; } }
    if (d[3] !== 0) { r = __stall(d[3], Array.from(v.values()), exact); if (r !== null) { r.path.push("[" + __stkey(ks[r.at]) + "]"); return r; } }
    return null;
  }
  if (t === "r") {
    for (var f in d[1]) if ((r = __stbad(d[1][f], v[f], exact)) !== null) { r.path.push("." + f); return r; }
    return null;
  }
  return null;
}
// The first element of xs over d, with its index as "at"; strings are compared inline (the common case).
const __stall = function (d, xs, exact) {
  var r, i, x;
  if (d[0] === "s") {
    for (i = 0; i < xs.length; i++) if ((x = xs[i]) !== null && x.length > d[1] && (r = __stbad(d, x, exact)) !== null) { r.at = i; return r; }
    return null;
  }
  for (i = 0; i < xs.length; i++) if ((r = __stbad(d, xs[i], exact)) !== null) { r.at = i; return r; }
  return null;
}
const __stkey = function (k) { var s = typeof k === "string" ? JSON.stringify(k) : __showAny(k); return s.length > 40 ? s.slice(0, 39) + "\u2026" : s; }
const __stfail = function (place, r, line, column) { __err("TW5012", [place + r.path.reverse().join(""), r.max, r.n], line, column); }
/** A whole value written into the state place "place" ("x", "x.f"): checked before it is stored; returns it. */
const __stput = function (d, v, place, line, column) { var r = __stbad(d, v); if (r !== null) __stfail(place, r, line, column); return v; }
/** Before "push(x)" onto a state list: its new count and the element alone, not the whole list. */
const __stpush = function (d, l, x, place, line, column) {
  if (d[1] !== null && l.length >= d[1]) __stfail(place, { max: d[1], n: l.length + 1, path: [] }, line, column);
  var r = __stbad(d[2], x); if (r !== null) { r.path.push("[" + l.length + "]"); __stfail(place, r, line, column); }
}
/** Before "set(k, v)" on a state map: its new count (a new key adds one), the key and the value. */
const __stset = function (d, m, k, x, place, line, column) {
  if (d[1] !== null && m.size >= d[1] && !m.has(k)) __stfail(place, { max: d[1], n: m.size + 1, path: [] }, line, column);
  var r = __stbad(d[2], k); if (r !== null) { r.path.push(" (the key " + __stkey(k) + ")"); __stfail(place, r, line, column); }
  r = __stbad(d[3], x); if (r !== null) { r.path.push("[" + __stkey(k) + "]"); __stfail(place, r, line, column); }
}
// Type descriptors: "int" | "bool" | "string" | "address" | "time" | "duration" | ["list", d] | ["map", k, v] | ["opt", d] | ["rec", {f: d}]
const __load = function (d, v) {
  if (v === null || v === undefined) return null;
  if (typeof d === "string") {
    if (d === "time") return typeof v === "number" ? v : Date.parse(v);
    if (d === "address") return __addr(v);
    return v;
  }
  if (d[0] === "opt") return __load(d[1], v);
  if (d[0] === "list") return v.map(function (x) { return __load(d[1], x); });
  if (d[0] === "map") { var m = new Map(); Object.keys(v).forEach(function (k) { m.set(__loadKey(d[1], k), __load(d[2], v[k])); }); return m; }
  if (d[0] === "rec") { var r = Object.create(null); Object.keys(d[1]).forEach(function (f) { r[f] = __load(d[1][f], v[f]); }); return r; }
  return v;
}
const __loadKey = function (d, k) { if (d === "int" || d === "duration") return Number(k); if (d === "time") return Date.parse(k); if (d === "bool") return k === "true"; if (d === "address") return __addr(k); return k; }
const __save = function (d, v) {
  if (v === null || v === undefined) return null;
  if (typeof d === "string") { if (d === "time") return new Date(__clampTime(v)).toISOString(); return v; }
  if (d[0] === "opt") return __save(d[1], v);
  if (d[0] === "list") return v.map(function (x) { return __save(d[1], x); });
  if (d[0] === "map") { var o = Object.create(null); v.forEach(function (val, k) { o[__saveKey(d[1], k)] = __save(d[2], val); }); return o; }
  if (d[0] === "rec") { var r = Object.create(null); Object.keys(d[1]).forEach(function (f) { r[f] = __save(d[1][f], v[f]); }); return r; }
  return v;
}
const __saveKey = function (d, k) { if (d === "time") return new Date(__clampTime(k)).toISOString(); return String(k); }

// ---------------------------------------------------------------- inputs
// Members arrive from the host in columns ({ address, name, role, joined, bounces }: each an array, or the
// values joined by newlines, which parse far faster; addresses already canonical), or as a list of
// records (tests), or as the sandbox's shared columns ({ col, pos }: kept between runs while the
// members stay the same; see runtime/sandbox/lockdown.ts). A column is split, and records and the
// address index made, only when the rule needs them: sending to all members touches none of it.
const __members = function (input) {
  // The sandbox's shared columns first: every run of a reused context takes this way, with no empty columns made.
  if (input && typeof input.col === "function" && !Array.isArray(input)) return __mnew({}, input);
  var cols = { address: [], name: [], role: [], joined: [], bounces: [] };
  if (Array.isArray(input)) {
    var seen = new Set();
    input.forEach(function (m) {
      var a = __addr(m.address); if (a === null || seen.has(a)) return; seen.add(a);
      cols.address.push(a); cols.name.push(m.name || ""); cols.role.push(m.role || "member");
      cols.joined.push(typeof m.joined === "number" ? m.joined : typeof m.joined === "string" ? Date.parse(m.joined) : __in.now);
      cols.bounces.push(typeof m.bounces === "number" && m.bounces > 0 ? Math.floor(m.bounces) : 0);
    });
  } else if (input) cols = { address: input.address, name: input.name, role: input.role, joined: input.joined, bounces: input.bounces };
  return __mnew(cols, null);
}
// The roster as the run began (columns, or `list` once records were made; `index` its positions), and the run's
// changes to it: `gone` (a Set, or null) the members of it removed, `extra` the members added (null once removed).
const __mnew = function (cols, shared) {
  return { members: true, cols: cols, shared: shared, list: null, index: null, lookups: 0, gone: null, goneCount: 0, extra: [], extraAt: new Map(), extraLive: 0 };
}
const __col = function (ms, key) {
  var c = ms.cols[key];
  if (c === undefined && ms.shared !== null) c = ms.cols[key] = ms.shared.col(key);
  if (key === "bounces") {
    // Bounce counts are optional in the input: without them (or not one a member) every count is 0.
    if (typeof c === "string") c = c === "" ? [] : c.split("\n").map(function (x) { return Number(x) || 0; });
    var a = __col(ms, "address");
    if (!Array.isArray(c) || c.length !== a.length) c = a.map(function () { return 0; });
    ms.cols[key] = c;
    return c;
  }
  if (typeof c === "string") {
    // Only the address column tells "no members" from one: one member's name column is "" when the name is empty.
    c = c === "" && key === "address" ? [] : c.split("\n");
    if (key === "joined") c = c.map(Number);
    ms.cols[key] = c;
  }
  return c;
}
// Every member's record, in the order they joined. The run's changes are folded in here, into a new roster (this
// walks all members once, as the caller does: a loop, owners(), a send to all members, each charged per member).
const __mlist = function (ms) {
  if (ms.list === null) {
    var a = __col(ms, "address"), n = __col(ms, "name"), r = __col(ms, "role"), j = __col(ms, "joined"), b = __col(ms, "bounces"), out = new Array(a.length);
    for (var i = 0; i < out.length; i++) out[i] = { address: a[i], name: n[i], role: r[i], joined: j[i], bounces: b[i] };
    ms.list = out;
  }
  if (ms.gone === null && ms.extra.length === 0) return ms.list;
  var all = [], k, m;
  for (k = 0; k < ms.list.length; k++) { m = ms.list[k]; if (ms.gone === null || !ms.gone.has(m.address)) all.push(m); }
  for (k = 0; k < ms.extra.length; k++) if ((m = ms.extra[k]) !== null) all.push(m);
  ms.list = all; ms.index = null; ms.gone = null; ms.goneCount = 0; ms.extra = []; ms.extraAt = new Map(); ms.extraLive = 0;
  return all;
}
const __mindex = function (ms) {
  if (ms.index === null) {
    var idx = new Map(), addrs = __mbaseAddresses(ms);
    for (var i = 0; i < addrs.length; i++) idx.set(addrs[i], i);
    ms.index = idx;
  }
  return ms.index;
}
// A member's position in the roster as the run began (or as last folded), or -1 (also when removed since). The
// first few look-ups scan the addresses (a rule that asks once should not pay for an index of every member);
// after that an index is built, and kept: adding and removing leave the roster itself as it is.
const __mbase = function (ms, a) {
  var i;
  if (ms.list === null && ms.shared !== null) i = ms.shared.pos(a); // the members as given, indexed once for all runs
  else if (ms.index === null && ++ms.lookups <= 4) i = __mbaseAddresses(ms).indexOf(a);
  else { i = __mindex(ms).get(a); if (i === undefined) i = -1; }
  return i >= 0 && ms.gone !== null && ms.gone.has(a) ? -1 : i;
}
// One member's record, without making all of them.
const __mrecord = function (ms, i) {
  if (ms.list !== null) return ms.list[i];
  return { address: __col(ms, "address")[i], name: __col(ms, "name")[i], role: __col(ms, "role")[i], joined: __col(ms, "joined")[i], bounces: __col(ms, "bounces")[i] };
}
const __mbaseAddresses = function (ms) { return ms.list !== null ? ms.list.map(function (m) { return m.address; }) : __col(ms, "address"); }
/** Every member's address, in order: a new array, or the frozen column when the run changed nothing. */
const __maddresses = function (ms) { if (ms.gone !== null || ms.extra.length !== 0) __mlist(ms); return __mbaseAddresses(ms); }
const __attachment = function (a) { return { filename: a.filename === undefined ? null : a.filename, contentType: a.contentType || "application/octet-stream", size: a.size || 0 }; }
const __attachments = function (xs) { var out = []; if (xs) for (var i = 0; i < xs.length; i++) out.push(__attachment(xs[i])); return out; }
const __message = function (j) {
  if (!j) return null;
  var env = j.envelope || {};
  var from = __addr(j.from) || "unknown@invalid.invalid";
  return {
    from: from, to: __addrs(j.to), cc: __addrs(j.cc), subject: j.subject || "", text: j.text || "",
    html: j.html === undefined ? null : j.html, headers: __headers(j.headers || [], j.decoded),
    attachments: j.attachments && !Array.isArray(j.attachments) ? j.attachments.map(__attachment) : __attachments(j.attachments),
    date: j.date === null || j.date === undefined ? null : (typeof j.date === "number" ? j.date : Date.parse(j.date)),
    messageId: j.messageId || "", envelope: { sender: env.sender === null ? null : __addr(env.sender === undefined ? from : env.sender), recipient: __addr(env.recipient) || __in.list.address, isRequest: !!env.isRequest, tag: env.tag === undefined ? null : env.tag },
    approved: j.approved === true,
    fromName: typeof j.fromName === "string" ? j.fromName : "", replyTo: __addr(j.replyTo)
  };
}

// The message of a packed input (runtime/sandbox/kept-input.ts PACKED: [gas, now, state, fanout, from, to, subject,
// text, headers, date, messageId, sender, recipient]), whose other members read as their absence: what __message
// makes of the message object it stands for, member by member.
const __packedMessage = function (p) {
  var from = __addr(p[4]) || "unknown@invalid.invalid";
  return {
    from: from, to: __addrs(p[5]), cc: __addrs(undefined), subject: p[6] || "", text: p[7] || "",
    html: null, headers: __headers(p[8] || [], undefined),
    attachments: __attachments(undefined),
    date: p[9] === null ? null : (typeof p[9] === "number" ? p[9] : Date.parse(p[9])),
    messageId: p[10] || "", envelope: { sender: p[11] === null ? null : __addr(p[11]), recipient: __addr(p[12]) || __in.list.address, isRequest: false, tag: null },
    approved: false,
    fromName: "", replyTo: null
  };
}
// ---------------------------------------------------------------- string patterns and numbers
// `matches`: Sieve's `:matches` wildcards, in time linear in the string for each run of literal characters,
// never a backtracking expression over the whole pattern. The pattern is cut at its stars into runs of
// characters and `?`; the first run must match at the start, the last at the end, and each one between is
// taken at its leftmost place after the one before (taking it further right can only leave less room to the
// rest). Each run is a regular expression without quantifiers or alternatives (one attempt per position, at
// most the run's length), searched natively. `u`: a `?` and every position count code points, as `slice` does.
// The pattern is read natively: a global expression steps through its stars, question marks, escapes and runs of
// other characters; a run is escaped by one native replace, and each literal goes in a group of its own so that two
// halves of a surrogate pair written apart (an escaped low half after a high one) never join into one character.
// Each run is matched as soon as its star is read, and dropped: the call holds one run, never an array of the
// pattern's pieces (a pattern of `*?*?…` made one string per unit, about 60 bytes a unit, past the memory bound).
// (The regular expressions are made per call: a global one keeps a lastIndex, and the prelude's constants are frozen.)
const string$matches = function (s, p, ignoreCase) {
  var flags = ignoreCase === true ? "sui" : "su", tokens = new RegExp("\\*|\\?|\\\\[\\s\\S]?|[^*?\\\\]+", "gu");
  var special = new RegExp("[$()*+.?[\\\\\\]^{|}/]", "g"), cur = "", stars = 0, pos = 0, m, t, c, re;
  while ((m = tokens.exec(p)) !== null) {
    t = m[0];
    if (t === "*") {
      // The first run must match at the start; each one after it at its leftmost place from where the last ended.
      if (cur !== "") {
        re = new RegExp(cur, flags + (stars === 0 ? "y" : "g")); re.lastIndex = pos;
        if (re.exec(s) === null) return false;
        pos = re.lastIndex;
      }
      stars++; cur = "";
    }
    else if (t === "?") cur += ".";
    else if (t.charCodeAt(0) === 92) { c = t.length === 1 ? t : t.slice(1); cur += "$()*+.?[\\]^{|}/".indexOf(c) >= 0 ? "\\" + c : "(?:" + c + ")"; }
    else cur += "(?:" + t.replace(special, "\\$&") + ")";
  }
  // No star: the whole string is the one run. Otherwise the last run ends the string.
  if (stars === 0) { re = new RegExp("(?:" + cur + ")$", flags + "y"); re.lastIndex = 0; return re.exec(s) !== null; }
  if (cur === "") return true;
  re = new RegExp("(?:" + cur + ")$", flags + "g"); re.lastIndex = pos;
  return re.exec(s) !== null;
}
// Decimal digits with an optional sign; leading zeros aside, more than 16 digits is past 2^53 − 1 whatever they are,
// and 16 or fewer parse exactly below 2^53 (a larger value is not a safe integer: none).
const string$toInt = function (s) {
  if (!/^[+-]?[0-9]+$/.test(s)) return null;
  var t = s.replace(/^[+-]?0*/, "");
  if (t.length > 16) return null;
  var n = t === "" ? 0 : Number(t);
  if (!Number.isSafeInteger(n)) return null;
  return s.charCodeAt(0) === 45 && n !== 0 ? -n : n;
}

// ---------------------------------------------------------------- header fields as written
const Headers$raw = function (h, name) { var v = __hindex(h).rawByName.get(name.toLowerCase()); return v === undefined ? null : v[0]; };
