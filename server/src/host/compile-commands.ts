// compile_commands.json, written and read. Read: a file's compile command from the nearest one, found as
// clangd finds it: in the file's folder or any folder above it, or in a `build/` folder beside any of
// those, read again when it changes on disk. Written: the extension's "Generate compile_commands.json".
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { splitCommandLine } from '../csource/build-flags';
import { BuildOptions, clangArgs, objectPath } from './build';

interface Database {
  mtimeMs: number;
  /** Absolute source path -> its arguments (the compiler first). */
  entries: Map<string, string[]>;
}

interface Entry {
  directory?: unknown;
  file?: unknown;
  arguments?: unknown;
  command?: unknown;
}

export class CompileCommands {
  private readonly databases = new Map<string, Database>();

  constructor(private readonly log: (msg: string) => void) {}

  /** The arguments compiling `file`, from the nearest database that lists it; [] when none does. */
  argumentsFor(file: string): string[] {
    const source = resolve(file);
    for (let dir = dirname(source); ; dir = dirname(dir)) {
      for (const candidate of [join(dir, 'compile_commands.json'), join(dir, 'build', 'compile_commands.json')]) {
        const args = this.database(candidate)?.entries.get(source);
        if (args) return args;
      }
      if (dirname(dir) === dir) return [];
    }
  }

  private database(path: string): Database | undefined {
    let mtimeMs: number;
    try {
      mtimeMs = statSync(path).mtimeMs;
    } catch {
      return undefined;
    }
    const hit = this.databases.get(path);
    if (hit?.mtimeMs === mtimeMs) return hit;
    const db = { mtimeMs, entries: this.read(path) };
    this.databases.set(path, db);
    return db;
  }

  private read(path: string): Map<string, string[]> {
    const entries = new Map<string, string[]>();
    let list: unknown;
    try {
      list = JSON.parse(readFileSync(path, 'utf8'));
    } catch (e) {
      this.log(`cannot read ${path}: ${(e as Error).message}`);
      return entries;
    }
    if (!Array.isArray(list)) return entries;
    for (const e of list as Entry[]) {
      if (typeof e?.file !== 'string') continue;
      const directory = typeof e.directory === 'string' ? e.directory : dirname(path);
      const args = Array.isArray(e.arguments) ? e.arguments.filter((a): a is string => typeof a === 'string')
        : typeof e.command === 'string' ? splitCommandLine(e.command) : undefined;
      // The first entry of a file wins, as in clangd.
      if (args && !entries.has(resolve(directory, e.file))) entries.set(resolve(directory, e.file), args);
    }
    return entries;
  }
}

/**
 * Writes `out` (a compile_commands.json) listing each source with the command Build runs for it, for
 * clangd, the C/C++ extension and this server's own #if evaluation.
 */
export function writeCompileCommands(out: string, sources: string[], clang: string, opts: BuildOptions): void {
  const entries = sources.map((file) => ({ directory: dirname(file), file, arguments: [clang, ...clangArgs(file, objectPath(file), opts)] }));
  writeFileSync(out, JSON.stringify(entries, null, 2) + '\n');
}
