// The language server: the only code that knows LSP. Open documents live in `Documents`; the kernels and
// settings in one immutable snapshot, replaced whole when the settings change. Each request is answered
// through the pure language service, logging and answering empty if a feature fails rather than letting
// one bad file take the server down.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  CancellationToken, ClientCapabilities, CodeAction, CodeActionKind, Connection, createConnection, Diagnostic, DidChangeConfigurationNotification,
  InitializeResult, ProposedFeatures, TextDocumentSyncKind,
} from 'vscode-languageserver/node';
import { CParser } from '../csource/parser';
import { DiagnosticFix } from '../features/diagnostics/rule';
import { LanguageService } from '../features/language-service';
import { ParsedFile } from '../features/service-context';
import { documentSymbols } from '../features/symbols';
import { projectHeaders, setUpLanguageService } from '../host/language-setup';
import { loadBpfObject } from '../host/load-object';
import { conversionReport, convertBccFile, convertedFileText } from '../host/convert-bcc';
import { readParserWasm } from '../host/source-files';
import { objectRelocations, resolveObjectRelocations } from '../relocs/object';
import { portabilityMatrix } from '../relocs/portability';
import { Documents, OpenDocument } from './documents';
import { InactiveRegionsPublisher } from './inactive-regions';
import { OneWriteMessageWriter } from './message-writer';
import { acceptsDefaultEditRange, withEditsPerItem } from './completion-defaults';
import { pythonCompletion, PythonDocument, pythonDiagnosticSteps, PythonDocuments, pythonHover } from './python-documents';
import { BTF_VIEW_REQUEST, OBJECT_RELOCATIONS_REQUEST, ObjectRelocationsParams, ObjectRelocationsResult, STATUS_NOTIFICATION, StatusParams } from './protocol';
import { CONVERT_BCC_REQUEST, ConvertBccParams, ConvertBccResult } from './protocol';
import { DEFAULT_SETTINGS, mergeSettings, ServerSettings } from './settings';

/** What every request works from; replaced whole, never changed in place. */
interface Snapshot {
  settings: ServerSettings;
  /** Resolves once the kernels are loaded; never rejects (a failed load leaves the previous service). */
  service: Promise<LanguageService>;
}

export function startStdioServer(): void {
  // stdin stays a stream, so vscode-languageserver still exits when it closes; answers go out through our
  // writer. The library takes a stream with a writer (it tells them apart by addListener); its types do not.
  const out = new OneWriteMessageWriter(process.stdout) as unknown as NodeJS.WritableStream;
  startServer(createConnection(ProposedFeatures.all, process.stdin, out));
}

