// daily_or_out: members HAVE to post once a day. At midnight, everyone who
// did not post that day is unsubscribed and told why; the others hear who left.
// Someone who joined during the day gets until the next midnight.
// The TypeScript twin of daily_or_out.thwonk.
import { days, every, list, Map, members, now, reject, send, type Address, type List, type Member, type Message } from "thwonk";

export const rule = "daily_or_out";

export const limits = { members: 500, text: 20000 };

export const settings = { timezone: "Europe/Paris" };

export const state = {
  // Who has posted since the last midnight.
  postedToday: new Map<Address, boolean, 500>(),
};

export function onMessage(m: Message) {
  if (!members.has(m.from)) {
    reject(`Only members may post to ${list.address}.`);
  }
  // The map is emptied every midnight; a member already in it takes no more room.
  if (state.postedToday.has(m.from) || state.postedToday.size < 500) {
    state.postedToday.set(m.from, true);
  }
  send({ to: members, subject: m.subject, text: m.text, from: "sender", replyTo: "list" });
}

every("day at 00:00", () => {
  // Collect first, then remove: the loop never changes what it walks.
  let silent: List<Member> = [];
  let names: List<string> = [];
  for (const member of members) if (!state.postedToday.has(member.address) && now.minus(member.joined) >= days(1)) {
    silent.push(member);
    names.push(member.name);
  }
  if (silent.size > 0) {
    send({ to: silent, subject: `You have left ${list.name}`,
      text: `You did not post to ${list.address} yesterday, so you have been unsubscribed. Write to ${list.address} and ask an owner to let you back in.` });
    for (const member of silent) {
      members.remove(member.address);
    }
    send({ to: members, subject: `Left today: ${names.join(", ")}`,
      text: `These members did not post yesterday and have been unsubscribed: ${names.join(", ")}.` });
  }
  state.postedToday = new Map();
});
