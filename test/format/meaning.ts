/**
 * What formatting must keep: a file's tree without where things are in its text (spans, and the comments, which
 * the tree lists with their spans), nor the text itself (`SourceFile.text`, kept for fixes that write a line as the
 * file does). Two texts with the same meaning format to the same code.
 */
import { parseFile } from "../../compiler/syntax/parser/index.js";

export function meaning(fileName: string, text: string): string {
  const { file } = parseFile(fileName, text);
  return JSON.stringify(file, function (this: unknown, key, value: unknown) {
    if (key === "span" || key === "opSpan" || key === "comments") return undefined;
    if (key === "text" && (this as { kind?: unknown }).kind === "SourceFile") return undefined;
    return value;
  });
}
