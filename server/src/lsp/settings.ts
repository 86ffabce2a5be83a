// The `ebpf.*` settings the language server reads: defined once, for the server (which merges what the
// client sends over the defaults) and the client (which sends them at start and on every change).
import { SeverityOverrides } from '../features/diagnostics/codes';
import type { Loader } from '../sections/loaders';

export interface ServerSettings {
  kernel: { btf: string; targets: string[] };
  includePaths: string[];
  hover: { enable: boolean };
  completion: { enable: boolean };
  diagnostics: { enable: boolean; severity: SeverityOverrides };
  /** The loader whose rules apply, or `auto`: detected per file from go.mod, Cargo.toml and includes. */
  loader: Loader | 'auto';
  /** Build's extra clang flags: their -D and -U decide #if branches too. */
  build: { flags: string[] };
}

export const DEFAULT_SETTINGS: ServerSettings = {
  kernel: { btf: '', targets: [] },
  includePaths: [],
  hover: { enable: true },
  completion: { enable: true },
  diagnostics: { enable: true, severity: {} },
  loader: 'auto',
  build: { flags: [] },
};

/** The settings the client sent (any part may be missing) over the defaults. */
export function mergeSettings(sent: Partial<ServerSettings>): ServerSettings {
  return {
    kernel: { ...DEFAULT_SETTINGS.kernel, ...(sent.kernel ?? {}) },
    includePaths: sent.includePaths ?? DEFAULT_SETTINGS.includePaths,
    hover: { ...DEFAULT_SETTINGS.hover, ...(sent.hover ?? {}) },
    completion: { ...DEFAULT_SETTINGS.completion, ...(sent.completion ?? {}) },
    diagnostics: { ...DEFAULT_SETTINGS.diagnostics, ...(sent.diagnostics ?? {}) },
    loader: sent.loader ?? DEFAULT_SETTINGS.loader,
    build: { flags: sent.build?.flags ?? DEFAULT_SETTINGS.build.flags },
  };
}

/** Builds ServerSettings from a `get(key, default)` reader (VS Code's WorkspaceConfiguration.get). */
export function readServerSettings(get: <T>(key: string, fallback: T) => T): ServerSettings {
  const d = DEFAULT_SETTINGS;
  return {
    kernel: { btf: get('kernel.btf', d.kernel.btf), targets: get('kernel.targets', d.kernel.targets) },
    includePaths: get('includePaths', d.includePaths),
    hover: { enable: get('hover.enable', d.hover.enable) },
    completion: { enable: get('completion.enable', d.completion.enable) },
    diagnostics: { enable: get('diagnostics.enable', d.diagnostics.enable), severity: get('diagnostics.severity', d.diagnostics.severity) },
    loader: get('loader', d.loader),
    build: { flags: get('build.flags', d.build.flags) },
  };
}
