// rule bumplist
function __thwonk_run(name, inputJson, members) { return __drive(name, inputJson, members, __triggers, __tests, __stateSchema, __stateBounds, __stateInit, __stateUnitGas); }
var __stateSchema = { "posts": ["map","address","int"], "bumped": "int" };
var __stateBounds = { "posts": ["m",10,0,0] };
var __stateUnitGas = 2;
function __stateInit(name) {
  if (name === "posts") return new Map([]);
  if (name === "bumped") return 0;
  return null;
}
function $handleRequest($m) {
  var __t0, __t1, __t2, __t3, __t4, __t5, __t6, __t7, __t8, __t9, __t10, __t11, __t12, __t13, __t14, __t15, __t16, __t17;
  if ((__gas -= 19) < 0) __oog();
  if (Message$isAutomated($m)) {
    if ((__gas -= 1) < 0) __oog();
    return;
  }
  const $command = (__t1 = (__t0 = $m.subject, __g((5 + Math.ceil((__t0 === null ? 0 : __t0.length) / 16))), string$trim(__t0)), __g((5 + Math.ceil((__t1 === null ? 0 : __t1.length) / 4))), string$lower(__t1));
  if ((__t2 = $command, __t3 = "subscribe", __g((1 + Math.ceil(Math.min((__t2 === null ? 0 : __t2.length), (__t3 === null ? 0 : __t3.length)) / 16))), (__t2 === __t3))) {
    if ((__gas -= 5) < 0) __oog();
    $subscribe($m);
  } else {
    if ((__gas -= 2) < 0) __oog();
    if ((__t4 = $command, __t5 = "unsubscribe", __g((1 + Math.ceil(Math.min((__t4 === null ? 0 : __t4.length), (__t5 === null ? 0 : __t5.length)) / 16))), (__t4 === __t5))) {
      if ((__gas -= 6) < 0) __oog();
      if (Members$has(__G_members, $m.from)) {
        if ((__gas -= 31) < 0) __oog();
        Members$remove(__G_members, $m.from, 56, 7);
        (__t6 = __st["posts"], __t7 = $m.from, __g((5 + Math.ceil(1 / 16))), Map$remove(__t6, __t7));
        (__t9 = $m, __t10 = (__t8 = "You have left " + __G_list.name + " of your own accord. Nobody had to bump you.", __g((1 + Math.ceil(__t8.length / 16))), __t8), __t11 = null, __g((50 + Math.ceil(((__t10 === null ? 0 : __t10.length) + (__t11 === null ? 0 : __t11.length)) / 64))), F$reply(__t9, __t10, __t11, 58, 7));
      }
    } else {
      if ((__gas -= 4) < 0) __oog();
      (__t13 = $m, __t14 = (__t12 = "Send \"subscribe\" or \"unsubscribe\" as the subject. " + __G_list.name + " has room for " + String(10) + "; when it is full, each newcomer bumps off the longest-standing member.", __g((1 + Math.ceil(__t12.length / 16))), __t12), __t15 = null, __g((50 + Math.ceil(((__t14 === null ? 0 : __t14.length) + (__t15 === null ? 0 : __t15.length)) / 64))), F$reply(__t13, __t14, __t15, 61, 5));
    }
  }
  (__t16 = "index.html", __t17 = $page(), __g((20 + Math.ceil(((__t16 === null ? 0 : __t16.length) + (__t17 === null ? 0 : __t17.length)) / 64))), F$publish(__t16, __t17, 63, 3));
}
function $subscribe($m) {
  var __t0, __t1, __t2, __t3, __t4, __t5, __t6, __t7, __t8, __t9, __t10, __t11, __t12, __t13, __t14, __t15, __t16, __t17, __t18, __t19, __t20, __t21, __t22;
  if ((__gas -= 72) < 0) __oog();
  if (Members$has(__G_members, $m.from)) {
    if ((__gas -= 5) < 0) __oog();
    (__t1 = $m, __t2 = (__t0 = "You are already on " + __G_list.name + ". Enjoy it while it lasts.", __g((1 + Math.ceil(__t0.length / 16))), __t0), __t3 = null, __g((50 + Math.ceil(((__t2 === null ? 0 : __t2.length) + (__t3 === null ? 0 : __t3.length)) / 64))), F$reply(__t1, __t2, __t3, 68, 5));
    return;
  }
  if ((G$Members$size(__G_members) >= 10)) {
    if ((__gas -= 7) < 0) __oog();
    const $oldest = $longestStanding();
    if (($oldest !== null)) {
      if ((__gas -= 45) < 0) __oog();
      (__t9 = $oldest, __t10 = (__t4 = "You have been bumped off " + __G_list.name, __g((1 + Math.ceil(__t4.length / 16))), __t4), __t11 = (__t8 = $m.from + " has just joined " + __G_list.name + ", and as its longest-standing member you made room. You were on the list for " + String($daysSince($oldest.joined)) + " days and posted " + String(((__t5 = (__t6 = __st["posts"], __t7 = $oldest.address, __g((3 + Math.ceil(1 / 16))), Map$get(__t6, __t7))) !== null ? __t5 : 0)) + " times. Subscribe again to bump someone else off.", __g((1 + Math.ceil(__t8.length / 16))), __t8), __t12 = null, __t13 = null, __t14 = null, __t15 = null, __g((50 + (__rcount(__t9) * 10) + Math.ceil(((__t10 === null ? 0 : __t10.length) + (__t11 === null ? 0 : __t11.length) + (__t12 === null ? 0 : __t12.length)) / 64))), F$send(__t9, __t10, __t11, __t12, __t13, __t14, __t15, 74, 7));
      Members$remove(__G_members, $oldest.address, 76, 7);
      (__t16 = __st["posts"], __t17 = $oldest.address, __g((5 + Math.ceil(1 / 16))), Map$remove(__t16, __t17));
      __st["bumped"] = __ia(__st["bumped"] + 1, 78, 7);
    }
  }
  Members$add(__G_members, $m.from, $m.fromName, 81, 3);
  (__t20 = $m, __t22 = (__t19 = "Welcome to " + __G_list.name, __g((1 + Math.ceil(__t19.length / 16))), __t19), __t21 = (__t18 = "You are on " + __G_list.name + " until " + String(10) + " people have joined after you. Post while you can.", __g((1 + Math.ceil(__t18.length / 16))), __t18), __g((50 + Math.ceil(((__t21 === null ? 0 : __t21.length) + (__t22 === null ? 0 : __t22.length)) / 64))), F$reply(__t20, __t21, __t22, 82, 3));
}
function $longestStanding() {
  if ((__gas -= 3) < 0) __oog();
  let $oldest = null;
  for (const $member of __mlist(__G_members).slice()) {
    if ((__gas -= 9) < 0) __oog();
    if ((($oldest === null) || ($member.joined < $oldest.joined))) {
      if ((__gas -= 1) < 0) __oog();
      $oldest = $member;
    }
  }
  return $oldest;
}
function $daysSince($t) {
  if ((__gas -= 4) < 0) __oog();
  return G$Duration$days(__ia(__G_now - $t, 97, 10));
}
function $page() {
  var __t0, __t1, __t2, __t3, __t4, __t5, __t6, __t7, __t8, __t9, __t10, __t11, __t12, __t13;
  if ((__gas -= 28) < 0) __oog();
  let $rows = [];
  for (const $member of __mlist(__G_members).slice()) {
    if ((__gas -= 22) < 0) __oog();
    List$push($rows, (__t4 = "<tr><td>" + (__t0 = $member.name, __g((5 + Math.ceil((__t0 === null ? 0 : __t0.length) / 2))), string$escapeHtml(__t0)) + "</td><td>" + G$Time$date($member.joined) + "</td><td>" + String($daysSince($member.joined)) + "</td><td>" + String(((__t1 = (__t2 = __st["posts"], __t3 = $member.address, __g((3 + Math.ceil(1 / 16))), Map$get(__t2, __t3))) !== null ? __t1 : 0)) + "</td></tr>", __g((1 + Math.ceil(__t4.length / 16))), __t4));
  }
  return (__t12 = ["<!doctype html>", "<meta charset=\"utf-8\">", (__t6 = "<title>" + (__t5 = __G_list.name, __g((5 + Math.ceil((__t5 === null ? 0 : __t5.length) / 2))), string$escapeHtml(__t5)) + "</title>", __g((1 + Math.ceil(__t6.length / 16))), __t6), (__t8 = "<h1>" + (__t7 = __G_list.name, __g((5 + Math.ceil((__t7 === null ? 0 : __t7.length) / 2))), string$escapeHtml(__t7)) + "</h1>", __g((1 + Math.ceil(__t8.length / 16))), __t8), (__t9 = "<p>" + String(G$Members$size(__G_members)) + " of " + String(10) + " places taken; " + String(__st["bumped"]) + " bumped off so far.</p>", __g((1 + Math.ceil(__t9.length / 16))), __t9), "<table>", "<tr><th>Who</th><th>Since</th><th>Days</th><th>Posts</th></tr>", (__t10 = $rows, __t11 = "\n", __g((5 + (__t10.length * 2) + Math.ceil((__total(__t10) + (__t10.length * (__t11 === null ? 0 : __t11.length))) / 16))), List$join(__t10, __t11)), "</table>"], __t13 = "\n", __g((5 + (__t12.length * 2) + Math.ceil((__total(__t12) + (__t12.length * (__t13 === null ? 0 : __t13.length))) / 16))), List$join(__t12, __t13));
}
function __trigger_0($m) {
  var __t0, __t1, __t2, __t3, __t4, __t5, __t6, __t7, __t8, __t9, __t10, __t11, __t12, __t13, __t14, __t15, __t16, __t17, __t18;
  if ((__gas -= 30) < 0) __oog();
  if ($m.envelope.isRequest) {
    if ((__gas -= 6) < 0) __oog();
    $handleRequest($m);
    return;
  }
  if (!(Members$has(__G_members, $m.from))) {
    if ((__gas -= 4) < 0) __oog();
    (__t1 = (__t0 = "Only members may post to " + __G_list.address + ". Subscribe (and bump someone off) by sending \"subscribe\" as the subject to the -request address.", __g((1 + Math.ceil(__t0.length / 16))), __t0), __g((10 + Math.ceil((__t1 === null ? 0 : __t1.length) / 64))), F$reject(__t1, 32, 5));
  }
  if (((__t2 = __st["posts"], __t3 = $m.from, __g((3 + Math.ceil(1 / 16))), Map$has(__t2, __t3)) || (G$Map$size(__st["posts"]) < 10))) {
    if ((__gas -= 10) < 0) __oog();
    (__t7 = __st["posts"], __t8 = $m.from, __t9 = __ia(((__t4 = (__t5 = __st["posts"], __t6 = $m.from, __g((3 + Math.ceil(1 / 16))), Map$get(__t5, __t6))) !== null ? __t4 : 0) + 1, 36, 29), __g((5 + Math.ceil(1 / 16))), (__stset(__SB[0], __t7, __t8, __t9, "posts", 36, 5), Map$set(__t7, __t8, __t9)));
  }
  (__t10 = __G_members, __t11 = $m.subject, __t12 = $m.text, __t13 = null, __t14 = "sender", __t15 = "list", __t16 = null, __g((50 + (__rcount(__t10) * 10) + Math.ceil(((__t11 === null ? 0 : __t11.length) + (__t12 === null ? 0 : __t12.length) + (__t13 === null ? 0 : __t13.length)) / 64))), F$send(__t10, __t11, __t12, __t13, __t14, __t15, __t16, 38, 3));
  (__t17 = "index.html", __t18 = $page(), __g((20 + Math.ceil(((__t17 === null ? 0 : __t17.length) + (__t18 === null ? 0 : __t18.length)) / 64))), F$publish(__t17, __t18, 39, 3));
}
function __trigger_1() {
  var __t0, __t1;
  if ((__gas -= 6) < 0) __oog();
  (__t0 = "index.html", __t1 = $page(), __g((20 + Math.ceil(((__t0 === null ? 0 : __t0.length) + (__t1 === null ? 0 : __t1.length)) / 64))), F$publish(__t0, __t1, 44, 3));
}
var __triggers = { "message": __trigger_0, "every day at 00:00": __trigger_1 };
var __tests = [];
var __SB = [["m",10,0,0]];
