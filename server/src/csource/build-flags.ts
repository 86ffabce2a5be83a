// The preprocessor's part of a compiler command line: `-D NAME[=VALUE]` and `-U NAME`, in the order clang
// applies them (the last of a name wins), from an argument array (ebpf.build.flags, a compile_commands.json
// `arguments`, the CLI's -D/-U) or from a shell-quoted `command` string, which is split first. Pure.

/** One `-D` (value set; `1` when none is written, as clang does) or `-U` (value undefined). */
export interface MacroFlag {
  name: string;
  value?: string;
}

const NAME = /^[A-Za-z_]\w*$/;

/** The -D and -U flags of an argument array, in order: `-DX`, `-D X`, `-DX=1`, `-DX=`, `-UX`, `-U X`. */
export function macroFlags(args: readonly string[]): MacroFlag[] {
  const out: MacroFlag[] = [];
  for (let i = 0; i < args.length; i++) {
    const m = /^-([DU])(.*)$/s.exec(args[i]);
    if (!m) continue;
    // `-D X`: the macro is the next argument.
    const text = m[2] === '' ? args[++i] ?? '' : m[2];
    const eq = text.indexOf('=');
    const name = eq < 0 ? text : text.slice(0, eq);
    if (!NAME.test(name)) continue;
    out.push(m[1] === 'U' ? { name } : { name, value: eq < 0 ? '1' : text.slice(eq + 1) });
  }
  return out;
}

/**
 * A command line as a POSIX shell splits it (what clangd does with compile_commands.json's `command`):
 * white space separates arguments, single quotes keep everything, double quotes keep all but `\"`, `\\`,
 * `\$` and `` \` ``, a backslash outside quotes escapes the next character.
 */
export function splitCommandLine(command: string): string[] {
  const out: string[] = [];
  let arg: string | undefined;
  for (let i = 0; i < command.length; i++) {
    const c = command[i];
    if (/\s/.test(c)) {
      if (arg !== undefined) out.push(arg);
      arg = undefined;
    } else if (c === "'") {
      const end = command.indexOf("'", i + 1);
      const stop = end < 0 ? command.length : end;
      arg = (arg ?? '') + command.slice(i + 1, stop);
      i = stop;
    } else if (c === '"') {
      let text = '';
      for (i++; i < command.length && command[i] !== '"'; i++) {
        if (command[i] === '\\' && /["\\$`]/.test(command[i + 1] ?? '')) i++;
        text += command[i];
      }
      arg = (arg ?? '') + text;
    } else if (c === '\\' && i + 1 < command.length) {
      arg = (arg ?? '') + command[++i];
    } else {
      arg = (arg ?? '') + c;
    }
  }
  if (arg !== undefined) out.push(arg);
  return out;
}
