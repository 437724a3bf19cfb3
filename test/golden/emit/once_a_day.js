
  // rule once_a_day
  var __stateSchema = { "lastPost": ["map","address","time"] };
  function __stateInit(name) {
    if (name === "lastPost") return new Map([]);
    return null;
  }
  function __trigger_0($m) {
    var __t0, __t1, __t2, __t3, __t4, __t5, __t6, __t7, __t8, __t9, __t10, __t11, __t12, __t13;
    if ((__gas -= 42) < 0) __oog();
    if (Message$isAutomated($m)) {
      if ((__gas -= 1) < 0) __oog();
      return;
    }
    if (!(Members$has(__G_members, $m.from))) {
      if ((__gas -= 4) < 0) __oog();
      (__t1 = (__t0 = "Only members may post to " + __G_list.address + ".", __g((1 + Math.ceil(__t0.length / 16))), __t0), __g((10 + Math.ceil((__t1 === null ? 0 : __t1.length) / 64))), F$reject(__t1, 22, 5));
    }
    const $last = Map$get(__st["lastPost"], $m.from);
    if ((($last !== null) && Time$sameDay($last, __G_now))) {
      if ((__gas -= 3) < 0) __oog();
      (__t2 = $m, __t3 = "You have already posted today, so this message was not sent. Try again tomorrow.", __t4 = null, __g((50 + Math.ceil(((__t3 === null ? 0 : __t3.length) + (__t4 === null ? 0 : __t4.length)) / 64))), F$reply(__t2, __t3, __t4, 26, 5));
      return;
    }
    (__t5 = __st["lastPost"], __t6 = $m.from, __t7 = __G_now, (Map$set(__t5, __t6, __t7), __stmax(__t5, 5000, "lastPost", 29, 3), undefined));
    (__t8 = __G_members, __t9 = $m.subject, __t10 = $m.text, __t11 = null, __t12 = "sender", __t13 = "list", __g((50 + (__rcount(__t8) * 10) + Math.ceil(((__t9 === null ? 0 : __t9.length) + (__t10 === null ? 0 : __t10.length) + (__t11 === null ? 0 : __t11.length)) / 64))), F$send(__t8, __t9, __t10, __t11, __t12, __t13, 30, 3));
  }
  function __trigger_1() {
    if ((__gas -= 4) < 0) __oog();
    __st["lastPost"] = __stmax(new Map([]), 5000, "lastPost", 36, 3);
  }
  var __triggers = { "message": __trigger_0, "every day at 00:00": __trigger_1 };
  var __tests = [];
  var __G_members = null, __G_list = null, __G_now = 0;
  function __loadState(saved) {
    var st = {};
    Object.keys(__stateSchema).forEach(function (k) { st[k] = saved && Object.prototype.hasOwnProperty.call(saved, k) ? __load(__stateSchema[k], saved[k]) : __stateInit(k); });
    return st;
  }
  function __saveState(st) { var o = {}; Object.keys(__stateSchema).forEach(function (k) { o[k] = __save(__stateSchema[k], st[k]); }); return o; }
  function __begin(input) {
    __in = input; __gas = __gasLimit = input.gas; __actions = []; __snapshots = new Map(); __logs = 0; __sent = 0; __tz = input.tz || []; __trace = input.trace ? [] : null;
    __G_now = typeof input.now === "number" ? input.now : Date.parse(input.now);
    __G_members = __members(input.members);
    __G_list = { address: __addr(input.list.address), name: input.list.name || "", owners: (input.list.owners || []).map(__addr).filter(function (a) { return a !== null; }) };
    // Loading state (and evaluating initial values) is not the rule's work: it costs no gas.
    __st = __loadState(input.state);
    __gas = __gasLimit;
  }
  function __runTrigger(name, msg) {
    try {
      var trigger = __triggers[name];
      if (!trigger) __err("TW5018", [name], 0, 0);
      trigger(msg);
    } catch (e) {
      if (e === __STOP) return null; // reject or hold ended the trigger
      if (e && e.thwonk === true) return { code: e.code, args: e.args, line: e.line, column: e.column };
      throw e;
    }
    return null;
  }
  function __result(error, extra) {
    var r = { actions: error ? [] : __actions, state: error ? null : __saveState(__st), gas: { used: __gasLimit - __gas }, error: error, trace: __trace };
    if (extra) Object.keys(extra).forEach(function (k) { r[k] = extra[k]; });
    return JSON.stringify(r);
  }
  // A message given in a test as a record: the fields it names, sensible defaults for the rest.
  function __testMessage(r) {
    var j = {};
    Object.keys(r).forEach(function (k) { j[k] = r[k]; });
    if (j.headers instanceof Map) j.headers = Array.from(j.headers);
    else if (j.headers && j.headers.fields) j.headers = j.headers.fields;
    if (j.envelope && typeof j.envelope === "object") j.envelope = j.envelope;
    if (j.from === undefined) j.from = G$Members$size(__G_members) ? __maddresses(__G_members)[0] : "sender@example.org";
    if (j.messageId === undefined) j.messageId = "test@thwonk.invalid";
    return __message(j);
  }
  var __PATTERN_FIELDS = { a: "address", reason: "reason" };
  function __expectAction(failures, kind, pattern, negated, text, line, column) {
    var matches = __actions.filter(function (a) {
      if (a.kind !== kind) return false;
      return Object.keys(pattern).every(function (p) {
        var want = pattern[p];
        if (p === "m") return true;
        if (p === "to") { var got = __actionRecipients(a); return __recipients(want).every(function (x) { return got.indexOf(x) >= 0; }); }
        var field = __PATTERN_FIELDS[p] || p;
        return a[field] === want;
      });
    });
    if (negated && matches.length > 0) failures.push({ line: line, column: column, message: "expected no \u0060" + text + "\u0060, but the run did " + (matches.length === 1 ? "one" : matches.length) + ": " + matches.map(__describeAction).join("; ") });
    if (!negated && matches.length === 0) failures.push({ line: line, column: column, message: "expected a \u0060" + text + "\u0060, but " + (__actions.length ? "the run did: " + __actions.map(__describeAction).join("; ") : "the run did nothing") });
  }
  function __describeAction(a) {
    var s = a.kind;
    var to = __actionRecipients(a);
    if (a.toMembers) s += to.length === 1 ? " to the one member" : " to all " + to.length + " members";
    else if (to.length) s += " to " + (to.length > 3 ? to.slice(0, 3).join(", ") + " and " + (to.length - 3) + " more" : to.join(", "));
    if (a.subject !== undefined) s += " subject " + JSON.stringify(a.subject);
    if (a.reason !== undefined) s += " " + JSON.stringify(a.reason);
    if (a.address !== undefined) s += " " + a.address;
    if (a.path !== undefined) s += " " + a.path;
    return s;
  }
  return function (name, inputJson) {
    var input = JSON.parse(inputJson);
    __begin(input);
    if (name.indexOf("test:") === 0) {
      var t = __tests[Number(name.slice(5))];
      var msg = t.setup();
      if (msg === null && t.trigger === "message") msg = __testMessage({});
      __gas = __gasLimit;
      var error = __runTrigger(t.trigger, msg);
      var used = __gasLimit - __gas;
      // Checking the expectations is not the rule's work: it neither counts nor runs out.
      __gas = 1e15;
      var failures = error ? [] : t.expects();
      __gas = __gasLimit - used;
      return __result(error, { failures: failures });
    }
    return __result(__runTrigger(name, __message(input.message)));
  };
})();
