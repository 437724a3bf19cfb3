// bumplist: after Jonah Brucker-Cohen's BumpList, the list that
// inspired the first Thwonk. The list has room for a fixed number of members;
// when it is full, each new subscriber bumps off the longest-standing member,
// who is told. A public page shows who is on the list, for how long, and how
// often they have posted. The TypeScript twin of bumplist.thwonk.
//
// Subscribe and unsubscribe by mail to the -request address (for
// bump@example.org, bump-request@example.org) with the word as the subject.
import { every, list, Map, members, now, publish, reject, reply, send, type Address, type int, type List, type Member, type Message, type Time } from "thwonk";

export const rule = "bumplist";

// The room on the list, written once: the members limit, the posts kept, the texts.
const CAPACITY = 10;

export const limits = { members: CAPACITY, text: 20000 };

export const settings = { timezone: "Europe/Paris" };

export const state = {
  // Posts per current member; a member's count goes when they do.
  posts: new Map<Address, int, typeof CAPACITY>(),
  // How many members have been bumped off since the list began.
  bumped: 0,
};

export function onMessage(m: Message) {
  if (m.envelope.isRequest) {
    handleRequest(m);
    return;
  }
  if (!members.has(m.from)) {
    reject(`Only members may post to ${list.address}. Subscribe (and bump someone off) by sending "subscribe" as the subject to the -request address.`);
  }
  // Members are at most CAPACITY, so a member's entry always has room; the check proves it.
  if (state.posts.has(m.from) || state.posts.size < CAPACITY) {
    state.posts.set(m.from, (state.posts.get(m.from) ?? 0) + 1);
  }
  send({ to: members, subject: m.subject, text: m.text, from: "sender", replyTo: "list" });
  publish("index.html", page());
}

// The page shows days on the list; refresh it when the day changes.
every("day at 00:00", () => {
  publish("index.html", page());
});

function handleRequest(m: Message) {
  if (m.isAutomated()) {
    return;
  }
  const command = m.subject.trim().lower();
  if (command === "subscribe") {
    subscribe(m);
  } else if (command === "unsubscribe") {
    if (members.has(m.from)) {
      members.remove(m.from);
      state.posts.remove(m.from);
      reply(m, { text: `You have left ${list.name} of your own accord. Nobody had to bump you.` });
    }
  } else {
    reply(m, { text: `Send "subscribe" or "unsubscribe" as the subject. ${list.name} has room for ${CAPACITY}; when it is full, each newcomer bumps off the longest-standing member.` });
  }
  publish("index.html", page());
}

function subscribe(m: Message) {
  if (members.has(m.from)) {
    reply(m, { text: `You are already on ${list.name}. Enjoy it while it lasts.` });
    return;
  }
  if (members.size >= limits.members) {
    const oldest = longestStanding();
    if (oldest !== undefined) {
      send({ to: oldest, subject: `You have been bumped off ${list.name}`,
        text: `${m.from} has just joined ${list.name}, and as its longest-standing member you made room. You were on the list for ${daysSince(oldest.joined)} days and posted ${state.posts.get(oldest.address) ?? 0} times. Subscribe again to bump someone else off.` });
      members.remove(oldest.address);
      state.posts.remove(oldest.address);
      state.bumped += 1;
    }
  }
  members.add(m.from, m.fromName);
  reply(m, { subject: `Welcome to ${list.name}`,
    text: `You are on ${list.name} until ${CAPACITY} people have joined after you. Post while you can.` });
}

function longestStanding(): Member | undefined {
  let oldest: Member | undefined = undefined;
  for (const member of members) {
    if (oldest === undefined || member.joined < oldest.joined) {
      oldest = member;
    }
  }
  return oldest;
}

function daysSince(t: Time): int {
  return now.minus(t).days;
}

function page(): string {
  let rows: List<string> = [];
  for (const member of members) {
    rows.push(`<tr><td>${member.name.escapeHtml()}</td><td>${member.joined.date}</td><td>${daysSince(member.joined)}</td><td>${state.posts.get(member.address) ?? 0}</td></tr>`);
  }
  return [
    "<!doctype html>",
    "<meta charset=\"utf-8\">",
    `<title>${list.name.escapeHtml()}</title>`,
    `<h1>${list.name.escapeHtml()}</h1>`,
    `<p>${members.size} of ${CAPACITY} places taken; ${state.bumped} bumped off so far.</p>`,
    "<table>",
    "<tr><th>Who</th><th>Since</th><th>Days</th><th>Posts</th></tr>",
    rows.join("\n"),
    "</table>",
  ].join("\n");
}