export function startServer(connection: Connection): void {
  const log = (msg: string) => connection.console.log(msg);
  const parser = CParser.create(readParserWasm());
  let snapshot: Snapshot = { settings: DEFAULT_SETTINGS, service: new Promise(() => undefined) };
  const headers = parser.then((p) => projectHeaders(p, () => snapshot.settings.includePaths, () => snapshot.settings.build.flags, log));
  const diagnostics = new DiagnosticsPublisher(connection, () => snapshot, log);
  const inactive = new InactiveRegionsPublisher(connection, log);
  const documents = new Documents(parser, headers, log, (doc) => {
    diagnostics.schedule(doc, documents);
    inactive.publish(doc);
  });
  // Python files are sent only for BCC: the C of their BPF(text=...) is diagnosed, nothing else.
  const python = new PythonDocuments(parser, headers, log, (doc) => diagnostics.schedulePython(doc, python));
  const server: ServerState = { connection, documents, log, snapshot: () => snapshot, parser, python, client: { defaultEditRange: false }, diagnostics };

  /**
   * A new snapshot for new settings: the kernels load once `start` has settled (at once unless told), and
   * open documents are re-checked. Requests that need kernels wait for the snapshot's service.
   */
  const reload = (settings: ServerSettings, start: Promise<void> = Promise.resolve()) => {
    const previous = snapshot.service;
    const buildBefore = JSON.stringify(snapshot.settings.build);
    const service = start.then(() => loadService(connection, settings, log));
    snapshot = { settings, service: service.then((s) => s ?? previous) };
    // The build's -D/-U decide #if branches: documents are parsed again with the new ones.
    if (JSON.stringify(settings.build) !== buildBefore) documents.reparseAll();
    service.then((s) => s && documents.all().forEach((d) => diagnostics.publishNow(d, s, documents)));
    service.then((s) => s && python.all().forEach((d) => d.programs.length > 0 && diagnostics.publishPython(d, s, python)));
  };
  registerLifecycle(connection, () => snapshot.settings, reload, log, (capabilities) => (server.client.defaultEditRange = acceptsDefaultEditRange(capabilities)));
  connection.onDidOpenTextDocument(({ textDocument: t }) => (t.languageId === 'python' ? python.open(t.uri, t.version, t.text) : documents.open(t.uri, t.languageId, t.version, t.text)));
  connection.onDidChangeTextDocument(({ textDocument: t, contentChanges }) => (python.has(t.uri) ? python.change(t.uri, t.version, contentChanges) : documents.change(t.uri, t.version, contentChanges)));
  connection.onDidCloseTextDocument(({ textDocument: t }) => {
    if (python.has(t.uri)) python.close(t.uri);
    else documents.close(t.uri);
    diagnostics.clear(t.uri);
    inactive.forget(t.uri);
  });
  // The client watches compile_commands.json: a new or changed one may change every open file's #if branches.
  connection.onDidChangeWatchedFiles(() => documents.reparseAll());
  registerFeatures(server);
  registerRequests(server);
  connection.listen();
}

interface ServerState {
  connection: Connection;
  /** What the client said it accepts, known once initialize has come. */
  client: { defaultEditRange: boolean };
  documents: Documents;
  log: (msg: string) => void;
  snapshot: () => Snapshot;
  parser: Promise<CParser>;
  python: PythonDocuments;
  diagnostics: DiagnosticsPublisher;
}

/** Loads the kernels of `settings` and reports them; undefined (with an error shown) when nothing could be loaded. */
async function loadService(connection: Connection, settings: ServerSettings, log: (msg: string) => void): Promise<LanguageService | undefined> {
  const r = await setUpLanguageService({
    kernels: { described: settings.kernel.btf, targets: settings.kernel.targets }, includeDirs: settings.includePaths, severity: settings.diagnostics.severity,
    loader: settings.loader === 'auto' ? undefined : settings.loader,
  }, 'lenient');
  if (!r.ok) {
    connection.window.showErrorMessage(`eBPF: cannot load kernel BTF: ${r.error}`);
    return undefined;
  }
  const { service, errors } = r.value;
  for (const e of errors) connection.window.showWarningMessage(`eBPF: ${e}`);
  const { described, targets, all } = service.context.kernels;
  const status: StatusParams = { described: described.label, bundled: !!described.bundled, types: described.btf.typeCount - 1, targets: targets.map((k) => k.label), errors };
  connection.sendNotification(STATUS_NOTIFICATION, status);
  log(`kernels: ${all.map((k) => `${k.label} (${k.btf.typeCount - 1} types)`).join(', ')}`);
  return service;
}

