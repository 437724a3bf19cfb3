// html-to-text 10 ships no types (and @types/html-to-text describes 9); only what runtime/input uses.
declare module "html-to-text" {
  export interface HtmlToTextOptions {
    limits?: { maxDepth?: number; maxInputLength?: number };
    wordwrap?: number | false | null;
  }
  export function convert(html: string, options?: HtmlToTextOptions): string;
}
