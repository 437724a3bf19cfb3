// rule once_a_day
function __thwonk_run(name, inputJson, members) { return __drive(name, inputJson, members, __triggers, __tests, __stateSchema, __stateBounds, __stateInit, __stateUnitGas); }
var __stateSchema = { "lastPost": ["map","address","time"] };
var __stateBounds = { "lastPost": ["m",5000,0,0] };
var __stateUnitGas = 2;
function __stateInit(name) {
  if (name === "lastPost") return new Map([]);
  return null;
}
function __trigger_0($m) {
  var __t0, __t1, __t2, __t3, __t4, __t5, __t6, __t7, __t8, __t9, __t10, __t11, __t12, __t13, __t14, __t15, __t16, __t17, __t18;
  if ((__gas -= 40) < 0) __oog();
  if (Message$isAutomated($m)) {
    if ((__gas -= 1) < 0) __oog();
    return;
  }
  if (!(Members$has(__G_members, $m.from))) {
    if ((__gas -= 4) < 0) __oog();
    (__t1 = (__t0 = "Only members may post to " + __G_list.address + ".", __g((1 + Math.ceil(__t0.length / 16))), __t0), __g((10 + Math.ceil((__t1 === null ? 0 : __t1.length) / 64))), F$reject(__t1, 22, 5));
  }
  const $last = (__t2 = __st["lastPost"], __t3 = $m.from, __g((3 + Math.ceil(1 / 16))), Map$get(__t2, __t3));
  if ((($last !== null) && Time$sameDay($last, __G_now))) {
    if ((__gas -= 3) < 0) __oog();
    (__t4 = $m, __t5 = "You have already posted today, so this message was not sent. Try again tomorrow.", __t6 = null, __g((50 + Math.ceil(((__t5 === null ? 0 : __t5.length) + (__t6 === null ? 0 : __t6.length)) / 64))), F$reply(__t4, __t5, __t6, 26, 5));
    return;
  }
  if (((__t7 = __st["lastPost"], __t8 = $m.from, __g((3 + Math.ceil(1 / 16))), Map$has(__t7, __t8)) || (G$Map$size(__st["lastPost"]) < 5000))) {
    if ((__gas -= 4) < 0) __oog();
    (__t9 = __st["lastPost"], __t10 = $m.from, __t11 = __G_now, __g((5 + Math.ceil(1 / 16))), (__stset(__SB[0], __t9, __t10, __t11, "lastPost", 31, 5), Map$set(__t9, __t10, __t11)));
  }
  (__t12 = __G_members, __t13 = $m.subject, __t14 = $m.text, __t15 = null, __t16 = "sender", __t17 = "list", __t18 = null, __g((50 + (__rcount(__t12) * 10) + Math.ceil(((__t13 === null ? 0 : __t13.length) + (__t14 === null ? 0 : __t14.length) + (__t15 === null ? 0 : __t15.length)) / 64))), F$send(__t12, __t13, __t14, __t15, __t16, __t17, __t18, 33, 3));
}
function __trigger_1() {
  if ((__gas -= 4) < 0) __oog();
  __st["lastPost"] = __stput(__SB[0], new Map([]), "lastPost", 39, 3);
}
var __triggers = { "message": __trigger_0, "every day at 00:00": __trigger_1 };
var __tests = [];
var __SB = [["m",5000,0,0]];
