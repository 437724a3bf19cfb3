// rule tagged
function __thwonk_run(name, inputJson, members) { return __drive(name, inputJson, members, __triggers, __tests, __stateSchema, __stateBounds, __stateInit, __stateUnitGas); }
var __stateSchema = {  };
var __stateBounds = {};
var __stateUnitGas = 2;
function __stateInit(name) {
  return null;
}
function $tagged($subject) {
  var __t0, __t1, __t2, __t3, __t4, __t5;
  if ((__gas -= 9) < 0) __oog();
  const $tag = (__t0 = "[" + __G_list.name + "]", __g((1 + Math.ceil(__t0.length / 16))), __t0);
  if ((__t3 = (__t2 = $subject, __g((5 + Math.ceil((__t2 === null ? 0 : __t2.length) / 4))), string$lower(__t2)), __t4 = (__t1 = $tag, __g((5 + Math.ceil((__t1 === null ? 0 : __t1.length) / 4))), string$lower(__t1)), __g((5 + Math.ceil(((__t3 === null ? 0 : __t3.length) * ((__t4 === null ? 0 : __t4.length) + 1)) / 32))), string$contains(__t3, __t4))) {
    if ((__gas -= 1) < 0) __oog();
    return $subject;
  }
  return (__t5 = $tag + " " + $subject, __g((1 + Math.ceil(__t5.length / 16))), __t5);
}
function $request($m) {
  var __t0, __t1, __t2, __t3, __t4, __t5, __t6, __t7, __t8, __t9, __t10, __t11, __t12, __t13, __t14, __t15, __t16, __t17, __t18, __t19, __t20;
  if ((__gas -= 23) < 0) __oog();
  if ((Message$isAutomated($m) || ($m.envelope.sender === null))) {
    if ((__gas -= 1) < 0) __oog();
    return;
  }
  const $command = (__t1 = (__t0 = $m.subject, __g((5 + Math.ceil((__t0 === null ? 0 : __t0.length) / 16))), string$trim(__t0)), __g((5 + Math.ceil((__t1 === null ? 0 : __t1.length) / 4))), string$lower(__t1));
  if (((__t2 = $command, __t3 = "unsubscribe", __g((1 + Math.ceil(Math.min((__t2 === null ? 0 : __t2.length), (__t3 === null ? 0 : __t3.length)) / 16))), (__t2 === __t3)) && Members$has(__G_members, $m.from))) {
    if ((__gas -= 29) < 0) __oog();
    Members$remove(__G_members, $m.from, 39, 5);
    (__t6 = $m, __t8 = (__t5 = "Goodbye from " + __G_list.name, __g((1 + Math.ceil(__t5.length / 16))), __t5), __t7 = (__t4 = "You have been unsubscribed from " + __G_list.address + ".", __g((1 + Math.ceil(__t4.length / 16))), __t4), __g((50 + Math.ceil(((__t7 === null ? 0 : __t7.length) + (__t8 === null ? 0 : __t8.length)) / 64))), F$reply(__t6, __t7, __t8, 40, 5));
  } else {
    if ((__gas -= 9) < 0) __oog();
    if (((__t9 = $command, __t10 = "subscribe", __g((1 + Math.ceil(Math.min((__t9 === null ? 0 : __t9.length), (__t10 === null ? 0 : __t10.length)) / 16))), (__t9 === __t10)) && !(Members$has(__G_members, $m.from)))) {
      if ((__gas -= 63) < 0) __oog();
      Members$add(__G_members, $m.from, null, 42, 5);
      (__t13 = $m, __t15 = (__t12 = "Welcome to " + __G_list.name, __g((1 + Math.ceil(__t12.length / 16))), __t12), __t14 = (__t11 = "You are now subscribed to " + __G_list.address + ". To leave, send \"unsubscribe\" as the subject to " + $requestAddress() + ".", __g((1 + Math.ceil(__t11.length / 16))), __t11), __g((50 + Math.ceil(((__t14 === null ? 0 : __t14.length) + (__t15 === null ? 0 : __t15.length)) / 64))), F$reply(__t13, __t14, __t15, 43, 5));
    } else {
      if ((__gas -= 9) < 0) __oog();
      (__t18 = $m, __t20 = (__t17 = "Help for " + __G_list.name, __g((1 + Math.ceil(__t17.length / 16))), __t17), __t19 = (__t16 = "Send \"subscribe\" or \"unsubscribe\" as the subject to " + $requestAddress() + ".", __g((1 + Math.ceil(__t16.length / 16))), __t16), __g((50 + Math.ceil(((__t19 === null ? 0 : __t19.length) + (__t20 === null ? 0 : __t20.length)) / 64))), F$reply(__t18, __t19, __t20, 46, 5));
    }
  }
}
function $requestAddress() {
  var __t0;
  if ((__gas -= 6) < 0) __oog();
  return (__t0 = G$Address$local(__G_list.address) + "-request@" + G$Address$domain(__G_list.address), __g((1 + Math.ceil(__t0.length / 16))), __t0);
}
function __trigger_0($m) {
  var __t0, __t1, __t2, __t3, __t4, __t5, __t6;
  if ((__gas -= 24) < 0) __oog();
  if ($m.envelope.isRequest) {
    if ((__gas -= 6) < 0) __oog();
    $request($m);
    return;
  }
  if (!(Members$has(__G_members, $m.from))) {
    if ((__gas -= 8) < 0) __oog();
    (__t1 = (__t0 = "Only members may post to " + __G_list.address + ". To join, send \"subscribe\" as the subject to " + $requestAddress() + ".", __g((1 + Math.ceil(__t0.length / 16))), __t0), __g((10 + Math.ceil((__t1 === null ? 0 : __t1.length) / 64))), F$reject(__t1, 18, 5));
  }
  (__t3 = $m, __t4 = __G_members, __t5 = $tagged($m.subject), __t6 = (__t2 = "-- \n" + __G_list.name + " mailing list: " + __G_list.address + "\nTo unsubscribe, send \"unsubscribe\" as the subject to " + $requestAddress(), __g((1 + Math.ceil(__t2.length / 16))), __t2), __g((50 + (__rcount(__t4) * 10) + Math.ceil(((__t5 === null ? 0 : __t5.length) + (__t6 === null ? 0 : __t6.length)) / 32))), F$forward(__t3, __t4, __t5, __t6, 20, 3));
}
var __triggers = { "message": __trigger_0 };
var __tests = [];
var __SB = [];
