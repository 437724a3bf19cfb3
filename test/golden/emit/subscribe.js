
  // rule subscribe
  var __stateSchema = {  };
  function __stateInit(name) {
    return null;
  }
  function $handleRequest($m) {
    var __t0, __t1, __t2, __t3, __t4, __t5, __t6, __t7, __t8, __t9, __t10, __t11, __t12, __t13, __t14, __t15, __t16, __t17, __t18, __t19, __t20, __t21, __t22, __t23, __t24, __t25, __t26, __t27, __t28;
    if ((__gas -= 13) < 0) __oog();
    if (Message$isAutomated($m)) {
      if ((__gas -= 1) < 0) __oog();
      return;
    }
    const $command = (__t1 = (__t0 = $m.subject, __g((5 + Math.ceil((__t0 === null ? 0 : __t0.length) / 16))), string$trim(__t0)), __g((5 + Math.ceil((__t1 === null ? 0 : __t1.length) / 16))), string$lower(__t1));
    if ((__t2 = $command, __t3 = "subscribe", __g((1 + Math.ceil(Math.min((__t2 === null ? 0 : __t2.length), (__t3 === null ? 0 : __t3.length)) / 16))), __t2 === __t3)) {
      if ((__gas -= 43) < 0) __oog();
      if (Members$has(__G_members, $m.from)) {
        if ((__gas -= 5) < 0) __oog();
        (__t5 = $m, __t6 = (__t4 = "You are already subscribed to " + __G_list.address + ".", __g((1 + Math.ceil(__t4.length / 16))), __t4), __t7 = null, __g((50 + Math.ceil(((__t6 === null ? 0 : __t6.length) + (__t7 === null ? 0 : __t7.length)) / 64))), F$reply(__t5, __t6, __t7, 31, 7));
        return;
      }
      Members$add(__G_members, $m.from, $displayName($m), 34, 5);
      (__t10 = $m, __t11 = (__t8 = "You are now subscribed to " + __G_list.address + ". To leave, send \"unsubscribe\" as the subject to " + $requestAddress() + ".", __g((1 + Math.ceil(__t8.length / 16))), __t8), __t12 = (__t9 = "Welcome to " + __G_list.name, __g((1 + Math.ceil(__t9.length / 16))), __t9), __g((50 + Math.ceil(((__t11 === null ? 0 : __t11.length) + (__t12 === null ? 0 : __t12.length)) / 64))), F$reply(__t10, __t11, __t12, 35, 5));
    } else {
      if ((__gas -= 2) < 0) __oog();
      if ((__t13 = $command, __t14 = "unsubscribe", __g((1 + Math.ceil(Math.min((__t13 === null ? 0 : __t13.length), (__t14 === null ? 0 : __t14.length)) / 16))), __t13 === __t14)) {
        if ((__gas -= 36) < 0) __oog();
        if (!(Members$has(__G_members, $m.from))) {
          if ((__gas -= 6) < 0) __oog();
          (__t16 = $m, __t17 = (__t15 = $m.from + " is not subscribed to " + __G_list.address + ", so there was nothing to do.", __g((1 + Math.ceil(__t15.length / 16))), __t15), __t18 = null, __g((50 + Math.ceil(((__t17 === null ? 0 : __t17.length) + (__t18 === null ? 0 : __t18.length)) / 64))), F$reply(__t16, __t17, __t18, 39, 7));
          return;
        }
        Members$remove(__G_members, $m.from, 42, 5);
        (__t21 = $m, __t22 = (__t19 = "You have been unsubscribed from " + __G_list.address + ".", __g((1 + Math.ceil(__t19.length / 16))), __t19), __t23 = (__t20 = "Goodbye from " + __G_list.name, __g((1 + Math.ceil(__t20.length / 16))), __t20), __g((50 + Math.ceil(((__t22 === null ? 0 : __t22.length) + (__t23 === null ? 0 : __t23.length)) / 64))), F$reply(__t21, __t22, __t23, 43, 5));
      } else {
        if ((__gas -= 10) < 0) __oog();
        (__t26 = $m, __t27 = (__t24 = "Send one of these words as the subject to " + $requestAddress() + ":\n  subscribe    join " + __G_list.address + "\n  unsubscribe  leave it", __g((1 + Math.ceil(__t24.length / 16))), __t24), __t28 = (__t25 = "Help for " + __G_list.name, __g((1 + Math.ceil(__t25.length / 16))), __t25), __g((50 + Math.ceil(((__t27 === null ? 0 : __t27.length) + (__t28 === null ? 0 : __t28.length)) / 64))), F$reply(__t26, __t27, __t28, 45, 5));
      }
    }
  }
  function $displayName($m) {
    var __t0, __t1, __t2, __t3, __t4, __t5, __t6, __t7, __t8, __t9;
    if ((__gas -= 17) < 0) __oog();
    const $header = ((__t0 = (__t1 = $m.headers, __t2 = "From", __g((3 + Math.ceil((__t2 === null ? 0 : __t2.length) / 16))), Headers$get(__t1, __t2))) !== null ? __t0 : "");
    const $parts = (__t3 = $header, __t4 = "<", __g((5 + Math.ceil(((__t3 === null ? 0 : __t3.length) * ((__t4 === null ? 0 : __t4.length) + 1)) / 32))), string$split(__t3, __t4));
    if ((G$List$size($parts) < 2)) {
      if ((__gas -= 1) < 0) __oog();
      return "";
    }
    return (__t9 = (__t6 = ((__t5 = List$first($parts)) !== null ? __t5 : ""), __t7 = "\"", __t8 = "", __g(((5 + Math.ceil(((__t6 === null ? 0 : __t6.length) * ((__t7 === null ? 0 : __t7.length) + 1)) / 32)) + Math.ceil((((__t6 === null ? 0 : __t6.length) + 1) * (__t8 === null ? 0 : __t8.length)) / 16))), string$replace(__t6, __t7, __t8)), __g((5 + Math.ceil((__t9 === null ? 0 : __t9.length) / 16))), string$trim(__t9));
  }
  function $requestAddress() {
    var __t0;
    if ((__gas -= 6) < 0) __oog();
    return (__t0 = G$Address$local(__G_list.address) + "-request@" + G$Address$domain(__G_list.address), __g((1 + Math.ceil(__t0.length / 16))), __t0);
  }
  function __trigger_0($m) {
    var __t0, __t1, __t2, __t3, __t4, __t5, __t6, __t7;
    if ((__gas -= 14) < 0) __oog();
    if ($m.envelope.isRequest) {
      if ((__gas -= 6) < 0) __oog();
      $handleRequest($m);
      return;
    }
    if (!(Members$has(__G_members, $m.from))) {
      if ((__gas -= 8) < 0) __oog();
      (__t1 = (__t0 = "Only members may post to " + __G_list.address + ". To join, send \"subscribe\" as the subject to " + $requestAddress() + ".", __g((1 + Math.ceil(__t0.length / 16))), __t0), __g((10 + Math.ceil((__t1 === null ? 0 : __t1.length) / 64))), F$reject(__t1, 19, 5));
    }
    (__t2 = __G_members, __t3 = $m.subject, __t4 = $m.text, __t5 = null, __t6 = "sender", __t7 = "list", __g((50 + (__rcount(__t2) * 10) + Math.ceil(((__t3 === null ? 0 : __t3.length) + (__t4 === null ? 0 : __t4.length) + (__t5 === null ? 0 : __t5.length)) / 64))), F$send(__t2, __t3, __t4, __t5, __t6, __t7, 21, 3));
  }
  var __triggers = { "message": __trigger_0 };
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
