// rule archive
function __thwonk_run(name, inputJson, members) { return __drive(name, inputJson, members, __triggers, __tests, __stateSchema, __stateBounds, __stateInit, __stateUnitGas); }
var __stateSchema = { "count": "int", "recent": ["list",["rec",{"number":"int","subject":"string","from":"address","at":"time"}]] };
var __stateBounds = { "recent": ["l",50,["r",{"subject":["s",200]}]] };
var __stateUnitGas = 2;
function __stateInit(name) {
  if (name === "count") return 0;
  if (name === "recent") return [];
  return null;
}
function $postPage($link, $text) {
  var __t0, __t1, __t2, __t3, __t4, __t5, __t6, __t7, __t8, __t9, __t10, __t11, __t12;
  if ((__gas -= 31) < 0) __oog();
  const $sender = (__t0 = $link.from, __g((1 + Math.ceil(__t0.length / 16))), __t0);
  return (__t11 = ["<!doctype html>", "<meta charset=\"utf-8\">", (__t2 = "<title>" + (__t1 = $link.subject, __g((5 + Math.ceil((__t1 === null ? 0 : __t1.length) / 2))), string$escapeHtml(__t1)) + "</title>", __g((1 + Math.ceil(__t2.length / 16))), __t2), (__t4 = "<p><a href=\"../index.html\">" + (__t3 = __G_list.name, __g((5 + Math.ceil((__t3 === null ? 0 : __t3.length) / 2))), string$escapeHtml(__t3)) + "</a></p>", __g((1 + Math.ceil(__t4.length / 16))), __t4), (__t6 = "<h1>" + (__t5 = $link.subject, __g((5 + Math.ceil((__t5 === null ? 0 : __t5.length) / 2))), string$escapeHtml(__t5)) + "</h1>", __g((1 + Math.ceil(__t6.length / 16))), __t6), (__t8 = "<p>From " + (__t7 = $sender, __g((5 + Math.ceil((__t7 === null ? 0 : __t7.length) / 2))), string$escapeHtml(__t7)) + ", " + G$Time$date($link.at) + "</p>", __g((1 + Math.ceil(__t8.length / 16))), __t8), (__t10 = "<pre>" + (__t9 = $text, __g((5 + Math.ceil((__t9 === null ? 0 : __t9.length) / 2))), string$escapeHtml(__t9)) + "</pre>", __g((1 + Math.ceil(__t10.length / 16))), __t10)], __t12 = "\n", __g((5 + (__t11.length * 2) + Math.ceil((__total(__t11) + (__t11.length * (__t12 === null ? 0 : __t12.length))) / 16))), List$join(__t11, __t12));
}
function $indexPage() {
  var __t0, __t1, __t2, __t3, __t4, __t5, __t6, __t7, __t8, __t9;
  if ((__gas -= 23) < 0) __oog();
  let $items = [];
  for (const $link of __st["recent"].slice()) {
    if ((__gas -= 14) < 0) __oog();
    List$push($items, (__t1 = "<li><a href=\"posts/" + String($link.number) + ".html\">" + (__t0 = $link.subject, __g((5 + Math.ceil((__t0 === null ? 0 : __t0.length) / 2))), string$escapeHtml(__t0)) + "</a> (" + G$Time$date($link.at) + ")</li>", __g((1 + Math.ceil(__t1.length / 16))), __t1));
  }
  return (__t8 = ["<!doctype html>", "<meta charset=\"utf-8\">", (__t3 = "<title>" + (__t2 = __G_list.name, __g((5 + Math.ceil((__t2 === null ? 0 : __t2.length) / 2))), string$escapeHtml(__t2)) + "</title>", __g((1 + Math.ceil(__t3.length / 16))), __t3), (__t5 = "<h1>" + (__t4 = __G_list.name, __g((5 + Math.ceil((__t4 === null ? 0 : __t4.length) / 2))), string$escapeHtml(__t4)) + "</h1>", __g((1 + Math.ceil(__t5.length / 16))), __t5), "<ul>", (__t6 = $items, __t7 = "\n", __g((5 + (__t6.length * 2) + Math.ceil((__total(__t6) + (__t6.length * (__t7 === null ? 0 : __t7.length))) / 16))), List$join(__t6, __t7)), "</ul>"], __t9 = "\n", __g((5 + (__t8.length * 2) + Math.ceil((__total(__t8) + (__t8.length * (__t9 === null ? 0 : __t9.length))) / 16))), List$join(__t8, __t9));
}
function __trigger_0($m) {
  var __t0, __t1, __t2, __t3, __t4, __t5, __t6, __t7, __t8, __t9, __t10, __t11, __t12, __t13, __t14, __t15, __t16, __t17;
  if ((__gas -= 58) < 0) __oog();
  if (!(Members$has(__G_members, $m.from))) {
    if ((__gas -= 4) < 0) __oog();
    (__t1 = (__t0 = "Only members may post to " + __G_list.address + ".", __g((1 + Math.ceil(__t0.length / 16))), __t0), __g((10 + Math.ceil((__t1 === null ? 0 : __t1.length) / 64))), F$reject(__t1, 24, 5));
  }
  (__t2 = __G_members, __t3 = $m.subject, __t4 = $m.text, __t5 = null, __t6 = "sender", __t7 = "list", __t8 = null, __g((50 + (__rcount(__t2) * 10) + Math.ceil(((__t3 === null ? 0 : __t3.length) + (__t4 === null ? 0 : __t4.length) + (__t5 === null ? 0 : __t5.length)) / 64))), F$send(__t2, __t3, __t4, __t5, __t6, __t7, __t8, 26, 3));
  __st["count"] = __ia(__st["count"] + 1, 28, 3);
  const $link = { "number": __st["count"], "subject": (__t9 = $m.subject, __t10 = 200, __g((5 + Math.ceil((__t9 === null ? 0 : __t9.length) / 4))), string$truncate(__t9, __t10)), "from": $m.from, "at": __G_now };
  (__t12 = (__t11 = "posts/" + String(__st["count"]) + ".html", __g((1 + Math.ceil(__t11.length / 16))), __t11), __t13 = $postPage($link, $m.text), __g((20 + Math.ceil(((__t12 === null ? 0 : __t12.length) + (__t13 === null ? 0 : __t13.length)) / 64))), F$publish(__t12, __t13, 30, 3));
  let $kept = [];
  const $drop = __ia(G$List$size(__st["recent"]) - 49, 35, 14);
  let $i = 0;
  for (const $old of __st["recent"].slice()) {
    if ((__gas -= 6) < 0) __oog();
    if (($i >= $drop)) {
      if ((__gas -= 4) < 0) __oog();
      List$push($kept, $old);
    }
    $i = __ia($i + 1, 41, 5);
  }
  List$push($kept, $link);
  __st["recent"] = __stput(__SB[0], (__t14 = $kept, __t15 = 50, __g((2 + __t14.length)), List$take(__t14, __t15)), "recent", 44, 3);
  (__t16 = "index.html", __t17 = $indexPage(), __g((20 + Math.ceil(((__t16 === null ? 0 : __t16.length) + (__t17 === null ? 0 : __t17.length)) / 64))), F$publish(__t16, __t17, 45, 3));
}
var __triggers = { "message": __trigger_0 };
var __tests = [];
var __SB = [["l",50,["r",{"subject":["s",200]}]]];
