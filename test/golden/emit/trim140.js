// rule trim140
function __thwonk_run(name, inputJson, members) { return __drive(name, inputJson, members, __triggers, __tests, __stateSchema, __stateBounds, __stateInit, __stateUnitGas); }
var __stateSchema = {  };
var __stateBounds = {};
var __stateUnitGas = 2;
function __stateInit(name) {
  return null;
}
function __trigger_0($m) {
  var __t0, __t1, __t2, __t3, __t4, __t5, __t6, __t7, __t8, __t9, __t10;
  if ((__gas -= 12) < 0) __oog();
  if (!(Members$has(__G_members, $m.from))) {
    if ((__gas -= 4) < 0) __oog();
    (__t1 = (__t0 = "Only members may post to " + __G_list.address + ".", __g((1 + Math.ceil(__t0.length / 16))), __t0), __g((10 + Math.ceil((__t1 === null ? 0 : __t1.length) / 64))), F$reject(__t1, 11, 5));
  }
  (__t4 = __G_members, __t5 = $m.subject, __t6 = (__t2 = $m.text, __t3 = 140, __g((5 + Math.ceil((__t2 === null ? 0 : __t2.length) / 4))), string$truncate(__t2, __t3)), __t7 = null, __t8 = "sender", __t9 = "list", __t10 = null, __g((50 + (__rcount(__t4) * 10) + Math.ceil(((__t5 === null ? 0 : __t5.length) + (__t6 === null ? 0 : __t6.length) + (__t7 === null ? 0 : __t7.length)) / 64))), F$send(__t4, __t5, __t6, __t7, __t8, __t9, __t10, 15, 3));
}
var __triggers = { "message": __trigger_0 };
var __tests = [];
var __SB = [];