/** initialize, initialized and configuration changes. */
function registerLifecycle(
  connection: Connection, current: () => ServerSettings, reload: (s: ServerSettings, start?: Promise<void>) => void, log: (msg: string) => void,
  clientAccepts: (capabilities: ClientCapabilities) => void,
): void {
  let canConfigure = false;
  /** Re-reads the settings; a change of kernels re-indexes without restarting the server. */
  const refresh = async () => {
    if (!canConfigure) return;
    try {
      const sent = (await connection.workspace.getConfiguration('ebpf')) as Partial<ServerSettings> | null;
      const next = mergeSettings(sent ?? {});
      if (JSON.stringify(next) !== JSON.stringify(current())) reload(next);
    } catch (e) {
      log(`cannot read settings: ${(e as Error).message}`);
    }
  };
  connection.onInitialize((params): InitializeResult => {
    canConfigure = !!params.capabilities.workspace?.configuration;
    clientAccepts(params.capabilities);
    // The capabilities do not depend on the kernels: answer at once, and load them (with the settings the
    // client sent) as soon as the answer is out, without waiting for the client's `initialized`. The answer
    // is written as this handler returns (message-writer.ts writes in the caller's tick), so the next turn
    // of the event loop may block on reading BTF without holding it back (test/lsp/startup.test.ts).
    const answerWritten = new Promise<void>((resolve) => setImmediate(resolve));
    reload(mergeSettings((params.initializationOptions as Partial<ServerSettings> | undefined) ?? {}), answerWritten);
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
    await refresh();
  });
  connection.onDidChangeConfiguration(() => refresh());
}

/** Diagnostics steps wait until requests have paused this long... */
const QUIET_MS = 20;
/** ...for at most this long in a run: past it, steps run between requests. */
const MAX_QUIET_WAIT_MS = 2000;

/**
 * A monotonic clock in ms. Not `performance.now()`: the global loads Node's eleven perf_hooks modules on
 * first use (1.5 ms alone here), during the first request's answer.
 */
const nowMs = () => process.uptime() * 1000;

/** A file that is not an eBPF program has none: its earlier ones, if any, are cleared. */
function* noDiagnostics(): Generator<void, Diagnostic[]> {
  return [];
}

/**
 * Diagnostics wait for a pause in typing, then are computed a step at a time (diagnosticSteps), back to the
 * event loop between steps, and while requests keep coming, only once they pause: a hover or completion
 * waits for one step at most, not for the file. A run stops at its next step once its document changed or
 * closed or a newer run for it began, so nothing stale is published (and no step reads a tree a newer
 * parse has deleted).
 */
class DiagnosticsPublisher {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  /** Each document's run under way: a run no longer found here stops. */
  private readonly runs = new Map<string, object>();
  private lastRequest = -Infinity;

  constructor(private readonly connection: Connection, private readonly snapshot: () => Snapshot, private readonly log: (msg: string) => void) {}

  schedule(doc: OpenDocument, documents: Documents, delayMs = 150): void {
    const parsed = doc.parsed;
    this.later(doc.uri, delayMs, (service) => documents.current(doc.uri)?.parsed === parsed && this.publishNow(doc, service, documents));
  }

  /** A Python BCC tool's diagnostics, as schedule() does for C. */
  schedulePython(doc: PythonDocument, python: PythonDocuments, delayMs = 150): void {
    this.later(doc.uri, delayMs, (service) => python.current(doc.uri) === doc && this.publishPython(doc, service, python));
  }

  /** The diagnostics of the document's parse as it is now, published unless it changes before they are done. */
  publishNow(doc: OpenDocument, service: LanguageService, documents: Documents): void {
    const parsed = doc.parsed;
    void this.sendInSteps(doc.uri, parsed.doc.version, doc.bpf ? service.diagnosticSteps(parsed) : noDiagnostics(), () => documents.current(doc.uri)?.parsed === parsed);
  }

  /** A BCC tool's, as publishNow does for C. */
  publishPython(doc: PythonDocument, service: LanguageService, python: PythonDocuments): void {
    void this.sendInSteps(doc.uri, doc.doc.version, pythonDiagnosticSteps(doc, service), () => python.current(doc.uri) === doc);
  }

  private later(uri: string, delayMs: number, job: (service: LanguageService) => void): void {
    clearTimeout(this.timers.get(uri));
    this.timers.set(uri, setTimeout(async () => {
      this.timers.delete(uri);
      job(await this.snapshot().service);
    }, delayMs));
  }

  /** A request is being answered: diagnostics steps wait for requests to pause. */
  requestSeen(): void {
    this.lastRequest = nowMs();
  }

