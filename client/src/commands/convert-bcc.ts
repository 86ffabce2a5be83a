// eBPF: Convert to libbpf: the active BCC tool (.py, or .c) converted by the language server (the same
// host/convert-bcc.ts path as `ebpf-ls convert-bcc`, against the described kernel), written as NAME.bpf.c
// beside it (never over an existing file without asking), opened, and its TODO(bcc) marks listed in the
// output channel. Offered from the palette, the editor's context menu and as a code action on any bcc-*
// diagnostic. It writes a file, so it runs in trusted workspaces only.
import { readFileSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import * as vscode from 'vscode';
import { convertedPath, freePath, pythonBeside } from '../../../server/src/host/convert-bcc';
import { WouldOverwrite } from '../../../server/src/host/generate';
import { CONVERT_BCC_REQUEST, ConvertBccParams, ConvertBccResult } from '../../../server/src/lsp/protocol';
import { command, CommandContext } from './command-runner';
import { notify, openFileAction, showLogAction } from './notify';

/** The context key the editor menu reads: the active editor's file has BCC diagnostics. */
const BCC_FILE_KEY = 'ebpf.bccFile';

export function registerConvertBccCommand(ctx: CommandContext): void {
  const refresh = () => {
    const uri = vscode.window.activeTextEditor?.document.uri;
    void vscode.commands.executeCommand('setContext', BCC_FILE_KEY, !!uri && vscode.languages.getDiagnostics(uri).some(isBccDiagnostic));
  };
  ctx.extension.subscriptions.push(
    // Trust is checked here, not by command(): what it needs trust for is writing a file, not running tools.
    command('ebpf.convertBcc', 'Convert to libbpf', false, (_token, uri) => convert(ctx, uri)),
    vscode.languages.registerCodeActionsProvider([{ language: 'python' }, { language: 'c' }], new ConvertBccAction(), { providedCodeActionKinds: [vscode.CodeActionKind.QuickFix] }),
    vscode.languages.onDidChangeDiagnostics(refresh),
    vscode.window.onDidChangeActiveTextEditor(refresh),
  );
  refresh();
}

function isBccDiagnostic(d: vscode.Diagnostic): boolean {
  const code = typeof d.code === 'object' ? d.code.value : d.code;
  return String(code ?? '').startsWith('bcc-');
}

async function convert(ctx: CommandContext, uri: vscode.Uri | undefined): Promise<void> {
  if (!vscode.workspace.isTrusted) {
    notify('warning', 'eBPF: Convert to libbpf writes a .bpf.c file, so it does not run in an untrusted workspace. Trust the folder to use it.');
    return;
  }
  const doc = uri instanceof vscode.Uri ? await vscode.workspace.openTextDocument(uri) : vscode.window.activeTextEditor?.document;
  if (!doc || doc.uri.scheme !== 'file' || !/\.(py|c)$/.test(doc.fileName) || doc.fileName.endsWith('.bpf.c')) {
    notify('warning', 'eBPF: Convert to libbpf works on a BCC tool: open its .py (or the C it compiles) first');
    return;
  }
  const out = await outputPath(doc.fileName);
  await ctx.client.start();
  const tool = doc.fileName.endsWith('.c') ? pythonBeside(doc.fileName) : undefined;
  const python = tool && (vscode.workspace.textDocuments.find((d) => d.fileName === tool)?.getText() ?? readFileSync(tool, 'utf8'));
  const res = await ctx.client.sendRequest<ConvertBccResult>(CONVERT_BCC_REQUEST, { path: doc.fileName, text: doc.getText(), out, python } satisfies ConvertBccParams);
  if (res.error || res.text === undefined || !res.report) {
    notify('error', `eBPF: ${res.error ?? 'the language server did not convert the file'}`);
    return;
  }
  writeFileSync(out, res.text);
  const r = res.report;
  ctx.output.appendLine(`Converted ${doc.fileName}${tool ? ` (with ${basename(tool)}'s attach calls)` : ''} to ${out}`);
  ctx.output.appendLine(`  ${r.programs.length} program(s): ${r.programs.map((p) => `${p.name} (${p.section})`).join(', ')}`);
  ctx.output.appendLine(`  ${r.maps.length} map(s): ${r.maps.map((m) => `${m.name} (${m.type ?? '?'})`).join(', ')}`);
  for (const g of r.config) ctx.output.appendLine(`  config: const volatile ${g.type} ${g.name}: ${g.meaning}`);
  for (const n of r.notes) ctx.output.appendLine(`  note: ${n}`);
  for (const m of r.marks) ctx.output.appendLine(`${out}:${m.line}: TODO(bcc): ${m.message}`);
  await vscode.window.showTextDocument(vscode.Uri.file(out));
  const marks = r.marks.length === 0 ? 'nothing marked TODO(bcc)' : `${r.marks.length} spot(s) marked TODO(bcc) to decide (listed in the output)`;
  notify(r.marks.length ? 'warning' : 'info', `eBPF: converted ${basename(doc.fileName)} to ${basename(out)}: ${r.programs.length} program(s), ${r.maps.length} map(s); ${marks}`,
    r.marks.length ? showLogAction(ctx.output, 'Show TODO(bcc)') : undefined, openFileAction(out));
}

/** NAME.bpf.c beside the tool; when it exists, the user overwrites it or takes a free name (throws WouldOverwrite when neither). */
async function outputPath(input: string): Promise<string> {
  const wanted = convertedPath(input);
  const free = freePath(wanted);
  if (free === wanted) return wanted;
  const other = `Write ${basename(free)}`;
  const choice = await vscode.window.showWarningMessage(`${basename(wanted)} exists beside ${basename(input)}.`, { modal: true }, other, 'Overwrite');
  if (choice === 'Overwrite') return wanted;
  if (choice === other) return free;
  throw new WouldOverwrite(`${wanted} left as it is; nothing converted`);
}

/** "Convert to libbpf" beside the fixes of any bcc-* diagnostic. */
class ConvertBccAction implements vscode.CodeActionProvider {
  provideCodeActions(doc: vscode.TextDocument, _range: vscode.Range, context: vscode.CodeActionContext): vscode.CodeAction[] {
    const diags = context.diagnostics.filter(isBccDiagnostic);
    if (!diags.length || doc.uri.scheme !== 'file') return [];
    const action = new vscode.CodeAction('Convert this BCC program to libbpf (writes a .bpf.c beside it)', vscode.CodeActionKind.QuickFix);
    action.command = { title: 'Convert to libbpf', command: 'ebpf.convertBcc', arguments: [doc.uri] };
    action.diagnostics = diags;
    return [action];
  }
}
