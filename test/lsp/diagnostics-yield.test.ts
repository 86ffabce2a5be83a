// The real server over stdio: diagnostics are computed a step at a time, so a hover that comes while they
// run is answered before they are published, and a run whose document changed meanwhile publishes nothing.
// Ordering only: the server re-checks the open file when its settings change, and the test holds the
// settings back until it has the hover ready to send.
import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import {
  ConfigurationRequest, DidChangeTextDocumentNotification, HoverRequest, PublishDiagnosticsNotification, PublishDiagnosticsParams,
} from 'vscode-languageserver-protocol/node';
import { cliSkip } from '../support/cli';
import { generatedSource } from '../support/generated-source';
import { startLsp } from '../support/lsp-client';

describe('diagnostics yield to requests', { skip: cliSkip }, () => {
  test('a hover sent as a re-check starts is answered first; the re-check of a version edited meanwhile is never published', { timeout: 120_000 }, async () => {
    let sendSettings!: () => void;
    const settingsWanted = new Promise<void>((resolve) => (sendSettings = resolve));
    const lsp = await startLsp({}, (conn) => {
      // Another loader than the initial `auto`: a new snapshot, and every open file checked again.
      conn.onRequest(ConfigurationRequest.type, async (p) => {
        await settingsWanted;
        return p.items.map(() => ({ loader: 'libbpf' }));
      });
      return { workspace: { configuration: true } };
    });
    try {
      const events: string[] = [];
      const published: ((p: PublishDiagnosticsParams) => void)[] = [];
      lsp.conn.onNotification(PublishDiagnosticsNotification.type, (p) => {
        events.push(`diagnostics of version ${p.version}`);
        published.forEach((f) => f(p));
      });
      const versionPublished = (version: number) => new Promise<void>((resolve) => published.push((p) => p.version === version && resolve()));

      // Hundreds of programs, two CO-RE paths each: a step each.
      const text = generatedSource(4000);
      const first = versionPublished(1);
      const uri = await lsp.open(join(tmpdir(), 'diagnostics-yield.bpf.c'), text);
      await first;
      events.length = 0;

      sendSettings();
      const position = { line: text.split('\n').findIndex((l) => l.includes('struct task_struct *t')), character: 10 };
      await lsp.conn.sendRequest(HoverRequest.type, { textDocument: { uri }, position });
      events.push('hover');
      const second = versionPublished(2);
      await lsp.conn.sendNotification(DidChangeTextDocumentNotification.type, {
        textDocument: { uri, version: 2 }, contentChanges: [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: '// edited\n' }],
      });
      await second;
      assert.deepEqual(events, ['hover', 'diagnostics of version 2']);
    } finally {
      await lsp.close();
    }
  });
});
