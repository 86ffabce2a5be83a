// `ebpf-ls convert-bcc IN.c|IN.py`: a BCC program as a libbpf CO-RE program, converted by
// host/convert-bcc.ts (the path the editor's Convert to libbpf takes too); this edge reads the arguments,
// writes the files and prints the report: what was chosen and every marked spot left to decide.
import { readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { loaderSkeleton } from '../bcc/loader-skeleton';
import { CParser } from '../csource/parser';
import { conversionReport, convertBccFile, convertedFileText, convertedPath, kernelBtf } from '../host/convert-bcc';
import { checkOverwrite, MARKER, WouldOverwrite } from '../host/generate';
import { readParserWasm } from '../host/source-files';
import { ConvertResult } from '../bcc/convert';
import { Command, parseCommandArgs } from './command';
import { InputError, UsageError } from './usage';

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
    const btf = await kernelBtf(values.btf);
    if (!btf.ok) throw new InputError(btf.error);
    const result = convertBccFile(input, readText(input), values.python ? readText(values.python) : undefined, btf.value, parser);
    if (!result.ok) throw new InputError(result.error);
    const out = values.out ?? convertedPath(input);
    write(out, convertedFileText(input, result.value), values.force);
    if (values['loader-skeleton']) {
      const name = basename(out).replace(/\.bpf\.c$/, '').replace(/\.c$/, '').replace(/[^A-Za-z0-9_]/g, '_');
      const loader = join(dirname(out), `${name}.c`);
      write(loader, `/* ${MARKER} by convert-bcc from ${basename(input)}. */\n${loaderSkeleton(name, result.value)}`, values.force);
      process.stderr.write(`ebpf-ls: loader: ${loader} (build ${name}.bpf.o, then bpftool gen skeleton ${name}.bpf.o > ${name}.skel.h; cc ${name}.c -lbpf -lelf -lz)\n`);
    }
    report(out, result.value, values.format === 'json');
    return 0;
  },
};

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

function report(out: string, r: ConvertResult, json: boolean): void {
  const rep = conversionReport(out, r);
  if (json) {
    process.stdout.write(JSON.stringify(rep, null, 2) + '\n');
    return;
  }
  process.stdout.write(`${out}\n`);
  process.stdout.write(`  ${r.programs.length} program(s): ${r.programs.map((p) => `${p.name} (${p.section})`).join(', ')}\n`);
  process.stdout.write(`  ${r.program.tables.length} map(s): ${r.program.tables.map((t) => `${t.name} (${t.mapType ?? t.bccType})`).join(', ')}\n`);
  for (const g of r.config) process.stdout.write(`  config: const volatile ${g.type} ${g.name}: ${g.meaning}\n`);
  for (const n of r.notes) process.stdout.write(`  note: ${n}\n`);
  for (const m of rep.marks) process.stdout.write(`${out}:${m.line}: TODO(bcc): ${m.message}\n`);
}
