// Files the language server reads around a .bpf.c: the tree-sitter WASM, libbpf's helper definitions,
// and the project headers a file includes.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { CParserWasm } from '../csource/parser';

/** The WASM beside the bundle (dist/) or in node_modules when run from source. */
export function readParserWasm(): CParserWasm {
  const pick = (bundled: string, fromSource: string) => {
    const a = join(__dirname, bundled);
    return readFileSync(existsSync(a) ? a : resolve(__dirname, '../../../node_modules', fromSource));
  };
  return {
    runtime: pick('tree-sitter.wasm', 'web-tree-sitter/tree-sitter.wasm'),
    language: pick('tree-sitter-c.wasm', 'tree-sitter-c/tree-sitter-c.wasm'),
  };
}

export const DEFAULT_INCLUDE_DIRS = ['/usr/include', '/usr/local/include'];

/** libbpf's bpf/bpf_helper_defs.h from the first include directory that has it. */
export function findHelperDefs(includeDirs: string[]): { path: string; text: string } | undefined {
  for (const dir of [...includeDirs, ...DEFAULT_INCLUDE_DIRS]) {
    const p = join(dir, 'bpf', 'bpf_helper_defs.h');
    if (existsSync(p)) return { path: p, text: readFileSync(p, 'utf8') };
  }
  return undefined;
}

/** Largest header we parse: vmlinux.h (3 MB, a 100 MB tree) is never parsed; kernel types come from BTF. */
const MAX_HEADER_BYTES = 512 * 1024;

/** A quoted include's path, resolved next to the including file, then in the include directories. */
export function resolveInclude(fromFile: string, include: string, includeDirs: string[]): string | undefined {
  if (/(^|\/)vmlinux\.h$/.test(include)) return undefined;
  const candidates = isAbsolute(include) ? [include] : [join(dirname(fromFile), include), ...includeDirs.map((d) => join(d, include))];
  for (const c of candidates) {
    try {
      const st = statSync(c);
      if (st.isFile() && st.size <= MAX_HEADER_BYTES) return c;
    } catch {
      // not here: try the next directory
    }
  }
  return undefined;
}
