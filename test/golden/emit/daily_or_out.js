// rule daily_or_out
var __stateSchema = { "postedToday": ["map","address","bool"] };
var __stateBounds = { "postedToday": ["m",500,0,0] };
var __stateUnitGas = 2;
function __stateInit(name) {
  if (name === "postedToday") return new Map([]);
  return null;
}
function __trigger_0($m) {
  var __t0, __t1, __t2, __t3, __t4, __t5, __t6, __t7, __t8, __t9, __t10;
  if ((__gas -= 24) < 0) __oog();
  if (!(Members$has(__G_members, $m.from))) {
    if ((__gas -= 4) < 0) __oog();
    (__t1 = (__t0 = "Only members may post to " + __G_list.address + ".", __g((1 + Math.ceil(__t0.length / 16))), __t0), __g((10 + Math.ceil((__t1 === null ? 0 : __t1.length) / 64))), F$reject(__t1, 18, 5));
  }
  if ((Map$has(__st["postedToday"], $m.from) || (G$Map$size(__st["postedToday"]) < 500))) {
    if ((__gas -= 9) < 0) __oog();
    (__t2 = __st["postedToday"], __t3 = $m.from, __t4 = true, (__stset(__SB[0], __t2, __t3, __t4, "postedToday", 22, 5), Map$set(__t2, __t3, __t4)));
  }
  (__t5 = __G_members, __t6 = $m.subject, __t7 = $m.text, __t8 = null, __t9 = "sender", __t10 = "list", __g((50 + (__rcount(__t5) * 10) + Math.ceil(((__t6 === null ? 0 : __t6.length) + (__t7 === null ? 0 : __t7.length) + (__t8 === null ? 0 : __t8.length)) / 64))), F$send(__t5, __t6, __t7, __t8, __t9, __t10, 24, 3));
}
function __trigger_1() {
  var __t0, __t1, __t2, __t3, __t4, __t5, __t6, __t7, __t8, __t9, __t10, __t11, __t12, __t13, __t14, __t15, __t16, __t17, __t18, __t19;
  if ((__gas -= 16) < 0) __oog();
  let $silent = [];
  let $names = [];
  for (const $member of __mlist(__G_members).slice()) {
    if ((__gas -= 15) < 0) __oog();
    if (!((!(Map$has(__st["postedToday"], $member.address)) && (__ia(__G_now - $member.joined, 31, 77) >= 86400000)))) continue;
    if ((__gas -= 9) < 0) __oog();
    List$push($silent, $member);
    List$push($names, $member.name);
  }
  if ((G$List$size($silent) > 0)) {
    if ((__gas -= 14) < 0) __oog();
    (__t2 = $silent, __t3 = (__t0 = "You have left " + __G_list.name, __g((1 + Math.ceil(__t0.length / 16))), __t0), __t4 = (__t1 = "You did not post to " + __G_list.address + " yesterday, so you have been unsubscribed. Write to " + __G_list.address + " and ask an owner to let you back in.", __g((1 + Math.ceil(__t1.length / 16))), __t1), __t5 = null, __t6 = null, __t7 = null, __g((50 + (__rcount(__t2) * 10) + Math.ceil(((__t3 === null ? 0 : __t3.length) + (__t4 === null ? 0 : __t4.length) + (__t5 === null ? 0 : __t5.length)) / 64))), F$send(__t2, __t3, __t4, __t5, __t6, __t7, 36, 5));
    for (const $member of $silent.slice()) {
      if ((__gas -= 25) < 0) __oog();
      Members$remove(__G_members, $member.address, 39, 7);
    }
    (__t14 = __G_members, __t15 = (__t10 = "Left today: " + (__t8 = $names, __t9 = ", ", __g((5 + (__t8.length * 2) + Math.ceil((__total(__t8) + (__t8.length * (__t9 === null ? 0 : __t9.length))) / 16))), List$join(__t8, __t9)), __g((1 + Math.ceil(__t10.length / 16))), __t10), __t16 = (__t13 = "These members did not post yesterday and have been unsubscribed: " + (__t11 = $names, __t12 = ", ", __g((5 + (__t11.length * 2) + Math.ceil((__total(__t11) + (__t11.length * (__t12 === null ? 0 : __t12.length))) / 16))), List$join(__t11, __t12)) + ".", __g((1 + Math.ceil(__t13.length / 16))), __t13), __t17 = null, __t18 = null, __t19 = null, __g((50 + (__rcount(__t14) * 10) + Math.ceil(((__t15 === null ? 0 : __t15.length) + (__t16 === null ? 0 : __t16.length) + (__t17 === null ? 0 : __t17.length)) / 64))), F$send(__t14, __t15, __t16, __t17, __t18, __t19, 41, 5));
  }
  __st["postedToday"] = __stput(__SB[0], new Map([]), "postedToday", 44, 3);
}
var __triggers = { "message": __trigger_0, "every day at 00:00": __trigger_1 };
var __tests = [];
var __SB = [["m",500,0,0]];
