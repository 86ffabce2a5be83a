// Entry point of dist/ebpf-ls.js: `ebpf-ls --stdio` is the language server, anything else the CLI.
import { setFlagsFromString } from 'node:v8';
import { runCli } from './cli/main';

if (process.argv.includes('--stdio')) {
  // tree-sitter's WASM stays in V8's baseline tier: tiering its large parse tables up with TurboFan costs
  // more CPU at start-up than it ever saves on the incremental re-parses a server does.
  setFlagsFromString('--liftoff-only');
  // Loaded lazily so CLI runs do not pay for the LSP library.
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  require('./lsp/server').startStdioServer();
} else {
  runCli(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
