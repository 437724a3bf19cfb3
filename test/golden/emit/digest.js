// rule digest
function __thwonk_run(name, inputJson, members) { return __drive(name, inputJson, members, __triggers, __tests, __stateSchema, __stateBounds, __stateInit, __stateUnitGas); }
var __stateSchema = { "posts": ["list",["rec",{"from":"address","subject":"string","text":"string","at":"time"}]] };
var __stateBounds = { "posts": ["l",100,["r",{"subject":["s",200],"text":["s",4000]}]] };
var __stateUnitGas = 2;
function __stateInit(name) {
  if (name === "posts") return [];
  return null;
}
function $clock($t) {
  var __t0;
  if ((__gas -= 16) < 0) __oog();
  return (__t0 = $twoDigits(G$Time$hour($t)) + ":" + $twoDigits(G$Time$minute($t)), __g((1 + Math.ceil(__t0.length / 16))), __t0);
}
function $twoDigits($n) {
  var __t0, __t1;
  if ((__gas -= 5) < 0) __oog();
  if (($n < 10)) {
    if ((__gas -= 2) < 0) __oog();
    return (__t0 = "0" + String($n), __g((1 + Math.ceil(__t0.length / 16))), __t0);
  }
  return (__t1 = String($n), __g((1 + Math.ceil(__t1.length / 16))), __t1);
}
function __trigger_0($m) {
  var __t0, __t1, __t2, __t3, __t4, __t5, __t6, __t7, __t8, __t9, __t10;
  if ((__gas -= 36) < 0) __oog();
  if (Message$isAutomated($m)) {
    if ((__gas -= 1) < 0) __oog();
    return;
  }
  if (!(Members$has(__G_members, $m.from))) {
    if ((__gas -= 4) < 0) __oog();
    (__t1 = (__t0 = "Only members may post to " + __G_list.address + ".", __g((1 + Math.ceil(__t0.length / 16))), __t0), __g((10 + Math.ceil((__t1 === null ? 0 : __t1.length) / 64))), F$reject(__t1, 27, 5));
  }
  if ((G$List$size(__st["posts"]) >= 100)) {
    if ((__gas -= 3) < 0) __oog();
    (__t2 = $m, __t3 = "Today's digest is full (100 posts). Please post again tomorrow.", __t4 = null, __g((50 + Math.ceil(((__t3 === null ? 0 : __t3.length) + (__t4 === null ? 0 : __t4.length)) / 64))), F$reply(__t2, __t3, __t4, 30, 5));
    return;
  }
  (__t9 = __st["posts"], __t10 = { "from": $m.from, "subject": (__t5 = $m.subject, __t6 = 200, __g((5 + Math.ceil((__t5 === null ? 0 : __t5.length) / 4))), string$truncate(__t5, __t6)), "text": (__t7 = $m.text, __t8 = 4000, __g((5 + Math.ceil((__t7 === null ? 0 : __t7.length) / 4))), string$truncate(__t7, __t8)), "at": __G_now }, (__stpush(__SB[0], __t9, __t10, "posts", 33, 3), List$push(__t9, __t10)));
}
function __trigger_1() {
  var __t0, __t1, __t2, __t3, __t4, __t5, __t6, __t7, __t8, __t9, __t10, __t11, __t12, __t13, __t14;
  if ((__gas -= 29) < 0) __oog();
  if ((G$List$size(__st["posts"]) === 0)) {
    if ((__gas -= 1) < 0) __oog();
    return;
  }
  let $contents = [];
  let $bodies = [];
  let $n = 0;
  for (const $post of __st["posts"].slice()) {
    if ((__gas -= 23) < 0) __oog();
    $n = __ia($n + 1, 63, 5);
    List$push($contents, (__t0 = String($n) + ". " + $post.subject + " (" + $post.from + ")", __g((1 + Math.ceil(__t0.length / 16))), __t0));
    List$push($bodies, (__t1 = "---- " + String($n) + ". " + $post.subject + "\nFrom " + $post.from + " at " + $clock($post.at) + "\n\n" + $post.text + "\n", __g((1 + Math.ceil(__t1.length / 16))), __t1));
  }
  (__t8 = __G_members, __t9 = (__t2 = __G_list.name + " digest, " + G$Time$date(__G_now) + ": " + String($n) + " posts", __g((1 + Math.ceil(__t2.length / 16))), __t2), __t10 = (__t7 = "Today on " + __G_list.name + ":\n\n" + (__t3 = $contents, __t4 = "\n", __g((5 + (__t3.length * 2) + Math.ceil((__total(__t3) + (__t3.length * (__t4 === null ? 0 : __t4.length))) / 16))), List$join(__t3, __t4)) + "\n\n" + (__t5 = $bodies, __t6 = "\n", __g((5 + (__t5.length * 2) + Math.ceil((__total(__t5) + (__t5.length * (__t6 === null ? 0 : __t6.length))) / 16))), List$join(__t5, __t6)), __g((1 + Math.ceil(__t7.length / 16))), __t7), __t11 = null, __t12 = null, __t13 = null, __t14 = null, __g((50 + (__rcount(__t8) * 10) + Math.ceil(((__t9 === null ? 0 : __t9.length) + (__t10 === null ? 0 : __t10.length) + (__t11 === null ? 0 : __t11.length)) / 64))), F$send(__t8, __t9, __t10, __t11, __t12, __t13, __t14, 67, 3));
  __st["posts"] = __stput(__SB[0], [], "posts", 69, 3);
}
var __triggers = { "message": __trigger_0, "every day at 18:00": __trigger_1 };
var __tests = [];
var __SB = [["l",100,["r",{"subject":["s",200],"text":["s",4000]}]]];
