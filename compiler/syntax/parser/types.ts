/** Types: `string`, `Map<Address, Time> max 5000`, `string?`, `{ name: string, count: int }`. */
import type * as A from "../ast.js";
import * as T from "../tokens.js";
import type { Parser } from "./cursor.js";
import { intLit, nest, NEST_TYPE } from "./expressions.js";
import * as N from "./kinds.js";
import { closing, ident } from "./recovery.js";

const IS_TYPE_START = T.kindTable([T.Identifier, T.LCurly]);
for (let k = 0; k < T.KIND_COUNT; k++) if (T.IS_IDENTIFIER[k] === 1) IS_TYPE_START[k] = 1;

export const EXPECTED_TYPE = "a type such as `string`, `List<Address>` or `{ name: string }`";

export function type(p: Parser): A.TypeNode {
  const start = p.peek();
  let name: A.Ident | undefined;
  let args: A.TypeNode[] | undefined;
  let fields: A.RecordFieldType[] | undefined;
  if (T.IS_IDENTIFIER[start.kind] === 1) {
    p.open(N.TypeRef);
    name = ident(p);
    args = [];
    if (p.at(T.Lt)) {
      p.open(N.TypeArgs);
      const open = p.bump();
      // At least one argument.
      if (IS_TYPE_START[p.peek().kind] !== 1) p.fail(EXPECTED_TYPE);
      nest(p, NEST_TYPE);
      args.push(type(p));
      while (p.eat(T.Comma)) args.push(type(p));
      p.depth -= NEST_TYPE;
      closing(p, T.Gt, open, ">");
      p.close();
    }
  } else if (start.kind === T.LCurly) {
    p.open(N.RecordType);
    p.bump();
    fields = [];
    nest(p, NEST_TYPE);
    while (T.IS_IDENTIFIER[p.peek().kind] === 1) {
      p.open(N.RecordFieldType);
      const fname = ident(p);
      p.expect(T.Colon);
      const ftype = type(p);
      p.close();
      fields.push({ kind: "RecordFieldType", span: p.cover(fname.span, ftype.span), name: fname, type: ftype });
      p.eat(T.Comma);
    }
    p.depth -= NEST_TYPE;
    closing(p, T.RCurly, start, "}");
  } else {
    p.fail(EXPECTED_TYPE);
  }
  let max: A.IntLit | A.Ident | undefined;
  if (p.eat(T.Max)) {
    // A number or an int constant's name (`max CAPACITY`).
    const m = T.IS_IDENTIFIER[p.peek().kind] === 1 ? ident(p) : intLit(p, p.expect(T.IntLiteral));
    // A record type takes no `max`: it is read past, unchecked.
    if (name) max = m;
  }
  const optional = p.eat(T.Question);
  p.close();
  const span = p.from(start);
  if (name) return { kind: "TypeRef", span, name, args: args!, max, optional };
  return { kind: "RecordType", span, fields: fields!, optional };
}
