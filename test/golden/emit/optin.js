// rule optin
function __thwonk_run(name, inputJson, members) { return __drive(name, inputJson, members, __triggers, __tests, __stateSchema, __stateBounds, __stateInit, __stateUnitGas); }
var __stateSchema = {  };
var __stateBounds = {};
var __stateUnitGas = 2;
function __stateInit(name) {
  return null;
}
function $handleRequest($m) {
  var __t0, __t1, __t2, __t3, __t4, __t5, __t6, __t7, __t8, __t9, __t10, __t11, __t12, __t13, __t14, __t15, __t16, __t17, __t18, __t19, __t20, __t21, __t22, __t23, __t24, __t25, __t26, __t27, __t28, __t29, __t30, __t31;
  if ((__gas -= 21) < 0) __oog();
  if (Message$isAutomated($m)) {
    if ((__gas -= 1) < 0) __oog();
    return;
  }
  const $token = $tokenIn($m.subject);
  if (($token !== null)) {
    if ((__gas -= 6) < 0) __oog();
    $confirm($m, $token);
    return;
  }
  const $command = (__t1 = (__t0 = $m.subject, __g((5 + Math.ceil((__t0 === null ? 0 : __t0.length) / 16))), string$trim(__t0)), __g((5 + Math.ceil((__t1 === null ? 0 : __t1.length) / 4))), string$lower(__t1));
  if ((__t2 = $command, __t3 = "subscribe", __g((1 + Math.ceil(Math.min((__t2 === null ? 0 : __t2.length), (__t3 === null ? 0 : __t3.length)) / 16))), (__t2 === __t3))) {
    if ((__gas -= 24) < 0) __oog();
    if (Members$has(__G_members, $m.from)) {
      if ((__gas -= 5) < 0) __oog();
      (__t5 = $m, __t6 = (__t4 = "You are already subscribed to " + __G_list.address + ".", __g((1 + Math.ceil(__t4.length / 16))), __t4), __t7 = null, __g((50 + Math.ceil(((__t6 === null ? 0 : __t6.length) + (__t7 === null ? 0 : __t7.length)) / 64))), F$reply(__t5, __t6, __t7, 42, 7));
      return;
    }
    const $signed = (__t8 = __G_list, __t9 = $subscription($m.from), __t10 = __ta(__G_now + __ia(3 * 86400000, 46, 56), 46, 50), __g((40 + Math.ceil((__t9 === null ? 0 : __t9.length) / 4))), ListInfo$sign(__t8, __t9, __t10));
    (__t13 = $m, __t15 = (__t12 = "Confirm your subscription to " + __G_list.name + " [" + $signed + "]", __g((1 + Math.ceil(__t12.length / 16))), __t12), __t14 = (__t11 = "Someone, probably you, asked to subscribe " + $m.from + " to " + __G_list.address + ".\n\nTo confirm, reply to this message within " + String(3) + " days, keeping the subject as it is. If it was not you, ignore this message: nothing happens without your reply.", __g((1 + Math.ceil(__t11.length / 16))), __t11), __g((50 + Math.ceil(((__t14 === null ? 0 : __t14.length) + (__t15 === null ? 0 : __t15.length)) / 64))), F$reply(__t13, __t14, __t15, 47, 5));
  } else {
    if ((__gas -= 2) < 0) __oog();
    if ((__t16 = $command, __t17 = "unsubscribe", __g((1 + Math.ceil(Math.min((__t16 === null ? 0 : __t16.length), (__t17 === null ? 0 : __t17.length)) / 16))), (__t16 === __t17))) {
      if ((__gas -= 36) < 0) __oog();
      if (!(Members$has(__G_members, $m.from))) {
        if ((__gas -= 6) < 0) __oog();
        (__t19 = $m, __t20 = (__t18 = $m.from + " is not subscribed to " + __G_list.address + ", so there was nothing to do.", __g((1 + Math.ceil(__t18.length / 16))), __t18), __t21 = null, __g((50 + Math.ceil(((__t20 === null ? 0 : __t20.length) + (__t21 === null ? 0 : __t21.length)) / 64))), F$reply(__t19, __t20, __t21, 51, 7));
        return;
      }
      Members$remove(__G_members, $m.from, 54, 5);
      (__t24 = $m, __t26 = (__t23 = "Goodbye from " + __G_list.name, __g((1 + Math.ceil(__t23.length / 16))), __t23), __t25 = (__t22 = "You have been unsubscribed from " + __G_list.address + ".", __g((1 + Math.ceil(__t22.length / 16))), __t22), __g((50 + Math.ceil(((__t25 === null ? 0 : __t25.length) + (__t26 === null ? 0 : __t26.length)) / 64))), F$reply(__t24, __t25, __t26, 55, 5));
    } else {
      if ((__gas -= 10) < 0) __oog();
      (__t29 = $m, __t31 = (__t28 = "Help for " + __G_list.name, __g((1 + Math.ceil(__t28.length / 16))), __t28), __t30 = (__t27 = "Send one of these words as the subject to " + $requestAddress() + ":\n  subscribe    join " + __G_list.address + " (you will be asked to confirm)\n  unsubscribe  leave it", __g((1 + Math.ceil(__t27.length / 16))), __t27), __g((50 + Math.ceil(((__t30 === null ? 0 : __t30.length) + (__t31 === null ? 0 : __t31.length)) / 64))), F$reply(__t29, __t30, __t31, 57, 5));
    }
  }
}
function $confirm($m, $token) {
  var __t0, __t1, __t2, __t3, __t4, __t5, __t6, __t7, __t8, __t9, __t10, __t11, __t12, __t13, __t14, __t15, __t16;
  if ((__gas -= 81) < 0) __oog();
  if (Members$has(__G_members, $m.from)) {
    if ((__gas -= 5) < 0) __oog();
    (__t1 = $m, __t2 = (__t0 = "You are already subscribed to " + __G_list.address + ".", __g((1 + Math.ceil(__t0.length / 16))), __t0), __t3 = null, __g((50 + Math.ceil(((__t2 === null ? 0 : __t2.length) + (__t3 === null ? 0 : __t3.length)) / 64))), F$reply(__t1, __t2, __t3, 65, 5));
    return;
  }
  if (!((__t4 = __G_list, __t5 = $token, __t6 = $subscription($m.from), __g((40 + Math.ceil((__t5 === null ? 0 : __t5.length) / 16) + Math.ceil((__t6 === null ? 0 : __t6.length) / 4))), ListInfo$verify(__t4, __t5, __t6)))) {
    if ((__gas -= 11) < 0) __oog();
    (__t9 = $m, __t11 = (__t8 = "Your subscription to " + __G_list.name + " was not confirmed", __g((1 + Math.ceil(__t8.length / 16))), __t8), __t10 = (__t7 = "Sorry: this confirmation is not one we sent to " + $m.from + ", or it is more than " + String(3) + " days old. To subscribe, send \"subscribe\" as the subject to " + $requestAddress() + " and reply to the confirmation you get.", __g((1 + Math.ceil(__t7.length / 16))), __t7), __g((50 + Math.ceil(((__t10 === null ? 0 : __t10.length) + (__t11 === null ? 0 : __t11.length)) / 64))), F$reply(__t9, __t10, __t11, 69, 5));
    return;
  }
  Members$add(__G_members, $m.from, $displayName($m), 73, 3);
  (__t14 = $m, __t16 = (__t13 = "Welcome to " + __G_list.name, __g((1 + Math.ceil(__t13.length / 16))), __t13), __t15 = (__t12 = "You are now subscribed to " + __G_list.address + ". To leave, send \"unsubscribe\" as the subject to " + $requestAddress() + ".", __g((1 + Math.ceil(__t12.length / 16))), __t12), __g((50 + Math.ceil(((__t15 === null ? 0 : __t15.length) + (__t16 === null ? 0 : __t16.length)) / 64))), F$reply(__t14, __t15, __t16, 74, 3));
}
function $tokenIn($subject) {
  var __t0, __t1, __t2, __t3, __t4, __t5, __t6;
  if ((__gas -= 22) < 0) __oog();
  const $parts = (__t0 = $subject, __t1 = "[", __g(((5 + Math.ceil(((__t0 === null ? 0 : __t0.length) * ((__t1 === null ? 0 : __t1.length) + 1)) / 32)) + Math.ceil((__t0 === null ? 0 : __t0.length) / 2))), string$split(__t0, __t1));
  if ((G$List$size($parts) < 2)) {
    if ((__gas -= 1) < 0) __oog();
    return null;
  }
  const $inside = (__t3 = ((__t2 = List$last($parts)) !== null ? __t2 : ""), __t4 = "]", __g(((5 + Math.ceil(((__t3 === null ? 0 : __t3.length) * ((__t4 === null ? 0 : __t4.length) + 1)) / 32)) + Math.ceil((__t3 === null ? 0 : __t3.length) / 2))), string$split(__t3, __t4));
  if ((G$List$size($inside) < 2)) {
    if ((__gas -= 1) < 0) __oog();
    return null;
  }
  return (__t6 = ((__t5 = List$first($inside)) !== null ? __t5 : ""), __g((5 + Math.ceil((__t6 === null ? 0 : __t6.length) / 16))), string$trim(__t6));
}
function $displayName($m) {
  var __t0, __t1, __t2, __t3, __t4, __t5, __t6, __t7, __t8, __t9;
  if ((__gas -= 17) < 0) __oog();
  const $header = ((__t0 = (__t1 = $m.headers, __t2 = "From", __g((3 + Math.ceil((__t2 === null ? 0 : __t2.length) / 16))), Headers$get(__t1, __t2))) !== null ? __t0 : "");
  const $parts = (__t3 = $header, __t4 = "<", __g(((5 + Math.ceil(((__t3 === null ? 0 : __t3.length) * ((__t4 === null ? 0 : __t4.length) + 1)) / 32)) + Math.ceil((__t3 === null ? 0 : __t3.length) / 2))), string$split(__t3, __t4));
  if ((G$List$size($parts) < 2)) {
    if ((__gas -= 1) < 0) __oog();
    return "";
  }
  return (__t9 = (__t6 = ((__t5 = List$first($parts)) !== null ? __t5 : ""), __t7 = "\"", __t8 = "", __g(((5 + Math.ceil(((__t6 === null ? 0 : __t6.length) * ((__t7 === null ? 0 : __t7.length) + 1)) / 32)) + Math.ceil((((__t6 === null ? 0 : __t6.length) + 1) * (__t8 === null ? 0 : __t8.length)) / 16))), string$replace(__t6, __t7, __t8)), __g((5 + Math.ceil((__t9 === null ? 0 : __t9.length) / 16))), string$trim(__t9));
}
function $subscription($a) {
  var __t0;
  if ((__gas -= 2) < 0) __oog();
  return (__t0 = "subscribe " + $a, __g((1 + Math.ceil(__t0.length / 16))), __t0);
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
    (__t1 = (__t0 = "Only members may post to " + __G_list.address + ". To join, send \"subscribe\" as the subject to " + $requestAddress() + ".", __g((1 + Math.ceil(__t0.length / 16))), __t0), __g((10 + Math.ceil((__t1 === null ? 0 : __t1.length) / 64))), F$reject(__t1, 25, 5));
  }
  (__t2 = __G_members, __t3 = $m.subject, __t4 = $m.text, __t5 = null, __t6 = "sender", __t7 = "list", __t8 = null, __g((50 + (__rcount(__t2) * 10) + Math.ceil(((__t3 === null ? 0 : __t3.length) + (__t4 === null ? 0 : __t4.length) + (__t5 === null ? 0 : __t5.length)) / 64))), F$send(__t2, __t3, __t4, __t5, __t6, __t7, __t8, 27, 3));
}
var __triggers = { "message": __trigger_0 };
var __tests = [];
var __SB = [];
