import { List, list, members, send, type Message, type Text } from "thwonk";

export const rule = "g";

export const limits = { members: 100, text: 1000 };

export const state = {
  titles: new List<Text<80>, 10>(),
};

export function onMessage(m: Message) {
  state.titles.push(m.subject);
  send({ to: members, subject: m.subject, text: `${list.name}: ${m.text}` });
}
