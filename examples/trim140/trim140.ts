// trim140: every post is cut to 140 characters before it goes to all members.
// Characters are Unicode code points, so a cut never splits an emoji or an
// accented letter in two. The TypeScript twin of trim140.thwonk.
import { list, members, reject, send, type Message } from "thwonk";

export const rule = "trim140";

export const limits = { members: 5000, text: 20000, fanout: 5000 };

export function onMessage(m: Message) {
  if (!members.has(m.from)) {
    reject(`Only members may post to ${list.address}.`);
  }
  // One send to every member: the runtime fans it out, and the verifier
  // charges one call plus the recipients, not one call per member.
  send({ to: members, subject: m.subject, text: m.text.truncate(140), from: "sender", replyTo: "list" });
}
