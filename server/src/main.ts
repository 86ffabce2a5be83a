// Built twice (scripts/build.mjs): the language server's bundle, dist/ebpf-ls-server.js, and the CLI's,
// dist/ebpf-ls-cli.js. EBPF_LS_ROLE is a constant in each, so esbuild leaves the other role's code out.
// launch.ts (dist/ebpf-ls.js) runs the server's for `ebpf-ls --stdio`, the CLI's for anything else.
declare const EBPF_LS_ROLE: 'server' | 'cli';

if (EBPF_LS_ROLE === 'server') {
  (require('./lsp/server') as typeof import('./lsp/server')).startStdioServer();
} else {
  (require('./cli/main') as typeof import('./cli/main')).runCli(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
