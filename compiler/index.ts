/**
 * The compiler core's one public entry. Hosts (cli/, runtime/testing,
 * runtime/run, the coming daemon and language server) import the compiler
 * only through this file (test/architecture.test.ts checks it): what is not
 * exported here is the core's own business and may change freely.
 *
 * Everything here is a re-export; the definitions live in the phases.
 */

// Checking a set of sources: parse, check, verify.
export { checkSources, internalErrorDiagnostic } from "./program.js";
export type { SourceText, RuleUnit, ProgramOptions, ProgramResult } from "./program.js";

// A rule and its test file, and the tests they declare.
export { rulePair, isTestFile, declaredTests, RULE_EXT, TEST_EXT } from "./test-files.js";
export { ruleOfTest, TS_RULE_EXT, isTsRuleName, importsThwonk } from "./test-files.js";
export type { RulePair, DeclaredTest } from "./test-files.js";

// Compiling to a bundle, and reading one back (its hash checked, its source recompiled).
export { compileSource, declaresRequests, readBundle, ruleAnswersRequests, serializeBundle, BUNDLE_FORMAT, CODE_TARGET } from "./emit/bundle.js";
export type { Bundle, Manifest, ManifestTrigger, ManifestStateField, CompileResult, ReadBundleResult } from "./emit/bundle.js";

// A new version against the deployed one: which state changes are safe, and the stored state migrated.
export { checkAgainstDeployed, compareVersions, compatDiagnostics, deployedSchema, droppedPaths, migrateState, unitSpans, versionSchema } from "./compat.js";
export type { CompatOptions, CompatProblem, CompatSpans, VersionSchema } from "./compat.js";

// The code of a rule for a test run or a traced run (emitRule with `tests` or `trace`).
export { emitRule } from "./emit/emitter.js";
export type { EmitOptions, EmitResult, EmittedTest, SourceMapping } from "./emit/emitter.js";

// What a run starts from and how to show its trace.
export { givenState, initialState, stateSchema } from "./initial-state.js";
export type { InitialState } from "./initial-state.js";
export { describeTrace } from "./trace.js";
export type { TraceDescription, TraceValueKind } from "./trace.js";

// The verifier's costs, as `check --cost` shows them.
export { explainTrigger, triggerCostJson } from "./verify/index.js";
export type { TriggerCost, VerifyResult, VerifyOptions } from "./verify/index.js";

// Diagnostics and the one catalog they come from.
export { compareDiagnostics, hasErrors } from "./diagnostics/diagnostic.js";
export type { Diagnostic, Severity, Span, RelatedInfo, Fix, TextEdit } from "./diagnostics/diagnostic.js";
export { allMessages, messageByCode } from "./diagnostics/catalog/index.js";
// A trigger and a type as the rule's own file writes them (`onMessage`, `Map<Address, Time, 5000>` in a `.ts` rule), for what a person reads.
export { triggerAsDeclared, typeAsDeclared } from "./diagnostics/catalog/index.js";
export type { MessageDef } from "./diagnostics/catalog/index.js";

// The value rules a host applies to what a user typed (an address given on the command line).
// They belong to the contract between compiler and runtime, and move there with it.
export { canonicalAddress } from "./emit/values.js";

// Versions that go into every bundle.
export { COMPILER_VERSION } from "./version.js";

// For long-lived hosts (the language server): documents re-checked only as much as changed, and cancellation.
export { Workspace } from "./workspace.js";
export type { CheckedDocument, WorkspaceCheckOptions, WorkspaceStats } from "./workspace.js";
export { CheckCancelled } from "./cancel.js";
export type { IsCancelled } from "./cancel.js";

// For the language server: the node and symbol at an offset, and references.
export { nodeAt, nodePathAt, referencesOf } from "./query.js";
export type { CheckedUnit, NodeAt } from "./query.js";
export type { Symbol, SymbolKind } from "./semantic/scope.js";
export type { Node, SourceFile, Ident } from "./syntax/ast.js";

// For the formatter and the language server: one file's trees (the typed tree and the
// lossless concrete tree, which prints back the text byte for byte) and its syntax diagnostics.
export { parseFile, parseStats, printSyntax, isSyntaxNode, SyntaxTree } from "./syntax/parser.js";
export { LineMap } from "./syntax/lines.js";

// Bytes a host read, as source text, or where the first byte that is not UTF-8 is (and its diagnostic, TW1024).
export { decodeSource, notUtf8Diagnostic, byteHex } from "./syntax/utf8.js";
export type { DecodedSource, NotUtf8 } from "./syntax/utf8.js";
export type { ParseResult, SyntaxElement, SyntaxNode, SyntaxToken, Trivia, TriviaKind, NodeName } from "./syntax/parser.js";

// The formatter (`thwonkc fmt`, the language server's formatting): one canonical layout, whitespace only.
export { formatText, isFormatted } from "./format/format.js";
export type { FormatResult } from "./format/format.js";

// For the language server's hover and completion (the stdlib declaration itself, the bottom layer,
// hosts read directly): how a type is written, and the checker's model.
export { typeToString } from "./semantic/types.js";
export type { Type } from "./semantic/types.js";
export type { SemanticModel, CallTarget, MemberTarget } from "./semantic/model.js";
