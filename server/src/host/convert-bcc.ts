// A BCC program converted with this machine's facts (bcc/convert.ts does the converting): the kernel's BTF
// (types, tracepoint context structs), tracefs event formats and the running kernel's version. One path
// for `ebpf-ls convert-bcc` and the editor's Convert to libbpf (through the language server): what to
// convert in a .py, the output's name and marker, a free name beside it, and the report of what was
// chosen and what is left to decide.
import { existsSync, readFileSync } from 'node:fs';
import { release } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { Btf } from '../btf/btf';
import { convertBcc, ConvertResult } from '../bcc/convert';
import { AttachTarget } from '../bcc/model';
import { extractBccFromPython, PlaceholderAlternative } from '../bcc/python';
import { CParser } from '../csource/parser';
import { fail, ok, Result } from '../result';
import { MARKER } from './generate';
import { loadBtfFile, loadBundledKernel, RUNNING_KERNEL_BTF } from './load-btf';

const TRACEFS_EVENTS = ['/sys/kernel/tracing/events', '/sys/kernel/debug/tracing/events'];

/**
 * A BCC program converted: `source` is C, or a Python tool (its first BPF(text=...)); `python` is the
 * tool a printed C came from (its attach calls and placeholders).
 */
export function convertBccFile(input: string, source: string, python: string | undefined, btf: Btf | undefined, parser: CParser): Result<ConvertResult> {
  const fromPy = input.endsWith('.py') || /^#!.*python/.test(source);
  const py = fromPy ? extractBccFromPython(source) : python !== undefined ? extractBccFromPython(python) : undefined;
  let c = source;
  let placeholders: Map<string, PlaceholderAlternative[]> | undefined;
  const more: string[] = [];
  if (fromPy) {
    const prog = py!.programs[0];
    if (!prog) return fail(`${input}: no BPF(text=...) with C built from string literals found`);
    if (py!.programs.length > 1) more.push(`${py!.programs.length} BPF() programs in ${basename(input)}: the first was converted`);
    c = prog.text;
    placeholders = prog.placeholders;
  } else if (py) {
    // The C a tool prints (`--ebpf`) may still hold what its Python substitutes later.
    placeholders = new Map(py.programs.flatMap((p) => [...p.placeholders]));
  }
  const trees: { delete(): void }[] = [];
  try {
    const r = convertBcc((t) => {
      const tree = parser.parse(t);
      trees.push(tree);
      return tree;
    }, c, { btf, tracepointFormat, kernelVersion: kernelVersionCode() }, { source: basename(input), attaches: py?.attaches as Map<string, AttachTarget[]> | undefined, placeholders, pythonDefines: py?.defines });
    return ok({ ...r, notes: [...more, ...r.notes] });
  } finally {
    for (const t of trees) t.delete();
  }
}

/** Where a conversion goes by default: `tool.py`, `tool.c`, `tool-bpfcc` -> `tool.bpf.c` beside it. */
export function convertedPath(input: string): string {
  return join(dirname(input), `${basename(input).replace(/\.(py|c)$/, '').replace(/\.bpf$/, '').replace(/-bpfcc$/, '')}.bpf.c`);
}

/** The Python tool beside a BCC C file (`tool.c` -> `tool.py`), whose attach calls and placeholders the conversion reads. */
export function pythonBeside(cFile: string): string | undefined {
  const py = cFile.replace(/\.c$/, '.py');
  return py !== cFile && existsSync(py) ? py : undefined;
}

/** `NAME.bpf.c` if free, else `NAME-2.bpf.c`, `NAME-3.bpf.c`...: a name that overwrites nothing. */
export function freePath(path: string): string {
  const stem = path.replace(/\.bpf\.c$/, '');
  let candidate = path;
  for (let n = 2; existsSync(candidate); n++) candidate = `${stem}-${n}.bpf.c`;
  return candidate;
}

/** The converted file's text: the generated-file marker, then the program. */
export function convertedFileText(input: string, r: ConvertResult): string {
  return `/* ${MARKER} by convert-bcc from ${basename(input)}: review it, then make it yours. */\n${r.text}`;
}

export interface ConversionReport {
  out: string;
  programs: ConvertResult['programs'];
  maps: { name: string; type: string | undefined; key: string | undefined; value: string | undefined }[];
  config: ConvertResult['config'];
  notes: string[];
  /** Marked comments, with their 1-based line in the written file (which starts with the marker line). */
  marks: { line: number; message: string }[];
}

export function conversionReport(out: string, r: ConvertResult): ConversionReport {
  return {
    out, programs: r.programs, maps: r.program.tables.map((t) => ({ name: t.name, type: t.mapType, key: t.key, value: t.value })), config: r.config, notes: r.notes,
    marks: r.marks.map((m) => ({ ...m, line: m.line + 1 })),
  };
}

/** The BTF a conversion reads: the file named, else the running kernel's, else the bundled kernel's (undefined without any). */
export async function kernelBtf(path: string | undefined): Promise<Result<Btf | undefined>> {
  const file = path ?? (existsSync(RUNNING_KERNEL_BTF) ? RUNNING_KERNEL_BTF : undefined);
  if (file) return loadBtfFile(file);
  const bundled = loadBundledKernel();
  return ok(bundled.ok ? bundled.value.btf : undefined);
}

/** KERNEL_VERSION(a, b, c) of the running kernel, as BCC's compile-time version tests saw it. */
function kernelVersionCode(): number | undefined {
  const m = /^(\d+)\.(\d+)(?:\.(\d+))?/.exec(release());
  return m ? (Number(m[1]) << 16) + (Number(m[2]) << 8) + Math.min(Number(m[3] ?? 0), 255) : undefined;
}

function tracepointFormat(category: string, name: string): string | undefined {
  if (!/^\w+$/.test(category) || !/^\w+$/.test(name)) return undefined;
  for (const dir of TRACEFS_EVENTS) {
    try {
      return readFileSync(join(dir, category, name, 'format'), 'utf8');
    } catch {
      // not mounted here, or no such event
    }
  }
  return undefined;
}
