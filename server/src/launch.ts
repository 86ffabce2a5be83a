// Entry point of dist/ebpf-ls.js: runs the language server's bundle (`--stdio`) or the CLI's, both built
// from main.ts, with their compiled code cached between runs (host/code-cache.ts), so a CLI command or the
// language server does not compile its whole bundle again on every start.
import { join } from 'node:path';
import { requireWithCodeCache } from './host/code-cache';

const server = process.argv.includes('--stdio');
// tree-sitter's WASM stays in V8's baseline tier: tiering its large parse tables up with TurboFan costs
// more CPU at start-up than it ever saves on the incremental re-parses a server does. Set before the
// bundle compiles: V8 rejects code cached under other flags. node:v8 is loaded only here: loading it costs
// a CLI command ~5 ms.
if (server) (require('node:v8') as typeof import('node:v8')).setFlagsFromString('--liftoff-only');
requireWithCodeCache(join(__dirname, server ? 'ebpf-ls-server.js' : 'ebpf-ls-cli.js'), server ? 'server' : 'cli');
