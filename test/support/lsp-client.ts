// A real LSP client (vscode-languageserver-protocol over stdio) talking to the real server process.
import { ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import {
  ClientCapabilities, createProtocolConnection, InitializeRequest, InitializedNotification, ProtocolConnection, StreamMessageReader, StreamMessageWriter,
  DidOpenTextDocumentNotification, PublishDiagnosticsNotification, PublishDiagnosticsParams,
} from 'vscode-languageserver-protocol/node';
import { serverEnvironment, serverNodeArguments } from '../../server/src/host/server-process';
import { cliPath } from './cli';

export interface LspSession {
  conn: ProtocolConnection;
  proc: ChildProcess;
  diagnostics: Map<string, PublishDiagnosticsParams>;
  open(path: string, text?: string): Promise<string>;
  waitForDiagnostics(uri: string, timeoutMs?: number): Promise<PublishDiagnosticsParams>;
  close(): Promise<void>;
}

/** The completion list defaults VS Code declares (LSP 3.17 itemDefaults), for clients that stand in for it. */
export const VSCODE_COMPLETION_CAPABILITIES: ClientCapabilities = {
  textDocument: { completion: { completionList: { itemDefaults: ['commitCharacters', 'editRange', 'insertTextFormat', 'insertTextMode', 'data'] } } },
};

/** `setUp` registers the test's own handlers before anything is exchanged and says what the client can do. */
export async function startLsp(initializationOptions: unknown, setUp?: (conn: ProtocolConnection) => ClientCapabilities): Promise<LspSession> {
  // In the environment the client starts it in.
  const proc = spawn(process.execPath, [...serverNodeArguments(), cliPath, '--stdio'], { env: { ...process.env, ...serverEnvironment(process.env) }, stdio: ['pipe', 'pipe', 'inherit'] });
  const conn = createProtocolConnection(new StreamMessageReader(proc.stdout!), new StreamMessageWriter(proc.stdin!));
  const diagnostics = new Map<string, PublishDiagnosticsParams>();
  const waiters: ((p: PublishDiagnosticsParams) => void)[] = [];
  conn.onNotification(PublishDiagnosticsNotification.type, (p) => {
    diagnostics.set(p.uri, p);
    for (const w of waiters.splice(0)) w(p);
  });
  const capabilities = setUp?.(conn) ?? {};
  conn.listen();
  await conn.sendRequest(InitializeRequest.type, { processId: process.pid, rootUri: null, capabilities, initializationOptions });
  await conn.sendNotification(InitializedNotification.type, {});
  return {
    conn,
    proc,
    diagnostics,
    async open(path, text) {
      const uri = pathToFileURL(path).toString();
      await conn.sendNotification(DidOpenTextDocumentNotification.type, {
        textDocument: { uri, languageId: 'c', version: 1, text: text ?? readFileSync(path, 'utf8') },
      });
      return uri;
    },
    waitForDiagnostics(uri, timeoutMs = 20_000) {
      return new Promise((resolve, reject) => {
        const have = diagnostics.get(uri);
        if (have) return resolve(have);
        const timer = setTimeout(() => reject(new Error(`no diagnostics for ${uri} within ${timeoutMs} ms`)), timeoutMs);
        const check = (p: PublishDiagnosticsParams) => {
          if (p.uri === uri) {
            clearTimeout(timer);
            resolve(p);
          } else waiters.push(check);
        };
        waiters.push(check);
      });
    },
    async close() {
      try {
        await conn.sendRequest('shutdown');
        await conn.sendNotification('exit');
      } catch {
        // the server may already be gone
      }
      conn.dispose();
      if (proc.exitCode === null) proc.kill();
    },
  };
}
