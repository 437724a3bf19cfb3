/** Kinds of the concrete tree's nodes, as small integers; NODE_NAMES names them. */
export const NODE_NAMES = [
  "SourceFile", "Error",
  "RuleDecl", "LimitsDecl", "SettingsDecl", "Entry", "StateDecl", "StateField", "TypeDecl", "FnDecl", "ParamList", "Param",
  "OnDecl", "EveryDecl", "Schedule", "TestDecl", "GivenClause", "RunClause", "ExpectClause",
  "TypeRef", "TypeArgs", "RecordType", "RecordFieldType",
  "Block", "LetStmt", "AssignStmt", "ExprStmt", "IfStmt", "ElseBranch", "ForStmt", "ReturnStmt", "BreakStmt", "ContinueStmt",
  "BinaryExpr", "UnaryExpr", "MemberExpr", "CallExpr", "ArgList", "Arg", "IndexExpr", "ParenExpr", "ListLit", "BraceLit", "BraceEntry",
  "ConstDecl",
] as const;

export type NodeName = (typeof NODE_NAMES)[number];

const kind = (name: NodeName): number => NODE_NAMES.indexOf(name);

export const SourceFile = kind("SourceFile");
/** Tokens skipped by error recovery. */
export const Error = kind("Error");
export const RuleDecl = kind("RuleDecl");
export const LimitsDecl = kind("LimitsDecl");
export const SettingsDecl = kind("SettingsDecl");
export const Entry = kind("Entry");
export const StateDecl = kind("StateDecl");
export const StateField = kind("StateField");
export const TypeDecl = kind("TypeDecl");
export const FnDecl = kind("FnDecl");
export const ParamList = kind("ParamList");
export const Param = kind("Param");
export const OnDecl = kind("OnDecl");
export const EveryDecl = kind("EveryDecl");
export const Schedule = kind("Schedule");
export const TestDecl = kind("TestDecl");
export const GivenClause = kind("GivenClause");
export const RunClause = kind("RunClause");
export const ExpectClause = kind("ExpectClause");
export const TypeRef = kind("TypeRef");
export const TypeArgs = kind("TypeArgs");
export const RecordType = kind("RecordType");
export const RecordFieldType = kind("RecordFieldType");
export const Block = kind("Block");
export const LetStmt = kind("LetStmt");
export const AssignStmt = kind("AssignStmt");
export const ExprStmt = kind("ExprStmt");
export const IfStmt = kind("IfStmt");
export const ElseBranch = kind("ElseBranch");
export const ForStmt = kind("ForStmt");
export const ReturnStmt = kind("ReturnStmt");
export const BreakStmt = kind("BreakStmt");
export const ContinueStmt = kind("ContinueStmt");
export const BinaryExpr = kind("BinaryExpr");
export const UnaryExpr = kind("UnaryExpr");
export const MemberExpr = kind("MemberExpr");
export const CallExpr = kind("CallExpr");
export const ArgList = kind("ArgList");
export const Arg = kind("Arg");
export const IndexExpr = kind("IndexExpr");
export const ParenExpr = kind("ParenExpr");
export const ListLit = kind("ListLit");
export const BraceLit = kind("BraceLit");
export const BraceEntry = kind("BraceEntry");
export const ConstDecl = kind("ConstDecl");
