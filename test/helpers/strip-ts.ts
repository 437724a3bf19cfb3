/**
 * A small TypeScript scanner for source-level architecture tests: blanks out
 * comments (and, in a second copy, string, template and regex literal
 * contents) so a search for `process` or an import does not match prose or
 * data. Positions and line breaks are kept, so a match's line is the source
 * line. Not a parser: good enough for code that compiles.
 */
export interface Stripped {
  /** Comments blanked; strings kept (to read import specifiers). */
  withStrings: string;
  /** Comments and the contents of strings, templates and regexes blanked. */
  codeOnly: string;
}

const REGEX_AFTER_CHAR = new Set("(,=:[!&|?{};+-*%<>~^".split(""));
const REGEX_AFTER_WORD = new Set(["return", "typeof", "case", "in", "of", "delete", "void", "throw", "new", "else", "do", "yield", "await"]);

function blank(s: string): string {
  return s.replace(/[^\n]/g, " ");
}

export function stripTs(src: string): Stripped {
  let withStrings = "";
  let codeOnly = "";
  const emit = (text: string, kind: "code" | "comment" | "literal") => {
    withStrings += kind === "comment" ? blank(text) : text;
    codeOnly += kind === "code" ? text : blank(text);
  };
  // Brace depth of each open template `${`: a `}` at that depth resumes the template.
  const templateStack: number[] = [];
  let depth = 0;
  let lastSignificant = ""; // last non-space code character or word
  let i = 0;
  const n = src.length;

  const scanTemplateRest = () => {
    // We are just after a backtick or a `}` closing `${`: read to the next backtick or `${`.
    const start = i;
    while (i < n) {
      const c = src[i];
      if (c === "\\") {
        i += 2;
        continue;
      }
      if (c === "`") {
        i++;
        emit(src.slice(start, i - 1), "literal");
        emit("`", "code");
        lastSignificant = "`";
        return;
      }
      if (c === "$" && src[i + 1] === "{") {
        emit(src.slice(start, i), "literal");
        emit("${", "code");
        i += 2;
        templateStack.push(depth);
        depth++;
        lastSignificant = "{";
        return;
      }
      i++;
    }
    emit(src.slice(start, i), "literal");
  };

  while (i < n) {
    const c = src[i]!;
    const next = src[i + 1];
    if (c === "/" && next === "/") {
      const end = src.indexOf("\n", i);
      const stop = end === -1 ? n : end;
      emit(src.slice(i, stop), "comment");
      i = stop;
      continue;
    }
    if (c === "/" && next === "*") {
      const end = src.indexOf("*/", i + 2);
      const stop = end === -1 ? n : end + 2;
      emit(src.slice(i, stop), "comment");
      i = stop;
      continue;
    }
    if (c === '"' || c === "'") {
      let j = i + 1;
      while (j < n && src[j] !== c && src[j] !== "\n") j += src[j] === "\\" ? 2 : 1;
      emit(c, "code");
      emit(src.slice(i + 1, Math.min(j, n)), "literal");
      if (j < n && src[j] === c) emit(c, "code");
      else if (j < n) emit(src[j]!, "code");
      i = j + 1;
      lastSignificant = c;
      continue;
    }
    if (c === "`") {
      emit("`", "code");
      i++;
      scanTemplateRest();
      continue;
    }
    if (c === "/" && (lastSignificant === "" || REGEX_AFTER_CHAR.has(lastSignificant) || REGEX_AFTER_WORD.has(lastSignificant))) {
      let j = i + 1;
      let inClass = false;
      while (j < n && src[j] !== "\n") {
        const d = src[j];
        if (d === "\\") {
          j += 2;
          continue;
        }
        if (d === "[") inClass = true;
        else if (d === "]") inClass = false;
        else if (d === "/" && !inClass) break;
        j++;
      }
      emit("/", "code");
      emit(src.slice(i + 1, j), "literal");
      i = j;
      if (i < n && src[i] === "/") {
        emit("/", "code");
        i++;
      }
      lastSignificant = ")"; // a regex is a value: a following `/` divides
      continue;
    }
    if (c === "{") depth++;
    if (c === "}") {
      depth--;
      if (templateStack.length > 0 && templateStack[templateStack.length - 1] === depth) {
        templateStack.pop();
        emit("}", "code");
        i++;
        scanTemplateRest();
        continue;
      }
    }
    if (/[A-Za-z_$]/.test(c)) {
      let j = i + 1;
      while (j < n && /[\w$]/.test(src[j]!)) j++;
      const word = src.slice(i, j);
      emit(word, "code");
      lastSignificant = word;
      i = j;
      continue;
    }
    emit(c, "code");
    if (!/\s/.test(c)) lastSignificant = c;
    i++;
  }
  return { withStrings, codeOnly };
}

/** 1-based line of offset `at` in `text`. */
export function lineAt(text: string, at: number): number {
  let line = 1;
  for (let k = 0; k < at; k++) if (text.charCodeAt(k) === 10) line++;
  return line;
}
