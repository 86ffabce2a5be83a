// The language server: the only code that knows LSP. It keeps parsed documents, loads the configured
// kernels, and answers each request through the pure language service, logging and answering empty if
// a feature fails rather than letting one bad file take the server down.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  CancellationToken, CodeAction, CodeActionKind, Connection, createConnection, Diagnostic, DidChangeConfigurationNotification,
  ProposedFeatures, TextDocumentContentChangeEvent, TextDocumentSyncKind,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { buildModel } from '../csource/model';
import { CParser, Tree, treeEdit } from '../csource/parser';
import { computeDiagnostics, DiagnosticFix } from '../features/diagnostics';
import { parseHelperDefs } from '../features/helper-docs';
import { getLanguageService, Kernel, LanguageService, ParsedFile } from '../features/language-service';
import { bundledTarget, loadBtfFile, loadDefaultKernel, RUNNING_KERNEL_BTF, targetKernel } from '../host/load-btf';
import { runningKernelEvents, TracefsEvents } from '../host/tracefs-events';
import { readLibbpfVersion } from '../host/libbpf-version';
import { ProjectHeaders } from '../host/project-headers';
import { findHelperDefs, readParserWasm } from '../host/source-files';
import { loadBpfObject } from '../host/load-object';
import { objectRelocations, resolveObjectRelocations } from '../relocs/object';
import { portabilityMatrix } from '../relocs/portability';
import { relocationDiagnostics } from '../features/relocation-diagnostics';
import {
  BTF_VIEW_REQUEST, OBJECT_RELOCATIONS_REQUEST, ObjectRelocationsParams, ObjectRelocationsResult, STATUS_NOTIFICATION, StatusParams,
} from './protocol';

export interface Settings {
  kernel: { btf: string; targets: string[] };
  includePaths: string[];
  hover: { enable: boolean };
  completion: { enable: boolean };
  diagnostics: { enable: boolean };
}

const DEFAULTS: Settings = {
  kernel: { btf: '', targets: [] },
  includePaths: [],
  hover: { enable: true },
  completion: { enable: true },
  diagnostics: { enable: true },
};

interface DocState extends ParsedFile {
  path: string | undefined;
}

function mergeSettings(s: Partial<Settings>): Settings {
  return {
    kernel: { ...DEFAULTS.kernel, ...(s.kernel ?? {}) },
    includePaths: s.includePaths ?? DEFAULTS.includePaths,
    hover: { ...DEFAULTS.hover, ...(s.hover ?? {}) },
    completion: { ...DEFAULTS.completion, ...(s.completion ?? {}) },
    diagnostics: { ...DEFAULTS.diagnostics, ...(s.diagnostics ?? {}) },
  };
}

export function startStdioServer(): void {
  startServer(createConnection(ProposedFeatures.all, process.stdin, process.stdout));
}

