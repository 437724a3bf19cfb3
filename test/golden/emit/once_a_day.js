// rule once_a_day
var __stateSchema = { "lastPost": ["map","address","time"] };
var __stateBounds = { "lastPost": ["m",5000,0,0] };
var __stateUnitGas = 2;
function __stateInit(name) {
  if (name === "lastPost") return new Map([]);
  return null;
}
function __trigger_0($m) {
  var __t0, __t1, __t2, __t3, __t4, __t5, __t6, __t7, __t8, __t9, __t10, __t11, __t12, __t13;
  if ((__gas -= 46) < 0) __oog();
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
  if ((Map$has(__st["lastPost"], $m.from) || (G$Map$size(__st["lastPost"]) < 5000))) {
    if ((__gas -= 9) < 0) __oog();
    (__t5 = __st["lastPost"], __t6 = $m.from, __t7 = __G_now, (__stset(__SB[0], __t5, __t6, __t7, "lastPost", 31, 5), Map$set(__t5, __t6, __t7)));
  }
  (__t8 = __G_members, __t9 = $m.subject, __t10 = $m.text, __t11 = null, __t12 = "sender", __t13 = "list", __g((50 + (__rcount(__t8) * 10) + Math.ceil(((__t9 === null ? 0 : __t9.length) + (__t10 === null ? 0 : __t10.length) + (__t11 === null ? 0 : __t11.length)) / 64))), F$send(__t8, __t9, __t10, __t11, __t12, __t13, 33, 3));
}
function __trigger_1() {
  if ((__gas -= 4) < 0) __oog();
  __st["lastPost"] = __stput(__SB[0], new Map([]), "lastPost", 39, 3);
}
var __triggers = { "message": __trigger_0, "every day at 00:00": __trigger_1 };
var __tests = [];
var __SB = [["m",5000,0,0]];
