// rule daily_or_out
function __thwonk_run(name, inputJson, members) { return __drive(name, inputJson, members, __triggers, __tests, __stateSchema, __stateBounds, __stateInit, __stateUnitGas); }
var __stateSchema = { "postedToday": ["map","address","bool"] };
var __stateBounds = { "postedToday": ["m",500,0,0] };
var __stateUnitGas = 2;
function __stateInit(name) {
  if (name === "postedToday") return new Map([]);
  return null;
}
function __trigger_0($m) {
  var __t0, __t1, __t2, __t3, __t4, __t5, __t6, __t7, __t8, __t9, __t10, __t11, __t12, __t13;
  if ((__gas -= 21) < 0) __oog();
  if (!(Members$has(__G_members, $m.from))) {
    if ((__gas -= 4) < 0) __oog();
    (__t1 = (__t0 = "Only members may post to " + __G_list.address + ".", __g((1 + Math.ceil(__t0.length / 16))), __t0), __g((10 + Math.ceil((__t1 === null ? 0 : __t1.length) / 64))), F$reject(__t1, 18, 5));
  }
  if (((__t2 = __st["postedToday"], __t3 = $m.from, __g((3 + Math.ceil(1 / 16))), Map$has(__t2, __t3)) || (G$Map$size(__st["postedToday"]) < 500))) {
    if ((__gas -= 4) < 0) __oog();
    (__t4 = __st["postedToday"], __t5 = $m.from, __t6 = true, __g((5 + Math.ceil(1 / 16))), (__stset(__SB[0], __t4, __t5, __t6, "postedToday", 22, 5), Map$set(__t4, __t5, __t6)));
  }
  (__t7 = __G_members, __t8 = $m.subject, __t9 = $m.text, __t10 = null, __t11 = "sender", __t12 = "list", __t13 = null, __g((50 + (__rcount(__t7) * 10) + Math.ceil(((__t8 === null ? 0 : __t8.length) + (__t9 === null ? 0 : __t9.length) + (__t10 === null ? 0 : __t10.length)) / 64))), F$send(__t7, __t8, __t9, __t10, __t11, __t12, __t13, 24, 3));
}
function __trigger_1() {
  var __t0, __t1, __t2, __t3, __t4, __t5, __t6, __t7, __t8, __t9, __t10, __t11, __t12, __t13, __t14, __t15, __t16, __t17, __t18, __t19, __t20, __t21, __t22, __t23;
  if ((__gas -= 16) < 0) __oog();
  let $silent = [];
  let $names = [];
  for (const $member of __mlist(__G_members).slice()) {
    if ((__gas -= 12) < 0) __oog();
    if (!((!((__t0 = __st["postedToday"], __t1 = $member.address, __g((3 + Math.ceil(1 / 16))), Map$has(__t0, __t1))) && (__ia(__G_now - $member.joined, 31, 77) >= 86400000)))) continue;
    if ((__gas -= 9) < 0) __oog();
    List$push($silent, $member);
    List$push($names, $member.name);
  }
  if ((G$List$size($silent) > 0)) {
    if ((__gas -= 14) < 0) __oog();
    (__t4 = $silent, __t5 = (__t2 = "You have left " + __G_list.name, __g((1 + Math.ceil(__t2.length / 16))), __t2), __t6 = (__t3 = "You did not post to " + __G_list.address + " yesterday, so you have been unsubscribed. Write to " + __G_list.address + " and ask an owner to let you back in.", __g((1 + Math.ceil(__t3.length / 16))), __t3), __t7 = null, __t8 = null, __t9 = null, __t10 = null, __g((50 + (__rcount(__t4) * 10) + Math.ceil(((__t5 === null ? 0 : __t5.length) + (__t6 === null ? 0 : __t6.length) + (__t7 === null ? 0 : __t7.length)) / 64))), F$send(__t4, __t5, __t6, __t7, __t8, __t9, __t10, 36, 5));
    for (const $member of $silent.slice()) {
      if ((__gas -= 25) < 0) __oog();
      Members$remove(__G_members, $member.address, 39, 7);
    }
    (__t17 = __G_members, __t18 = (__t13 = "Left today: " + (__t11 = $names, __t12 = ", ", __g((5 + (__t11.length * 2) + Math.ceil((__total(__t11) + (__t11.length * (__t12 === null ? 0 : __t12.length))) / 16))), List$join(__t11, __t12)), __g((1 + Math.ceil(__t13.length / 16))), __t13), __t19 = (__t16 = "These members did not post yesterday and have been unsubscribed: " + (__t14 = $names, __t15 = ", ", __g((5 + (__t14.length * 2) + Math.ceil((__total(__t14) + (__t14.length * (__t15 === null ? 0 : __t15.length))) / 16))), List$join(__t14, __t15)) + ".", __g((1 + Math.ceil(__t16.length / 16))), __t16), __t20 = null, __t21 = null, __t22 = null, __t23 = null, __g((50 + (__rcount(__t17) * 10) + Math.ceil(((__t18 === null ? 0 : __t18.length) + (__t19 === null ? 0 : __t19.length) + (__t20 === null ? 0 : __t20.length)) / 64))), F$send(__t17, __t18, __t19, __t20, __t21, __t22, __t23, 41, 5));
  }
  __st["postedToday"] = __stput(__SB[0], new Map([]), "postedToday", 44, 3);
}
var __triggers = { "message": __trigger_0, "every day at 00:00": __trigger_1 };
var __tests = [];
var __SB = [["m",500,0,0]];