  private async sendInSteps(uri: string, version: number, steps: Generator<void, Diagnostic[]>, current: () => boolean): Promise<void> {
    if (!this.snapshot().settings.diagnostics.enable) return;
    const run = {};
    this.runs.set(uri, run);
    const started = nowMs();
    try {
      for (;;) {
        await this.nextTurn(started);
        if (this.runs.get(uri) !== run || !current()) return;
        const step = steps.next();
        if (step.done) {
          this.runs.delete(uri);
          this.connection.sendDiagnostics({ uri, version, diagnostics: step.value });
          return;
        }
      }
    } catch (e) {
      this.runs.delete(uri);
      this.log(`Error while computing diagnostics for ${uri}: ${(e as Error).stack}`);
    }
  }

  /** The next turn of the event loop, or a later one with no request for QUIET_MS (waited for up to MAX_QUIET_WAIT_MS into the run). */
  private async nextTurn(runStarted: number): Promise<void> {
    await new Promise((resolve) => setImmediate(resolve));
    for (let now = nowMs(); now - this.lastRequest < QUIET_MS && now - runStarted < MAX_QUIET_WAIT_MS; now = nowMs()) {
      await new Promise((resolve) => setTimeout(resolve, QUIET_MS - (now - this.lastRequest)));
    }
  }

  clear(uri: string): void {
    clearTimeout(this.timers.get(uri));
    this.timers.delete(uri);
    this.runs.delete(uri);
    this.connection.sendDiagnostics({ uri, diagnostics: [] });
  }
}

/** Runs a feature on an open document once the service (the kernels) and the document's earlier notifications are in. */
async function runSafe<T>(server: ServerState, what: string, uri: string, empty: T, token: CancellationToken | undefined, fn: (s: LanguageService, d: ParsedFile) => T): Promise<T> {
  const service = await server.snapshot().service;
  return runOnDocument(server, what, uri, empty, token, (d) => fn(service, d));
}

/** Runs a feature that needs no kernel on an open document once its earlier notifications are in. */
async function runOnDocument<T>(server: ServerState, what: string, uri: string, empty: T, token: CancellationToken | undefined, fn: (d: ParsedFile) => T): Promise<T> {
  server.diagnostics.requestSeen();
  const doc = await server.documents.get(uri);
  if (!doc || !doc.bpf || token?.isCancellationRequested) return empty;
  try {
    return fn(doc.parsed);
  } catch (e) {
    server.log(`Error while computing ${what} for ${uri}: ${(e as Error).stack}`);
    return empty;
  }
}

function registerFeatures(server: ServerState): void {
  const { connection } = server;
  const settings = () => server.snapshot().settings;
  connection.onHover((p, token) => (!settings().hover.enable ? null
    : server.python.has(p.textDocument.uri) ? inPython(server, 'hover', p.textDocument.uri, (s, d) => pythonHover(d, p.position, s))
    : runSafe(server, 'hover', p.textDocument.uri, null, token, (s, d) => s.hover(d, p.position))));
  connection.onCompletion(async (p, token) => {
    if (!settings().completion.enable) return null;
    const list = await (server.python.has(p.textDocument.uri) ? inPython(server, 'completion', p.textDocument.uri, (s, d) => pythonCompletion(d, p.position, s))
      : runSafe(server, 'completion', p.textDocument.uri, null, token, (s, d) => s.complete(d, p.position)));
    return server.client.defaultEditRange ? list : withEditsPerItem(list);
  });
  connection.onDefinition((p, token) => runSafe(server, 'definition', p.textDocument.uri, null, token, (s, d) => s.definition(d, p.position)));
  connection.onDocumentSymbol((p, token) => runOnDocument(server, 'symbols', p.textDocument.uri, [], token, documentSymbols));
  connection.onWorkspaceSymbol(async (p) => {
    const service = await server.snapshot().service;
    try {
      return service.workspaceSymbols(p.query, server.documents.all().filter((d) => d.bpf).map((d) => d.parsed));
    } catch (e) {
      server.log(`Error while searching kernel types: ${(e as Error).stack}`);
      return [];
    }
  });
  connection.onCodeAction((p) => {
    const out: CodeAction[] = [];
    for (const diag of p.context.diagnostics as Diagnostic[]) {
      const fix = diag.data as DiagnosticFix | undefined;
      if (fix?.newText === undefined) continue;
      const edits = [{ range: fix.range, newText: fix.newText }, ...(fix.edits ?? [])];
      out.push({ title: fix.title, kind: CodeActionKind.QuickFix, diagnostics: [diag], edit: { changes: { [p.textDocument.uri]: edits } } });
    }
    return out;
  });
}

