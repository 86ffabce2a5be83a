// The structs of the project headers a .bpf.c includes (`#include "app.h"`, where event structs live),
// parsed once per file version. vmlinux.h is never parsed: kernel types come from BTF.
import { readFileSync, statSync } from 'node:fs';
import { buildModel, CStruct } from '../csource/model';
import { CParser } from '../csource/parser';
import { resolveInclude } from './source-files';

export class ProjectHeaders {
  private readonly cache = new Map<string, { mtimeMs: number; structs: Map<string, CStruct> }>();

  constructor(
    private readonly parser: CParser,
    private readonly includeDirs: () => string[],
    private readonly log: (msg: string) => void,
  ) {}

  structsFor(path: string | undefined, includes: string[]): Map<string, CStruct> {
    const out = new Map<string, CStruct>();
    if (!path) return out;
    for (const inc of includes) {
      const file = resolveInclude(path, inc, this.includeDirs());
      if (!file) continue;
      try {
        const mtimeMs = statSync(file).mtimeMs;
        let hit = this.cache.get(file);
        if (!hit || hit.mtimeMs !== mtimeMs) {
          const tree = this.parser.parse(readFileSync(file, 'utf8'));
          hit = { mtimeMs, structs: buildModel(tree).structs };
          tree.delete();
          this.cache.set(file, hit);
        }
        for (const [k, v] of hit.structs) out.set(k, v);
      } catch (e) {
        this.log(`cannot read ${file}: ${(e as Error).message}`);
      }
    }
    return out;
  }
}
