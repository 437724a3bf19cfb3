// rule auto_reply
function __thwonk_run(name, inputJson, members) { return __drive(name, inputJson, members, __triggers, __tests, __stateSchema, __stateBounds, __stateInit, __stateUnitGas); }
var __stateSchema = { "answered": ["map","address","time"] };
var __stateBounds = { "answered": ["m",10000,0,0] };
var __stateUnitGas = 2;
function __stateInit(name) {
  if (name === "answered") return new Map([]);
  return null;
}
function __trigger_0($m) {
  var __t0, __t1, __t2, __t3, __t4, __t5, __t6, __t7, __t8, __t9, __t10, __t11, __t12, __t13, __t14, __t15;
  if ((__gas -= 41) < 0) __oog();
  (__t0 = $m, __t1 = __G_members, __t2 = null, __t3 = null, __g((50 + (__rcount(__t1) * 10) + Math.ceil(((__t2 === null ? 0 : __t2.length) + (__t3 === null ? 0 : __t3.length)) / 32))), F$forward(__t0, __t1, __t2, __t3, 18, 3));
  if (Message$isAutomated($m)) {
    if ((__gas -= 1) < 0) __oog();
    return;
  }
  if (($m.envelope.sender === null)) {
    if ((__gas -= 1) < 0) __oog();
    return;
  }
  const $last = (__t4 = __st["answered"], __t5 = $m.from, __g((3 + Math.ceil(1 / 16))), Map$get(__t4, __t5));
  if ((($last !== null) && Time$sameDay($last, __G_now))) {
    if ((__gas -= 1) < 0) __oog();
    return;
  }
  if ((G$Map$size(__st["answered"]) >= 10000)) {
    if ((__gas -= 5) < 0) __oog();
    (__t7 = (__t6 = "more than 10000 senders today; " + $m.from + " gets no acknowledgement", __g((1 + Math.ceil(__t6.length / 16))), __t6), __g((20 + Math.ceil((__t7 === null ? 0 : __t7.length) / 64))), F$log(__t7, 30, 5));
    return;
  }
  (__t8 = __st["answered"], __t9 = $m.from, __t10 = __G_now, __g((5 + Math.ceil(1 / 16))), (__stset(__SB[0], __t8, __t9, __t10, "answered", 33, 3), Map$set(__t8, __t9, __t10)));
  (__t13 = $m, __t15 = (__t12 = "Re: " + $m.subject, __g((1 + Math.ceil(__t12.length / 16))), __t12), __t14 = (__t11 = "Thank you for writing to " + __G_list.name + ". Someone will answer within two working days. (This reply is automatic; you get at most one a day.)", __g((1 + Math.ceil(__t11.length / 16))), __t11), __g((50 + Math.ceil(((__t14 === null ? 0 : __t14.length) + (__t15 === null ? 0 : __t15.length)) / 64))), F$reply(__t13, __t14, __t15, 34, 3));
}
function __trigger_1() {
  if ((__gas -= 4) < 0) __oog();
  __st["answered"] = __stput(__SB[0], new Map([]), "answered", 39, 3);
}
var __triggers = { "message": __trigger_0, "every day at 00:00": __trigger_1 };
var __tests = [];
var __SB = [["m",10000,0,0]];