/** A feature in a Python BCC tool (hover, completion inside the C it passes to BPF()), as runSafe runs one on C. */
async function inPython<T>(server: ServerState, what: string, uri: string, fn: (s: LanguageService, d: PythonDocument) => T | null): Promise<T | null> {
  const service = await server.snapshot().service;
  const doc = await server.python.get(uri);
  try {
    return doc ? fn(service, doc) : null;
  } catch (e) {
    server.log(`Error while computing ${what} for ${uri}: ${(e as Error).stack}`);
    return null;
  }
}

function registerRequests(server: ServerState): void {
  server.connection.onRequest(OBJECT_RELOCATIONS_REQUEST, (p: ObjectRelocationsParams) => objectRelocationsResult(server, p));
  server.connection.onRequest(BTF_VIEW_REQUEST, async (p: { uri: string }) => (await server.snapshot().service).kernelTypeView(p.uri)?.text ?? null);
  server.connection.onRequest(CONVERT_BCC_REQUEST, (p: ConvertBccParams) => convertBccResult(server, p));
}

/** A BCC program (the text the editor has) converted against the described kernel, as `ebpf-ls convert-bcc` converts it. */
async function convertBccResult(server: ServerState, p: ConvertBccParams): Promise<ConvertBccResult> {
  const service = await server.snapshot().service;
  try {
    const r = convertBccFile(p.path, p.text, p.python, service.context.kernels.described.btf, await server.parser);
    return r.ok ? { text: convertedFileText(p.path, r.value), report: conversionReport(p.out, r.value) } : { error: r.error };
  } catch (e) {
    server.log(`Error while converting ${p.path}: ${(e as Error).stack}`);
    return { error: `${p.path}: the conversion failed: ${(e as Error).message}` };
  }
}

/** A built object's relocations against the configured kernels: the portability matrix and diagnostics. */
async function objectRelocationsResult(server: ServerState, p: ObjectRelocationsParams): Promise<ObjectRelocationsResult> {
  const service = await server.snapshot().service;
  const obj = loadBpfObject(p.object);
  if (!obj.ok) return { error: obj.error };
  const kernels = service.context.kernels.all;
  const reports = resolveObjectRelocations(obj.value, objectRelocations(obj.value), kernels);
  const bySource = new Map<string, typeof reports>();
  for (const r of reports) {
    if (!r.source) continue;
    const file = resolve(dirname(p.object), r.source.file);
    bySource.set(file, [...(bySource.get(file) ?? []), r]);
  }
  const diagnostics: NonNullable<ObjectRelocationsResult['diagnostics']> = [];
  for (const [file, rs] of bySource) {
    try {
      const open = server.documents.all().find((d) => d.path === file);
      const parsed = open?.parsed ?? (await server.documents.parseFile(pathToFileURL(file).href, file, readFileSync(file, 'utf8')));
      diagnostics.push({ uri: parsed.doc.uri, diagnostics: service.relocationDiagnostics(parsed, rs) });
      if (!open) parsed.tree.delete();
    } catch (e) {
      server.log(`cannot map relocations to ${file}: ${(e as Error).message}`);
    }
  }
  return { matrix: portabilityMatrix(obj.value, reports), diagnostics };
}
