// Writes stdlib/thwonk.d.ts, what a TypeScript rule imports from "thwonk",
// from the one stdlib declaration (stdlib/dts.ts makes the text). Run after
// `tsc -b`; test/typescript/dts.test.ts fails when the committed file differs.
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import { stdlib } from "../dist/stdlib/index.js";
import { thwonkDts } from "../dist/stdlib/dts.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
writeFileSync(join(root, "stdlib", "thwonk.d.ts"), thwonkDts(stdlib));
