// The project headers a .bpf.c includes, parsed once per file version and build: their structs (`#include
// "app.h"`, where event structs live), their #defines and their license, for the preprocessor's view of the
// file (this machine's architecture and the file's -D/-U flags as the build's). vmlinux.h is never parsed:
// kernel types come from BTF.
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { buildModel, CStruct } from '../csource/model';
import { CParser } from '../csource/parser';
import { macroFlags } from '../csource/build-flags';
import { CDefine, HeaderFacts, PreprocessorFacts, VMLINUX_INCLUDE, targetFacts } from '../csource/preprocessor';
import { DEFAULT_INCLUDE_DIRS, resolveInclude } from './source-files';

interface ParsedHeader {
  file: string;
  mtimeMs: number;
  structs: Map<string, CStruct>;
  facts: HeaderFacts;
  /** The headers it includes, whose changes make it stale too. */
  includes: ParsedHeader[];
}

/** A command line's -D/-U flags as the preprocessor's facts, with a key naming them. */
interface Build {
  key: string;
  facts: PreprocessorFacts;
}

export class ProjectHeaders {
  /** Parsed headers by path and build (a header reads differently under other -D flags). */
  private readonly cache = new Map<string, ParsedHeader>();
  /** Headers being parsed: an include cycle stops here. */
  private readonly parsing = new Set<string>();
  /** The build's facts per distinct command line. */
  private readonly builds = new Map<string, Build>();

  constructor(
    private readonly parser: CParser,
    private readonly includeDirs: () => string[],
    private readonly log: (msg: string) => void,
    /** The architecture builds target (Node's `process.arch` names): this machine's unless told. */
    private readonly arch: string = process.arch,
    /** The compiler arguments building a file (only its -D and -U matter here). */
    private readonly buildArgs: (path: string) => readonly string[] = () => [],
  ) {}

  structsFor(path: string | undefined, includes: string[]): Map<string, CStruct> {
    const out = new Map<string, CStruct>();
    if (!path) return out;
    const build = this.build(path);
    for (const inc of includes) {
      const header = this.header(resolveInclude(path, inc, this.includeDirs()), build);
      if (header) for (const [k, v] of header.structs) out.set(k, v);
    }
    return out;
  }

  /**
   * What the preprocessor knows reading `path`: this machine's target with the file's -D/-U flags, and
   * each project header the file includes (quoted, or `<...>` found in an include directory that is not
   * the system's), with its own.
   */
  preprocessorFor(path: string | undefined): PreprocessorFacts {
    return path ? this.factsIn(path, this.build(path)) : this.build(undefined).facts;
  }

  /** The facts reading `path` (the file or a header it includes) in `build`; `seen` collects the headers. */
  private factsIn(path: string, build: Build, seen?: ParsedHeader[]): PreprocessorFacts {
    return {
      ...build.facts,
      include: (inc, system) => {
        const header = this.header(system ? this.resolveSystem(inc) : resolveInclude(path, inc, this.includeDirs()), build);
        if (header) seen?.push(header);
        return header?.facts;
      },
    };
  }

  private build(path: string | undefined): Build {
    const flags = macroFlags(path ? this.buildArgs(path) : []);
    const key = flags.map((f) => (f.value === undefined ? `-U${f.name}` : `-D${f.name}=${f.value}`)).join('\0');
    let build = this.builds.get(key);
    if (!build) this.builds.set(key, (build = { key, facts: targetFacts(this.arch, flags) }));
    return build;
  }

  /** `<x.h>` in the project's include directories (the system's own, /usr/include, are libraries, not the project). */
  private resolveSystem(inc: string): string | undefined {
    for (const dir of this.includeDirs()) {
      if (DEFAULT_INCLUDE_DIRS.includes(dir.replace(/\/+$/, ''))) continue;
      // resolveInclude looks beside the including file first: a file in `dir` makes that `dir` itself.
      const file = resolveInclude(join(dir, '_'), inc, []);
      if (file) return file;
    }
    return undefined;
  }

  private header(file: string | undefined, build: Build): ParsedHeader | undefined {
    if (!file || this.parsing.has(file)) return undefined;
    try {
      const key = `${file}\n${build.key}`;
      const hit = this.cache.get(key);
      if (hit && fresh(hit, new Set())) return hit;
      this.parsing.add(file);
      const parsed = this.parse(file, build);
      this.cache.set(key, parsed);
      return parsed;
    } catch (e) {
      this.log(`cannot read ${file}: ${(e as Error).message}`);
      return undefined;
    } finally {
      this.parsing.delete(file);
    }
  }

  private parse(file: string, build: Build): ParsedHeader {
    const mtimeMs = statSync(file).mtimeMs;
    const text = readFileSync(file, 'utf8');
    const tree = this.parser.parse(text);
    const includes: ParsedHeader[] = [];
    try {
      const model = buildModel(tree, text, this.factsIn(file, build, includes));
      const defines = new Map<string, CDefine>();
      for (const [name, d] of model.allDefines) defines.set(name, d.header ? d : { ...d, header: file });
      const license = model.license ? { ...model.license, header: file } : model.includedLicense;
      const vmlinux = VMLINUX_INCLUDE.test(file) || model.usesVmlinux;
      return { file, mtimeMs, structs: model.structs, facts: { path: file, defines, license, vmlinux }, includes };
    } finally {
      tree.delete();
    }
  }
}

/** Whether a parsed header and everything it includes are unchanged on disk. */
function fresh(h: ParsedHeader, checked: Set<string>): boolean {
  if (checked.has(h.file)) return true;
  checked.add(h.file);
  try {
    if (statSync(h.file).mtimeMs !== h.mtimeMs) return false;
  } catch {
    return false;
  }
  return h.includes.every((i) => fresh(i, checked));
}
