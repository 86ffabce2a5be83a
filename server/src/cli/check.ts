// `ebpf-ls check FILE...`: the editor's diagnostics in a terminal or CI, against every --btf kernel.
import { readFileSync } from 'node:fs';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { Diagnostic, DiagnosticSeverity } from 'vscode-languageserver-types';
import { CParser } from '../csource/parser';
import { Loader, LOADERS } from '../sections/loaders';
import { DIAGNOSTIC_CODES, SEVERITY_NAMES, SeverityName, SeverityOverrides } from '../features/diagnostics/codes';
import { parseSource, setUpLanguageService } from '../host/language-setup';
import { ProjectHeaders } from '../host/project-headers';
import { readParserWasm } from '../host/source-files';
import { Command, parseCommandArgs } from './command';
import { EXIT_FINDINGS, InputError, UsageError } from './usage';

const SEVERITY: Record<number, 'error' | 'warning' | 'info' | 'hint'> = {
  [DiagnosticSeverity.Error]: 'error', [DiagnosticSeverity.Warning]: 'warning', [DiagnosticSeverity.Information]: 'info', [DiagnosticSeverity.Hint]: 'hint',
};

interface CheckResult {
  file: string; line: number; column: number; endLine: number; endColumn: number;
  severity: 'error' | 'warning' | 'info' | 'hint'; code: string; message: string;
}

export const checkCommand: Command = {
  usage: 'check FILE... [--btf FILE]... [--include DIR]... [--loader libbpf|cilium/ebpf|libxdp|aya] [--severity CODE=LEVEL]... [--format text|json]',
  summary: 'SEC() names, program targets and CO-RE field paths of .bpf.c files, checked against every --btf kernel (exit 1 on errors)',
  async run(argv) {
    const { values, positionals } = parseCommandArgs(argv, {
      btf: { type: 'string', multiple: true },
      include: { type: 'string', multiple: true },
      severity: { type: 'string', multiple: true },
      loader: { type: 'string' },
      format: { type: 'string' },
    });
    if (positionals.length === 0) throw new UsageError('name at least one .bpf.c file');
    const format = values.format ?? 'text';
    if (format !== 'text' && format !== 'json') throw new UsageError(`unknown format '${format}' (text or json)`);
    const includeDirs = values.include ?? [];
    const [described, ...targets] = values.btf ?? [];
    const loader = values.loader as Loader | undefined;
    if (loader && !LOADERS.some((l) => l.name === loader)) throw new UsageError(`unknown loader '${loader}' (${LOADERS.map((l) => l.name).join(', ')})`);
    const setUp = await setUpLanguageService({ kernels: { described, targets }, includeDirs, severity: severityOverrides(values.severity ?? []), loader }, 'strict');
    if (!setUp.ok) throw new InputError(setUp.error);
    const { service } = setUp.value;
    if (service.context.kernels.described.bundled) process.stderr.write(`ebpf-ls: note: no /sys/kernel/btf/vmlinux; describing the ${service.context.kernels.described.label}\n`);
    const parser = await CParser.create(readParserWasm());
    const headers = new ProjectHeaders(parser, () => includeDirs, (m) => process.stderr.write(`ebpf-ls: ${m}\n`));
    const results: CheckResult[] = [];
    for (const file of positionals) {
      const parsed = parseSource(parser, headers, TextDocument.create(`file://${file}`, 'c', 1, readSource(file)), file);
      results.push(...service.diagnostics(parsed).sort(byPosition).map((d) => checkResult(file, d)));
      parsed.tree.delete();
    }
    if (format === 'json') process.stdout.write(JSON.stringify(results, null, 2) + '\n');
    else for (const r of results) process.stdout.write(`${r.file}:${r.line}:${r.column}: ${r.severity}: ${r.message} [${r.code}]\n`);
    return results.some((r) => r.severity === 'error') ? EXIT_FINDINGS : 0;
  },
};

/** `--severity missing-target=info`: one code's severity, as the editor's ebpf.diagnostics.severity sets it. */
function severityOverrides(options: string[]): SeverityOverrides {
  const out: Record<string, SeverityName> = {};
  for (const option of options) {
    const [code, level] = option.split('=');
    if (!(code in DIAGNOSTIC_CODES)) throw new UsageError(`unknown diagnostic code '${code}' in --severity ${option}`);
    if (!(level in SEVERITY_NAMES)) throw new UsageError(`--severity ${option}: the level is one of ${Object.keys(SEVERITY_NAMES).join(', ')}`);
    out[code] = level as SeverityName;
  }
  return out;
}

function readSource(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new InputError(`${file}: cannot read: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
}

const byPosition = (a: Diagnostic, b: Diagnostic) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character;

function checkResult(file: string, d: Diagnostic): CheckResult {
  return {
    file, line: d.range.start.line + 1, column: d.range.start.character + 1, endLine: d.range.end.line + 1, endColumn: d.range.end.character + 1,
    severity: SEVERITY[d.severity ?? DiagnosticSeverity.Error], code: String(d.code ?? ''), message: d.message,
  };
}
