// Bundles the client and the server/CLI with esbuild and copies the runtime assets beside them.
import { build } from 'esbuild';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
mkdirSync(dist, { recursive: true });

// Minified, identifiers too: a start reads, copies and compiles fewer bytes (the server's bundle 980 -> 730 KB).
// The source maps name everything; `node scripts/build.mjs --readable` keeps the names in the bundles, for
// CPU profiles read by function name.
const readable = process.argv.includes('--readable');
const minify = readable ? { minifyWhitespace: true, minifySyntax: true } : { minify: true };
const common = { bundle: true, platform: 'node', target: 'node20', format: 'cjs', sourcemap: true, logLevel: 'warning', write: false, ...minify };

// vscode-jsonrpc requires node:crypto (to name pipes) and vscode-languageserver node:child_process (to find
// global npm modules) as they load, and a server on stdio uses neither: loading them cost every start about
// 5 ms here. In the server's bundle they load on first use instead (on a property read).
const LAZY_BUILTINS = /^(crypto|child_process)$/;
const lazyBuiltinsOfLspLibraries = {
  name: 'lazy-builtins-of-lsp-libraries',
  setup(plugin) {
    plugin.onResolve({ filter: LAZY_BUILTINS }, (args) =>
      /[\\/]node_modules[\\/]vscode-(languageserver|jsonrpc)[\\/]/.test(args.importer) ? { path: args.path, namespace: 'lazy-builtin' } : undefined);
    plugin.onLoad({ filter: /.*/, namespace: 'lazy-builtin' }, (args) => ({
      contents: `let loaded; module.exports = new Proxy({}, { get: (_, key) => (loaded ??= require(${JSON.stringify(args.path)}))[key] });`,
      loader: 'js',
    }));
  },
};

// Each file is written under a temporary name and renamed into place, so a test or server starting while a
// build runs (the e2e tests package the .vsix while other tests run the CLI) reads the old file or the new.
function writeAtomically(path, bytes) {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, bytes);
  renameSync(tmp, path);
}
const results = await Promise.all([
  build({ ...common, entryPoints: [join(root, 'client/src/extension.ts')], outfile: join(dist, 'extension.js'), external: ['vscode'] }),
  // Two bundles of main.ts, one per role (main.ts drops the other's branch), so neither reads or compiles the
  // other's code: the language server's, and the CLI's. Code run through vm.Script (launch.ts's code cache)
  // cannot import(): web-tree-sitter's CommonJS build, and require() for what import()s remain.
  ...['server', 'cli'].map((role) => build({
    ...common, entryPoints: [join(root, 'server/src/main.ts')], outfile: join(dist, `ebpf-ls-${role}.js`), define: { EBPF_LS_ROLE: JSON.stringify(role) },
    alias: { 'web-tree-sitter': join(root, 'node_modules/web-tree-sitter/tree-sitter.cjs') }, supported: { 'dynamic-import': false },
    plugins: role === 'server' ? [lazyBuiltinsOfLspLibraries] : [],
  })),
  // The small entry that runs either bundle with its compiled code cached (server/src/launch.ts).
  build({ ...common, entryPoints: [join(root, 'server/src/launch.ts')], outfile: join(dist, 'ebpf-ls.js'), sourcemap: false }),
]);
for (const file of results.flatMap((r) => r.outputFiles)) writeAtomically(file.path, file.contents);

const assets = [
  ['node_modules/web-tree-sitter/tree-sitter.wasm', 'tree-sitter.wasm'],
  ['node_modules/tree-sitter-c/tree-sitter-c.wasm', 'tree-sitter-c.wasm'],
  ['server/data/default-kernel.btf.br', 'default-kernel.btf.br'],
];
for (const [from, to] of assets) {
  const src = join(root, from);
  if (!existsSync(src)) throw new Error(`build: missing asset ${from}`);
  writeAtomically(join(dist, to), readFileSync(src));
}
