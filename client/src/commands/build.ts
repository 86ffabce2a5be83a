// Build, Build all, the CO-RE portability check after a build (and on demand), and compile_commands.json:
// the same host code as `ebpf-ls build` (argument arrays, no shell).
import { writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import * as vscode from 'vscode';
import { buildObject, clangArgs, objectIsStale, objectPath } from '../../../server/src/host/build';
import { findTool } from '../../../server/src/host/tools';
import { OBJECT_RELOCATIONS_REQUEST, ObjectRelocationsParams, ObjectRelocationsResult } from '../../../server/src/lsp/protocol';
import { readConfig } from '../config';
import { showPortability } from '../portability-view';
import { command, CommandContext, confirmOverwrite, signalOf, sourceFile } from './command-runner';

export function registerBuildCommands(ctx: CommandContext): void {
  ctx.extension.subscriptions.push(
    command('ebpf.build', 'Build', true, async (token, uri) => {
      const file = sourceFile(uri);
      if (file) await build(ctx, file, token);
    }),
    command('ebpf.showPortability', 'CO-RE portability', true, async (token, uri) => {
      const file = sourceFile(uri);
      if (!file) return;
      const obj = await builtObject(ctx, file, token);
      if (obj) await checkRelocations(ctx, obj, new Map(), true);
    }),
    command('ebpf.buildWorkspace', 'Build all .bpf.c files', true, async (token) => {
      const files = await vscode.workspace.findFiles('**/*.bpf.c', '**/node_modules/**');
      for (const f of files) if (!token.isCancellationRequested) await build(ctx, f.fsPath, token);
    }),
    command('ebpf.generateCompileCommands', 'Generate compile_commands.json', true, generateCompileCommands),
  );
}

/** Saves and builds the file: clang's messages in Problems, then the CO-RE check; the object, or undefined when it does not compile. */
export async function build(ctx: CommandContext, file: string, token: vscode.CancellationToken): Promise<string | undefined> {
  const cfg = readConfig();
  await vscode.workspace.textDocuments.find((d) => d.uri.fsPath === file)?.save();
  const root = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(file))?.uri.fsPath;
  const r = await buildObject(file, { clang: cfg.clangPath, outDir: cfg.outputDir && root ? join(root, cfg.outputDir) : undefined, extraFlags: cfg.buildFlags, includeDirs: cfg.includePaths, root, log: ctx.log, signal: signalOf(token) });
  ctx.output.append(r.stderr);
  const byFile = new Map<string, vscode.Diagnostic[]>();
  for (const d of r.diagnostics) {
    if (d.severity === 'note') continue;
    const pos = new vscode.Position(d.line - 1, d.column - 1);
    const diag = new vscode.Diagnostic(new vscode.Range(pos, pos.translate(0, 1)), d.message, d.severity === 'error' ? vscode.DiagnosticSeverity.Error : vscode.DiagnosticSeverity.Warning);
    diag.source = 'clang';
    if (d.flag) diag.code = d.flag;
    const abs = d.file.startsWith('/') ? d.file : join(dirname(file), d.file);
    byFile.set(abs, [...(byFile.get(abs) ?? []), diag]);
  }
  ctx.problems.clear();
  for (const [f, ds] of byFile) ctx.problems.set(vscode.Uri.file(f), ds);
  if (!r.ok) {
    vscode.window.showErrorMessage(`eBPF: build failed: ${r.diagnostics.filter((d) => d.severity === 'error').length} error(s), see Problems`);
    return undefined;
  }
  const failing = await checkRelocations(ctx, r.object, byFile);
  vscode.window.setStatusBarMessage(`eBPF: built ${relative(dirname(file), r.object)}${failing ? `; ${failing} CO-RE relocation(s) fail on some kernel, see Problems` : ''}`, 8000);
  return r.object;
}

/** The file's object, built first when missing or older than its sources. */
export async function builtObject(ctx: CommandContext, file: string, token: vscode.CancellationToken): Promise<string | undefined> {
  const cfg = readConfig();
  const root = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(file))?.uri.fsPath;
  const obj = objectPath(file, cfg.outputDir && root ? join(root, cfg.outputDir) : undefined);
  return objectIsStale(file, obj) ? build(ctx, file, token) : obj;
}

/** The object's CO-RE relocations against the configured kernels: problems at their lines, and an open portability view refreshed. */
async function checkRelocations(ctx: CommandContext, object: string, byFile: Map<string, vscode.Diagnostic[]>, open = false): Promise<number> {
  const { client, output, problems } = ctx;
  let res: ObjectRelocationsResult;
  try {
    res = await client.sendRequest<ObjectRelocationsResult>(OBJECT_RELOCATIONS_REQUEST, { object } satisfies ObjectRelocationsParams);
  } catch (e) {
    output.appendLine(`CO-RE check of ${object} skipped: ${(e as Error).message}`);
    return 0;
  }
  if (res.error || !res.matrix) {
    output.appendLine(`CO-RE check of ${object}: ${res.error}`);
    if (open) vscode.window.showErrorMessage(`eBPF: ${res.error}`);
    return 0;
  }
  let count = 0;
  for (const { uri, diagnostics } of res.diagnostics ?? []) {
    const target = vscode.Uri.parse(uri);
    // After a build, its clang problems; otherwise the problems already shown, less the previous CO-RE check's.
    const base = byFile.get(target.fsPath) ?? (problems.get(target) ?? []).filter((d) => !/^core-relo-/.test(String(d.code)));
    const all = [...base, ...(await client.protocol2CodeConverter.asDiagnostics(diagnostics))];
    byFile.set(target.fsPath, all);
    problems.set(target, all);
    count += diagnostics.length;
  }
  showPortability(ctx.extension, object, res.matrix, !open);
  return count;
}

/** compile_commands.json at the first workspace folder's root, one entry per .bpf.c with the flags Build uses. */
async function generateCompileCommands(): Promise<void> {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) return;
  const cfg = readConfig();
  const clang = findTool(['clang-19', 'clang'], cfg.clangPath, 'install clang-19');
  const files = await vscode.workspace.findFiles('**/*.bpf.c', '**/node_modules/**');
  const entries = files.map((f) => ({
    directory: dirname(f.fsPath),
    file: f.fsPath,
    arguments: [clang, ...clangArgs(f.fsPath, objectPath(f.fsPath), { extraFlags: cfg.buildFlags, includeDirs: cfg.includePaths, root: folder.uri.fsPath })],
  }));
  const out = join(folder.uri.fsPath, 'compile_commands.json');
  await confirmOverwrite(out);
  writeFileSync(out, JSON.stringify(entries, null, 2) + '\n');
  vscode.window.showInformationMessage(`eBPF: compile_commands.json lists ${entries.length} .bpf.c file(s) for clangd and the C/C++ extension`);
}
