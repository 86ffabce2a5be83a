// Compiling a .bpf.c into a BPF object with clang: the flags libbpf programs need, include paths that
// work out of the box, and clang's messages as diagnostics.
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { CompilerDiagnostic, parseClangDiagnostics } from '../clang/messages';
import { findTool, multiarchTriplet, RunOptions, runTool, targetArch } from './tools';

export interface BuildOptions extends RunOptions {
  /** A configured clang; else clang-19, then clang (Debian's clang 14 crashes on bpf_core_type_matches). */
  clang?: string;
  outDir?: string;
  extraFlags?: string[];
  includeDirs?: string[];
  /** Where to stop looking upward for vmlinux.h (the workspace folder). */
  root?: string;
}

export interface BuildResult {
  ok: boolean;
  object: string;
  diagnostics: CompilerDiagnostic[];
  commandLine: string;
  stderr: string;
}

/** The folder holding the nearest vmlinux.h at or above the source's folder, up to `root`. */
export function findVmlinuxDir(source: string, root?: string): string | undefined {
  let dir = dirname(resolve(source));
  const stop = root ? resolve(root) : '/';
  for (;;) {
    if (existsSync(join(dir, 'vmlinux.h'))) return dir;
    if (dir === stop || dirname(dir) === dir) return undefined;
    dir = dirname(dir);
  }
}

export function objectPath(source: string, outDir?: string): string {
  const name = basename(source).replace(/\.c$/, '') + '.o';
  return join(outDir ?? dirname(resolve(source)), name);
}

export function clangArgs(source: string, object: string, opts: BuildOptions): string[] {
  const src = resolve(source);
  const includes = [dirname(src), findVmlinuxDir(src, opts.root), ...(opts.includeDirs ?? []), `/usr/include/${multiarchTriplet()}`].filter(
    (d, i, all): d is string => !!d && all.indexOf(d) === i,
  );
  return ['-g', '-O2', '-target', 'bpf', `-D__TARGET_ARCH_${targetArch()}`, ...includes.map((d) => `-I${d}`), ...(opts.extraFlags ?? []), '-c', src, '-o', object];
}

export async function buildObject(source: string, opts: BuildOptions = {}): Promise<BuildResult> {
  const clang = findTool(['clang-19', 'clang'], opts.clang, 'install clang-19 (apt-get install clang-19) or set ebpf.clang.path');
  const object = objectPath(source, opts.outDir);
  mkdirSync(dirname(object), { recursive: true });
  const r = await runTool(clang, clangArgs(source, object, opts), opts);
  return { ok: r.code === 0, object, diagnostics: parseClangDiagnostics(r.stderr), commandLine: r.commandLine, stderr: r.stderr };
}

/** True when the object is missing or older than its source. */
export function objectIsStale(source: string, object: string): boolean {
  try {
    return statSync(object).mtimeMs < statSync(source).mtimeMs;
  } catch {
    return true;
  }
}
