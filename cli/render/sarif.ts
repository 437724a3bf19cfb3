/**
 * `--format sarif`: a SARIF 2.1.0 log for code-scanning services (GitHub
 * code scanning, Azure DevOps, IDE viewers). One run; the driver lists every
 * rule of the message catalog so a result's ruleIndex points into it.
 * Files are URIs relative to the working directory (uriBaseId %SRCROOT%),
 * columns count UTF-16 code units (the run's columnKind), ends exclusive.
 */
import type { Diagnostic, MessageDef, Severity, Span } from "../../compiler/index.js";
import { isAbsolute } from "node:path";
import { pathToFileURL } from "node:url";

export const SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json";
const SRCROOT = "%SRCROOT%";

export interface SarifOptions {
  toolVersion: string;
  /** The catalog: becomes tool.driver.rules. */
  rules: readonly MessageDef[];
  /** Absolute working directory, the base of relative URIs. */
  cwd: string;
}

type Level = "error" | "warning" | "note";

function level(s: Severity): Level {
  return s === "info" ? "note" : s;
}

/** A file name as a URI reference: relative names stay relative (each segment percent-encoded), absolute ones become file: URIs. */
export function fileUri(name: string): { uri: string; uriBaseId?: string } {
  if (isAbsolute(name)) return { uri: pathToFileURL(name).href };
  const encoded = name.replace(/\\/g, "/").split("/").map(encodeURIComponent).join("/");
  return { uri: encoded, uriBaseId: SRCROOT };
}

function dirUri(absDir: string): string {
  const uri = pathToFileURL(absDir).href;
  return uri.endsWith("/") ? uri : uri + "/";
}

function region(s: Span) {
  return { startLine: s.line, startColumn: s.col, endLine: s.endLine, endColumn: s.endCol };
}

function physical(s: Span) {
  return { artifactLocation: fileUri(s.file), region: region(s) };
}

export function renderSarif(diags: readonly Diagnostic[], opts: SarifOptions): string {
  const ruleIndex = new Map<string, number>();
  const rules = opts.rules.map((m, i) => {
    ruleIndex.set(m.code, i);
    return {
      id: m.code,
      shortDescription: { text: m.title },
      defaultConfiguration: { level: level(m.severity) },
    };
  });
  const results = diags.map((d) => {
    const result: Record<string, unknown> = { ruleId: d.code };
    const idx = ruleIndex.get(d.code);
    if (idx !== undefined) result["ruleIndex"] = idx;
    result["level"] = level(d.severity);
    result["message"] = { text: d.message };
    result["locations"] = [{ physicalLocation: physical(d.span) }];
    if (d.related.length > 0) {
      result["relatedLocations"] = d.related.map((r, i) => ({
        id: i,
        physicalLocation: physical(r.span),
        message: { text: r.message },
      }));
    }
    if (d.fix) {
      const byFile = new Map<string, { deletedRegion: ReturnType<typeof region>; insertedContent: { text: string } }[]>();
      for (const e of d.fix.edits) {
        const list = byFile.get(e.span.file) ?? [];
        list.push({ deletedRegion: region(e.span), insertedContent: { text: e.newText } });
        byFile.set(e.span.file, list);
      }
      result["fixes"] = [
        {
          description: { text: d.fix.description },
          artifactChanges: [...byFile].map(([file, replacements]) => ({ artifactLocation: fileUri(file), replacements })),
        },
      ];
    }
    return result;
  });
  const log = {
    $schema: SARIF_SCHEMA,
    version: "2.1.0",
    runs: [
      {
        tool: {
          driver: {
            name: "thwonkc",
            version: opts.toolVersion,
            semanticVersion: opts.toolVersion,
            rules,
          },
        },
        originalUriBaseIds: { [SRCROOT]: { uri: dirUri(opts.cwd) } },
        columnKind: "utf16CodeUnits",
        results,
      },
    ],
  };
  return JSON.stringify(log, null, 2) + "\n";
}
