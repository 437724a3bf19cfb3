// rule bounce_out
function __thwonk_run(name, inputJson, members) { return __drive(name, inputJson, members, __triggers, __tests, __stateSchema, __stateBounds, __stateInit, __stateUnitGas); }
var __stateSchema = {  };
var __stateBounds = {};
var __stateUnitGas = 2;
function __stateInit(name) {
  return null;
}
function __trigger_0($m) {
  var __t0, __t1, __t2, __t3, __t4, __t5, __t6, __t7, __t8;
  if ((__gas -= 11) < 0) __oog();
  if (!(Members$has(__G_members, $m.from))) {
    if ((__gas -= 4) < 0) __oog();
    (__t1 = (__t0 = "Only members may post to " + __G_list.address + ".", __g((1 + Math.ceil(__t0.length / 16))), __t0), __g((10 + Math.ceil((__t1 === null ? 0 : __t1.length) / 64))), F$reject(__t1, 16, 5));
  }
  (__t2 = __G_members, __t3 = $m.subject, __t4 = $m.text, __t5 = null, __t6 = "sender", __t7 = "list", __t8 = null, __g((50 + (__rcount(__t2) * 10) + Math.ceil(((__t3 === null ? 0 : __t3.length) + (__t4 === null ? 0 : __t4.length) + (__t5 === null ? 0 : __t5.length)) / 64))), F$send(__t2, __t3, __t4, __t5, __t6, __t7, __t8, 18, 3));
}
function __trigger_1() {
  var __t0, __t1, __t2, __t3, __t4, __t5, __t6, __t7, __t8, __t9, __t10, __t11, __t12;
  if ((__gas -= 13) < 0) __oog();
  let $bouncing = [];
  let $gone = [];
  for (const $member of __mlist(__G_members).slice()) {
    if ((__gas -= 8) < 0) __oog();
    if (!((($member.bounces >= 3) && ($member.role === "member")))) continue;
    if ((__gas -= 12) < 0) __oog();
    List$push($bouncing, $member.address);
    List$push($gone, (__t0 = $member.address + " (" + String($member.bounces) + " bounces)", __g((1 + Math.ceil(__t0.length / 16))), __t0));
  }
  for (const $a of $bouncing.slice()) {
    if ((__gas -= 24) < 0) __oog();
    Members$remove(__G_members, $a, 30, 5);
  }
  if ((G$List$size($gone) > 0)) {
    if ((__gas -= 9) < 0) __oog();
    (__t6 = (__t1 = __G_members, __g((2 + G$Members$size(__t1))), Members$owners(__t1)), __t7 = (__t2 = __G_list.name + ": unsubscribed " + String(G$List$size($gone)) + " bouncing addresses", __g((1 + Math.ceil(__t2.length / 16))), __t2), __t8 = (__t5 = "Mail to these addresses failed for good again and again, so they were unsubscribed: " + (__t3 = $gone, __t4 = ", ", __g((5 + (__t3.length * 2) + Math.ceil((__total(__t3) + (__t3.length * (__t4 === null ? 0 : __t4.length))) / 16))), List$join(__t3, __t4)) + ".", __g((1 + Math.ceil(__t5.length / 16))), __t5), __t9 = null, __t10 = null, __t11 = null, __t12 = null, __g((50 + (__rcount(__t6) * 10) + Math.ceil(((__t7 === null ? 0 : __t7.length) + (__t8 === null ? 0 : __t8.length) + (__t9 === null ? 0 : __t9.length)) / 64))), F$send(__t6, __t7, __t8, __t9, __t10, __t11, __t12, 33, 5));
  }
}
var __triggers = { "message": __trigger_0, "every day at 03:00": __trigger_1 };
var __tests = [];
var __SB = [];
