/**
 * One QuickJS engine = one WebAssembly instance with its own linear memory.
 *
 * Why each gets its own capped WebAssembly.Memory: in this build QuickJS
 * cannot count the bytes it allocates (malloc_usable_size is missing under
 * Emscripten), so JS_SetMemoryLimit only refuses single allocations larger
 * than the limit; many smaller ones (strings, ArrayBuffers) grow the heap
 * without bound. A memory whose `maximum` is the module's 16 MiB base (static
 * data, a 5 MiB C stack, the first heap pages) plus the limit makes malloc
 * fail there, and QuickJS throws its ordinary "out of memory". Dropping an
 * instance also drops all it allocated, whatever state QuickJS is in.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import {
  newQuickJSWASMModuleFromVariant,
  newVariant,
  type QuickJSSyncVariant,
  type QuickJSWASMModule,
} from "quickjs-emscripten-core";
import * as releaseSyncModule from "@jitl/quickjs-wasmfile-release-sync";

// The package's types describe its CommonJS face; loaded as ESM, the variant is the default export.
const releaseSync = releaseSyncModule.default as unknown as QuickJSSyncVariant;

// Node has WebAssembly, but the project's lib (ES2022, no DOM) does not declare it.
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
}
export type WasmModule = object;
const WA = (globalThis as unknown as {
  WebAssembly: {
    Module: new (bytes: Uint8Array) => WasmModule;
    Memory: new (d: { initial: number; maximum: number }) => WasmMemory;
  };
}).WebAssembly;

const PAGE = 64 * 1024;
/** The module's declared minimum memory: its static data, C stack and initial heap live here. */
export const BASE_BYTES = 256 * PAGE;

export interface Instance {
  qjs: QuickJSWASMModule;
  memory: WasmMemory;
  maxBytes: number;
}

let compiled: WasmModule | undefined;

/** The compiled engine: compiled once in the main thread and handed to each worker. */
export function engineModule(): WasmModule {
  if (!compiled) {
    // Resolved by package name, not next to this file, so a bundled host finds it too.
    const path = createRequire(import.meta.url).resolve("@jitl/quickjs-wasmfile-release-sync/wasm");
    compiled = new WA.Module(readFileSync(path));
  }
  return compiled;
}

export function useEngineModule(m: WasmModule): void {
  compiled = m;
}

export async function newInstance(memoryLimitBytes: number): Promise<Instance> {
  const maxBytes = BASE_BYTES + Math.ceil(memoryLimitBytes / PAGE) * PAGE;
  const memory = new WA.Memory({ initial: BASE_BYTES / PAGE, maximum: maxBytes / PAGE });
  const variant = newVariant(releaseSync, { wasmModule: engineModule() as never, wasmMemory: memory as never });
  const qjs = await newQuickJSWASMModuleFromVariant(variant);
  return { qjs, memory, maxBytes };
}

/** True when the heap is (nearly) at its cap: Emscripten stops growing up to ~5% short of it. */
export function nearCap(inst: Instance): boolean {
  return inst.memory.buffer.byteLength > inst.maxBytes * 0.9;
}