export function startServer(connection: Connection): void {
  let settings: Settings = DEFAULTS;
  let canConfigure = false;
  const parserReady = CParser.create(readParserWasm());
  let service: Promise<LanguageService> = new Promise(() => undefined);
  let serviceValue: LanguageService | undefined;
  let kernelsValue: Kernel[] = [];
  let libbpfVersion: string | undefined;
  let tracefs: TracefsEvents | undefined;
  const docs = new Map<string, DocState>();
  const headers = parserReady.then((p) => new ProjectHeaders(p, () => settings.includePaths, (m) => log(m)));

  const log = (msg: string) => connection.console.log(msg);

  async function loadKernels(): Promise<{ kernels: Kernel[]; status: StatusParams }> {
    const errors: string[] = [];
    const kernels: Kernel[] = [];
    let bundled = false;
    if (settings.kernel.btf) {
      const r = await loadBtfFile(settings.kernel.btf);
      if (r.ok) kernels.push(targetKernel(settings.kernel.btf, r.value));
      else errors.push(r.error);
    }
    if (kernels.length === 0) {
      const r = await loadDefaultKernel();
      if (!r.ok) throw new Error(r.error);
      kernels.push(r.value.bundled ? bundledTarget(r.value) : targetKernel(RUNNING_KERNEL_BTF, r.value.btf));
      bundled = r.value.bundled;
    }
    for (const t of settings.kernel.targets) {
      const r = await loadBtfFile(t);
      if (r.ok) kernels.push(targetKernel(t, r.value));
      else errors.push(r.error);
    }
    for (const e of errors) connection.window.showWarningMessage(`eBPF: ${e}`);
    return {
      kernels,
      status: { described: kernels[0].label, bundled, types: kernels[0].btf.typeCount - 1, targets: kernels.slice(1).map((k) => k.label), errors },
    };
  }

  function reload(): void {
    const includeDirs = settings.includePaths;
    const helpers = findHelperDefs(includeDirs);
    libbpfVersion = readLibbpfVersion(includeDirs);
    const next = loadKernels().then(({ kernels, status }) => {
      connection.sendNotification(STATUS_NOTIFICATION, status);
      log(`kernels: ${kernels.map((k) => `${k.label} (${k.btf.typeCount - 1} types)`).join(', ')}`);
      kernelsValue = kernels;
      tracefs = runningKernelEvents(kernels);
      return getLanguageService({ kernels, helpers: helpers ? parseHelperDefs(helpers.text) : new Map(), tracepoints: tracefs && (() => tracefs!.list()) });
    });
    next.then((s) => {
      serviceValue = s;
      for (const d of docs.values()) publishDiagnostics(d);
    }, (e) => connection.window.showErrorMessage(`eBPF: cannot load kernel BTF: ${(e as Error).message}`));
    service = next;
  }

  async function fetchSettings(): Promise<void> {
    if (!canConfigure) return;
    const s = (await connection.workspace.getConfiguration('ebpf')) as Partial<Settings> | null;
    settings = mergeSettings(s ?? {});
  }

  function uriPath(uri: string): string | undefined {
    try {
      return uri.startsWith('file:') ? fileURLToPath(uri) : undefined;
    } catch {
      return undefined;
    }
  }

  const pendingDiagnostics = new Map<string, NodeJS.Timeout>();

  /** Diagnostics wait for a pause in typing, so hovers and completions are never queued behind them. */
  function publishDiagnostics(d: DocState, delayMs = 150): void {
    clearTimeout(pendingDiagnostics.get(d.doc.uri));
    pendingDiagnostics.set(d.doc.uri, setTimeout(() => {
      pendingDiagnostics.delete(d.doc.uri);
      if (docs.get(d.doc.uri) === d) publishDiagnosticsNow(d);
    }, delayMs));
  }

  function publishDiagnosticsNow(d: DocState): void {
    if (!serviceValue || !settings.diagnostics.enable) return;
    try {
      const diagnostics = computeDiagnostics(d, kernelsValue, { libbpfVersion, tracefs });
      connection.sendDiagnostics({ uri: d.doc.uri, version: d.doc.version, diagnostics });
    } catch (e) {
      log(`Error while computing diagnostics for ${d.doc.uri}: ${(e as Error).stack}`);
    }
  }

  /**
   * Document notifications are handled in order, per document, even though parsing waits for tree-sitter
   * to load; requests wait for the notifications before them, so a hover right after didOpen sees the file.
   */
  const pending = new Map<string, Promise<void>>();
  function inOrder(uri: string, work: () => Promise<void>): void {
    const next = (pending.get(uri) ?? Promise.resolve()).then(work).catch((e) => log(`Error while updating ${uri}: ${(e as Error).stack}`));
    pending.set(uri, next);
  }

  async function runSafe<T>(what: string, uri: string, empty: T, token: CancellationToken | undefined, fn: (s: LanguageService, d: DocState) => T): Promise<T> {
    const s = await service;
    await pending.get(uri);
    const d = docs.get(uri);
    if (!d || token?.isCancellationRequested) return empty;
    try {
      return fn(s, d);
    } catch (e) {
      log(`Error while computing ${what} for ${uri}: ${(e as Error).stack}`);
      return empty;
    }
  }

  connection.onInitialize((params) => {
    canConfigure = !!params.capabilities.workspace?.configuration;
    const init = params.initializationOptions as Partial<Settings> | undefined;
    if (init) settings = mergeSettings(init);
    // Start loading kernels now, with the settings the client sent, not after the handshake.
    reload();
    return {
      capabilities: {
        textDocumentSync: TextDocumentSyncKind.Incremental,
        hoverProvider: true,
        completionProvider: { triggerCharacters: ['>', '.', '(', ',', ' ', '"', '/'] },
        definitionProvider: true,
        documentSymbolProvider: true,
        workspaceSymbolProvider: true,
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix] },
      },
      serverInfo: { name: 'ebpf-ls', version: '0.1.0' },
    };
  });

  connection.onInitialized(async () => {
    if (!canConfigure) return;
    connection.client.register(DidChangeConfigurationNotification.type, { section: 'ebpf' }).catch(() => undefined);
    await refreshSettings();
  });

  connection.onDidChangeConfiguration(() => refreshSettings());

  /** Re-reads the settings; a change of kernels re-indexes without restarting the server. */
  async function refreshSettings(): Promise<void> {
    const before = JSON.stringify(settings);
    await fetchSettings().catch((e) => log(`cannot read settings: ${(e as Error).message}`));
    if (JSON.stringify(settings) !== before) reload();
  }

  /** A document parsed with its model and the structs of the project headers it includes. */
  async function parse(doc: TextDocument, path: string | undefined): Promise<DocState> {
    const tree = (await parserReady).parse(doc.getText());
    const model = buildModel(tree);
    return { doc, tree, model, path, headerStructs: (await headers).structsFor(path, model.includes) };
  }

  connection.onDidOpenTextDocument(({ textDocument: t }) => inOrder(t.uri, async () => {
    const state = await parse(TextDocument.create(t.uri, t.languageId, t.version, t.text), uriPath(t.uri));
    docs.set(t.uri, state);
    publishDiagnostics(state);
  }));

  connection.onDidChangeTextDocument(({ textDocument: t, contentChanges }) => inOrder(t.uri, async () => {
    const parser = await parserReady;
    const state = docs.get(t.uri);
    if (!state) return;
    let { doc, tree } = state;
    for (const change of contentChanges) {
      if (TextDocumentContentChangeEvent.isIncremental(change)) {
        const start = { offset: doc.offsetAt(change.range.start), ...change.range.start };
        const oldEnd = { offset: doc.offsetAt(change.range.end), ...change.range.end };
        doc = TextDocument.update(doc, [change], t.version);
        const newEndOffset = start.offset + change.text.length;
        tree.edit(treeEdit(start, oldEnd, { offset: newEndOffset, ...doc.positionAt(newEndOffset) }));
      } else {
        doc = TextDocument.update(doc, [change], t.version);
        tree.delete();
        tree = parser.parse(doc.getText());
      }
    }
    const next: Tree = parser.parse(doc.getText(), tree);
    if (next !== tree) tree.delete();
    state.doc = doc;
    state.tree = next;
    state.model = buildModel(next);
    state.headerStructs = (await headers).structsFor(state.path, state.model.includes);
    publishDiagnostics(state);
  }));

  connection.onDidCloseTextDocument(({ textDocument: t }) => inOrder(t.uri, async () => {
    const d = docs.get(t.uri);
    d?.tree.delete();
    docs.delete(t.uri);
    clearTimeout(pendingDiagnostics.get(t.uri));
    pending.delete(t.uri);
    connection.sendDiagnostics({ uri: t.uri, diagnostics: [] });
  }));

  connection.onHover((p, token) => (settings.hover.enable ? runSafe('hover', p.textDocument.uri, null, token, (s, d) => s.hover(d, p.position)) : null));
  connection.onCompletion((p, token) =>
    settings.completion.enable ? runSafe('completion', p.textDocument.uri, null, token, (s, d) => s.completion(d, p.position)) : null,
  );
  connection.onDefinition((p, token) => runSafe('definition', p.textDocument.uri, null, token, (s, d) => s.definition(d, p.position)));
  connection.onDocumentSymbol((p, token) => runSafe('symbols', p.textDocument.uri, [], token, (s, d) => s.documentSymbols(d)));
  connection.onWorkspaceSymbol(async (p) => {
    const s = await service;
    try {
      return s.workspaceSymbols(p.query);
    } catch (e) {
      log(`Error while searching kernel types: ${(e as Error).stack}`);
      return [];
    }
  });
  connection.onCodeAction((p) => {
    const out: CodeAction[] = [];
    for (const diag of p.context.diagnostics as Diagnostic[]) {
      const fix = diag.data as DiagnosticFix | undefined;
      if (!fix?.newText && fix?.newText !== '') continue;
      out.push({
        title: fix.title,
        kind: CodeActionKind.QuickFix,
        diagnostics: [diag],
        edit: { changes: { [p.textDocument.uri]: [{ range: fix.range, newText: fix.newText }] } },
      });
    }
    return out;
  });
  /** A built object's relocations against the configured kernels: the portability matrix and diagnostics. */
  connection.onRequest(OBJECT_RELOCATIONS_REQUEST, async (p: ObjectRelocationsParams): Promise<ObjectRelocationsResult> => {
    await service;
    const obj = loadBpfObject(p.object);
    if (!obj.ok) return { error: obj.error };
    const reports = resolveObjectRelocations(obj.value, objectRelocations(obj.value), kernelsValue);
    const bySource = new Map<string, typeof reports>();
    for (const r of reports) {
      if (!r.source) continue;
      const file = resolve(dirname(p.object), r.source.file);
      bySource.set(file, [...(bySource.get(file) ?? []), r]);
    }
    const diagnostics: NonNullable<ObjectRelocationsResult['diagnostics']> = [];
    for (const [file, rs] of bySource) {
      const uri = pathToFileURL(file).href;
      const open = [...docs.values()].find((d) => d.path === file);
      try {
        if (open) {
          diagnostics.push({ uri: open.doc.uri, diagnostics: relocationDiagnostics(open, rs, kernelsValue) });
          continue;
        }
        const parsed = await parse(TextDocument.create(uri, 'c', 0, readFileSync(file, 'utf8')), file);
        diagnostics.push({ uri, diagnostics: relocationDiagnostics(parsed, rs, kernelsValue) });
        parsed.tree.delete();
      } catch (e) {
        log(`cannot map relocations to ${file}: ${(e as Error).message}`);
      }
    }
    return { matrix: portabilityMatrix(reports), diagnostics };
  });

  connection.onRequest(BTF_VIEW_REQUEST, async (p: { uri: string }) => {
    const s = await service;
    return s.kernelTypeView(p.uri)?.text ?? null;
  });

  connection.listen();
}
