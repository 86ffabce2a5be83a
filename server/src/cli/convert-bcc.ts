// `ebpf-ls convert-bcc IN.c|IN.py`: a BCC program as a libbpf CO-RE program (bcc/convert.ts), with the
// machine's facts the converter needs: the kernel's BTF (types, tracepoint context structs) and tracefs
// event formats. The report lists what was chosen and every marked spot left to decide.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { release } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { Btf } from '../btf/btf';
import { convertBcc, ConvertResult } from '../bcc/convert';
import { loaderSkeleton } from '../bcc/loader-skeleton';
import { AttachTarget } from '../bcc/model';
import { extractBccFromPython, PlaceholderAlternative } from '../bcc/python';
import { CParser } from '../csource/parser';
import { RUNNING_KERNEL_BTF, loadBtfFile, loadBundledKernel } from '../host/load-btf';
import { checkOverwrite, MARKER, WouldOverwrite } from '../host/generate';
import { readParserWasm } from '../host/source-files';
import { Command, parseCommandArgs } from './command';
import { InputError, UsageError } from './usage';

const TRACEFS_EVENTS = ['/sys/kernel/tracing/events', '/sys/kernel/debug/tracing/events'];

export const convertBccCommand: Command = {
  usage: 'convert-bcc IN.c|IN.py [--out OUT.bpf.c] [--python TOOL.py] [--btf FILE] [--loader-skeleton] [--force] [--format text|json]',
  summary: 'convert a BCC program (C, or the C a Python tool passes to BPF(text=...)) to a libbpf CO-RE .bpf.c; report what needs a decision',
  async run(argv) {
    const { values, positionals } = parseCommandArgs(argv, {
      out: { type: 'string' }, python: { type: 'string' }, btf: { type: 'string' }, 'loader-skeleton': { type: 'boolean' }, force: { type: 'boolean' },
      format: { type: 'string' },
    });
    if (positionals.length !== 1) throw new UsageError('name one BCC program (.c or .py)');
    const input = positionals[0];
    const parser = await CParser.create(readParserWasm());
    const result = convertBccFile(input, readText(input), values.python ? readText(values.python) : undefined, await kernelBtf(values.btf), parser);
    const out = values.out ?? join(dirname(input), `${basename(input).replace(/\.(py|c)$/, '').replace(/\.bpf$/, '').replace(/-bpfcc$/, '')}.bpf.c`);
    write(out, `/* ${MARKER} by convert-bcc from ${basename(input)}: review it, then make it yours. */\n${result.text}`, values.force);
    if (values['loader-skeleton']) {
      const name = basename(out).replace(/\.bpf\.c$/, '').replace(/\.c$/, '').replace(/[^A-Za-z0-9_]/g, '_');
      const loader = join(dirname(out), `${name}.c`);
      write(loader, `/* ${MARKER} by convert-bcc from ${basename(input)}. */\n${loaderSkeleton(name, result)}`, values.force);
      process.stderr.write(`ebpf-ls: loader: ${loader} (build ${name}.bpf.o, then bpftool gen skeleton ${name}.bpf.o > ${name}.skel.h; cc ${name}.c -lbpf -lelf -lz)\n`);
    }
    report(out, result, values.format === 'json');
    return 0;
  },
};

/**
 * A BCC program converted with this machine's facts: `source` is C, or a Python tool (its first BPF(text=...));
 * `python` is the tool a printed C came from (its attach calls and placeholders).
 */
export function convertBccFile(input: string, source: string, python: string | undefined, btf: Btf | undefined, parser: CParser): ConvertResult {
  const fromPy = input.endsWith('.py') || /^#!.*python/.test(source);
  const py = fromPy ? extractBccFromPython(source) : python !== undefined ? extractBccFromPython(python) : undefined;
  let c = source;
  let placeholders: Map<string, PlaceholderAlternative[]> | undefined;
  if (fromPy) {
    const prog = py!.programs[0];
    if (!prog) throw new InputError(`${input}: no BPF(text=...) with C built from string literals found`);
    if (py!.programs.length > 1) process.stderr.write(`ebpf-ls: ${input}: ${py!.programs.length} BPF() programs; converting the first\n`);
    c = prog.text;
    placeholders = prog.placeholders;
  } else if (py) {
    // The C a tool prints (`--ebpf`) may still hold what its Python substitutes later.
    placeholders = new Map(py.programs.flatMap((p) => [...p.placeholders]));
  }
  const trees: { delete(): void }[] = [];
  try {
    return convertBcc((t) => {
      const tree = parser.parse(t);
      trees.push(tree);
      return tree;
    }, c, { btf, tracepointFormat, kernelVersion: kernelVersionCode() }, { source: basename(input), attaches: py?.attaches as Map<string, AttachTarget[]> | undefined, placeholders, pythonDefines: py?.defines });
  } finally {
    for (const t of trees) t.delete();
  }
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new InputError(`${file}: cannot read: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
}

function write(path: string, text: string, force?: boolean): void {
  try {
    checkOverwrite(path, force);
  } catch (e) {
    if (e instanceof WouldOverwrite) throw new InputError(e.message);
    throw e;
  }
  writeFileSync(path, text);
}

export async function kernelBtf(path: string | undefined): Promise<Btf | undefined> {
  const file = path ?? (existsSync(RUNNING_KERNEL_BTF) ? RUNNING_KERNEL_BTF : undefined);
  if (file) {
    const r = await loadBtfFile(file);
    if (!r.ok) throw new InputError(r.error);
    return r.value;
  }
  const bundled = loadBundledKernel();
  return bundled.ok ? bundled.value.btf : undefined;
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

function report(out: string, r: ConvertResult, json: boolean): void {
  if (json) {
    process.stdout.write(JSON.stringify({ out, programs: r.programs, maps: r.program.tables.map((t) => ({ name: t.name, type: t.mapType, key: t.key, value: t.value })), config: r.config, notes: r.notes, marks: r.marks.map((m) => ({ ...m, line: m.line + 1 })) }, null, 2) + '\n');
    return;
  }
  process.stdout.write(`${out}\n`);
  process.stdout.write(`  ${r.programs.length} program(s): ${r.programs.map((p) => `${p.name} (${p.section})`).join(', ')}\n`);
  process.stdout.write(`  ${r.program.tables.length} map(s): ${r.program.tables.map((t) => `${t.name} (${t.mapType ?? t.bccType})`).join(', ')}\n`);
  for (const g of r.config) process.stdout.write(`  config: const volatile ${g.type} ${g.name}: ${g.meaning}\n`);
  for (const n of r.notes) process.stdout.write(`  note: ${n}\n`);
  for (const m of r.marks) process.stdout.write(`${out}:${m.line + 1}: TODO(bcc): ${m.message}\n`);
}
