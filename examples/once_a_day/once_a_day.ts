// once_a_day: each member may post once a day. A second post the same day is
// not sent on; its author gets a reply saying so. Days are counted in the
// list's time zone, not the sender's, and by the arrival time (`now`), not
// the Date header the sender wrote. The TypeScript twin of once_a_day.thwonk.
import { every, list, Map, members, now, reject, reply, send, type Address, type Message, type Time } from "thwonk";

export const rule = "once_a_day";

export const limits = { members: 5000, text: 20000, fanout: 5000, memory: 160 * 1024 * 1024 };

export const settings = { timezone: "Europe/Paris" };

export const state = {
  // When each member last posted; only today's posters, see the midnight trigger.
  lastPost: new Map<Address, Time, 5000>(),
};

export function onMessage(m: Message) {
  if (m.isAutomated()) {
    return; // never pass on, or answer, an out-of-office reply
  }
  if (!members.has(m.from)) {
    reject(`Only members may post to ${list.address}.`);
  }
  const last = state.lastPost.get(m.from); // Time | undefined
  if (last !== undefined && last.sameDay(now)) {
    reply(m, { text: "You have already posted today, so this message was not sent. Try again tomorrow." });
    return;
  }
  // Full only if more members than it holds posted today: then the post still goes out.
  if (state.lastPost.has(m.from) || state.lastPost.size < 5000) {
    state.lastPost.set(m.from, now);
  }
  send({ to: members, subject: m.subject, text: m.text, from: "sender", replyTo: "list" });
}

// At midnight yesterday's posts stop counting: forget them, so the map holds
// only today's posters and stays well under its max.
every("day at 00:00", () => {
  state.lastPost = new Map();
});
