// rule subscribe
function __thwonk_run(name, inputJson, members) { return __drive(name, inputJson, members, __triggers, __tests, __stateSchema, __stateBounds, __stateInit, __stateUnitGas); }
var __stateSchema = {  };
var __stateBounds = {};
var __stateUnitGas = 2;
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
  const $command = (__t1 = (__t0 = $m.subject, __g((5 + Math.ceil((__t0 === null ? 0 : __t0.length) / 16))), string$trim(__t0)), __g((5 + Math.ceil((__t1 === null ? 0 : __t1.length) / 4))), string$lower(__t1));
  if ((__t2 = $command, __t3 = "subscribe", __g((1 + Math.ceil(Math.min((__t2 === null ? 0 : __t2.length), (__t3 === null ? 0 : __t3.length)) / 16))), (__t2 === __t3))) {
    if ((__gas -= 70) < 0) __oog();
    if (Members$has(__G_members, $m.from)) {
      if ((__gas -= 5) < 0) __oog();
      (__t5 = $m, __t6 = (__t4 = "You are already subscribed to " + __G_list.address + ".", __g((1 + Math.ceil(__t4.length / 16))), __t4), __t7 = null, __g((50 + Math.ceil(((__t6 === null ? 0 : __t6.length) + (__t7 === null ? 0 : __t7.length)) / 64))), F$reply(__t5, __t6, __t7, 31, 7));
      return;
    }
    Members$add(__G_members, $m.from, $m.fromName, 34, 5);
    (__t10 = $m, __t12 = (__t9 = "Welcome to " + __G_list.name, __g((1 + Math.ceil(__t9.length / 16))), __t9), __t11 = (__t8 = "You are now subscribed to " + __G_list.address + ". To leave, send \"unsubscribe\" as the subject to " + $requestAddress() + ".", __g((1 + Math.ceil(__t8.length / 16))), __t8), __g((50 + Math.ceil(((__t11 === null ? 0 : __t11.length) + (__t12 === null ? 0 : __t12.length)) / 64))), F$reply(__t10, __t11, __t12, 35, 5));
  } else {
    if ((__gas -= 2) < 0) __oog();
    if ((__t13 = $command, __t14 = "unsubscribe", __g((1 + Math.ceil(Math.min((__t13 === null ? 0 : __t13.length), (__t14 === null ? 0 : __t14.length)) / 16))), (__t13 === __t14))) {
      if ((__gas -= 36) < 0) __oog();
      if (!(Members$has(__G_members, $m.from))) {
        if ((__gas -= 6) < 0) __oog();
        (__t16 = $m, __t17 = (__t15 = $m.from + " is not subscribed to " + __G_list.address + ", so there was nothing to do.", __g((1 + Math.ceil(__t15.length / 16))), __t15), __t18 = null, __g((50 + Math.ceil(((__t17 === null ? 0 : __t17.length) + (__t18 === null ? 0 : __t18.length)) / 64))), F$reply(__t16, __t17, __t18, 39, 7));
        return;
      }
      Members$remove(__G_members, $m.from, 42, 5);
      (__t21 = $m, __t23 = (__t20 = "Goodbye from " + __G_list.name, __g((1 + Math.ceil(__t20.length / 16))), __t20), __t22 = (__t19 = "You have been unsubscribed from " + __G_list.address + ".", __g((1 + Math.ceil(__t19.length / 16))), __t19), __g((50 + Math.ceil(((__t22 === null ? 0 : __t22.length) + (__t23 === null ? 0 : __t23.length)) / 64))), F$reply(__t21, __t22, __t23, 43, 5));
    } else {
      if ((__gas -= 10) < 0) __oog();
      (__t26 = $m, __t28 = (__t25 = "Help for " + __G_list.name, __g((1 + Math.ceil(__t25.length / 16))), __t25), __t27 = (__t24 = "Send one of these words as the subject to " + $requestAddress() + ":\n  subscribe    join " + __G_list.address + "\n  unsubscribe  leave it", __g((1 + Math.ceil(__t24.length / 16))), __t24), __g((50 + Math.ceil(((__t27 === null ? 0 : __t27.length) + (__t28 === null ? 0 : __t28.length)) / 64))), F$reply(__t26, __t27, __t28, 45, 5));
    }
  }
}
function $requestAddress() {
  var __t0;
  if ((__gas -= 6) < 0) __oog();
  return (__t0 = G$Address$local(__G_list.address) + "-request@" + G$Address$domain(__G_list.address), __g((1 + Math.ceil(__t0.length / 16))), __t0);
}
function __trigger_0($m) {
  var __t0, __t1, __t2, __t3, __t4, __t5, __t6, __t7, __t8;
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
  (__t2 = __G_members, __t3 = $m.subject, __t4 = $m.text, __t5 = null, __t6 = "sender", __t7 = "list", __t8 = null, __g((50 + (__rcount(__t2) * 10) + Math.ceil(((__t3 === null ? 0 : __t3.length) + (__t4 === null ? 0 : __t4.length) + (__t5 === null ? 0 : __t5.length)) / 64))), F$send(__t2, __t3, __t4, __t5, __t6, __t7, __t8, 21, 3));
}
var __triggers = { "message": __trigger_0 };
var __tests = [];
var __SB = [];
