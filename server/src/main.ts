// main.ts's bundle, dist/ebpf-ls-main.js, run by launch.ts (dist/ebpf-ls.js): `ebpf-ls --stdio` is the
// language server, anything else the CLI.
import { runCli } from './cli/main';

if (process.argv.includes('--stdio')) {
  // Loaded lazily so CLI runs do not pay for the LSP library.
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  require('./lsp/server').startStdioServer();
} else {
  runCli(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
