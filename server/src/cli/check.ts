// `ebpf-ls check FILE...`: the editor's diagnostics in a terminal or CI, against every --btf kernel.
import { readFileSync } from 'node:fs';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { DiagnosticSeverity } from 'vscode-languageserver-types';
import { buildModel } from '../csource/model';
import { CParser } from '../csource/parser';
import { computeDiagnostics } from '../features/diagnostics';
import { readLibbpfVersion } from '../host/libbpf-version';
import { ProjectHeaders } from '../host/project-headers';
import { readParserWasm } from '../host/source-files';
import { runningKernelEvents } from '../host/tracefs-events';
import { loadTargets } from './kernels';
import { Command, parseCommandArgs } from './command';
import { EXIT_FINDINGS, InputError, UsageError } from './usage';

const SEVERITY: Record<number, 'error' | 'warning' | 'info' | 'hint'> = {
  [DiagnosticSeverity.Error]: 'error', [DiagnosticSeverity.Warning]: 'warning', [DiagnosticSeverity.Information]: 'info', [DiagnosticSeverity.Hint]: 'hint',
};

export const checkCommand: Command = {
  usage: 'check FILE... [--btf FILE]... [--include DIR]... [--format text|json]',
  summary: 'SEC() names, program targets and CO-RE field paths of .bpf.c files, checked against every --btf kernel (exit 1 on errors)',
  async run(argv) {
    const { values, positionals } = parseCommandArgs(argv, {
      btf: { type: 'string', multiple: true },
      include: { type: 'string', multiple: true },
      format: { type: 'string' },
    });
    if (positionals.length === 0) throw new UsageError('name at least one .bpf.c file');
    const format = values.format ?? 'text';
    if (format !== 'text' && format !== 'json') throw new UsageError(`unknown format '${format}' (text or json)`);
    const includeDirs = values.include ?? [];
    const kernels = await loadTargets(values.btf);
    const parser = await CParser.create(readParserWasm());
    const headers = new ProjectHeaders(parser, () => includeDirs, (m) => process.stderr.write(`ebpf-ls: ${m}\n`));
    const libbpfVersion = readLibbpfVersion(includeDirs);
    const tracefs = runningKernelEvents(kernels);
    const results = [];
    let errors = 0;
    for (const file of positionals) {
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch (e) {
        throw new InputError(`${file}: cannot read: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
      }
      const tree = parser.parse(text);
      const model = buildModel(tree);
      const doc = TextDocument.create(`file://${file}`, 'c', 1, text);
      const diags = computeDiagnostics({ doc, tree, model, headerStructs: headers.structsFor(file, model.includes) }, kernels, { libbpfVersion, tracefs });
      tree.delete();
      for (const d of [...diags].sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character)) {
        const severity = SEVERITY[d.severity ?? DiagnosticSeverity.Error];
        if (severity === 'error') errors++;
        results.push({
          file, line: d.range.start.line + 1, column: d.range.start.character + 1, endLine: d.range.end.line + 1, endColumn: d.range.end.character + 1,
          severity, code: String(d.code ?? ''), message: d.message,
        });
      }
    }
    if (format === 'json') process.stdout.write(JSON.stringify(results, null, 2) + '\n');
    else for (const r of results) process.stdout.write(`${r.file}:${r.line}:${r.column}: ${r.severity}: ${r.message} [${r.code}]\n`);
    return errors > 0 ? EXIT_FINDINGS : 0;
  },
};
