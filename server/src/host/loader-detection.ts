// Which loader a .bpf.c file's project uses, from the files around it: the nearest go.mod (and the Go
// sources beside the file, for bpf2go's go:generate lines), the nearest Cargo.toml, and the file's
// includes. Read once per folder.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { detectLoader, Loader } from '../sections/loaders';

/** How far up from a source file project files are looked for. */
const MAX_LEVELS = 6;

const byFolder = new Map<string, { goMod?: string; cargoToml?: string; goSources: string[] }>();

function projectFiles(folder: string): { goMod?: string; cargoToml?: string; goSources: string[] } {
  let hit = byFolder.get(folder);
  if (hit) return hit;
  hit = { goSources: [] };
  let dir = folder;
  for (let level = 0; level < MAX_LEVELS; level++) {
    hit.goMod ??= readIfExists(join(dir, 'go.mod'));
    hit.cargoToml ??= readIfExists(join(dir, 'Cargo.toml'));
    if (level < 2) hit.goSources.push(...goSourcesIn(dir));
    if (existsSync(join(dir, '.git')) || dirname(dir) === dir) break;
    dir = dirname(dir);
  }
  byFolder.set(folder, hit);
  return hit;
}

function readIfExists(path: string): string | undefined {
  try {
    return existsSync(path) ? readFileSync(path, 'utf8') : undefined;
  } catch {
    return undefined;
  }
}

/** The Go files of a folder (a few): bpf2go's `//go:generate` lines sit beside or above the C. */
function goSourcesIn(dir: string): string[] {
  try {
    return readdirSync(dir).filter((f) => f.endsWith('.go')).slice(0, 20).map((f) => readIfExists(join(dir, f)) ?? '');
  } catch {
    return [];
  }
}

/** The loader of the project around `path` (undefined: libbpf, the default). */
export function detectFileLoader(path: string | undefined, includes: string[]): Loader | undefined {
  if (!path) return detectLoader({ includes });
  return detectLoader({ ...projectFiles(dirname(path)), includes });
}
