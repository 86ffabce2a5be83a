// `ebpf-ls layout NAME`: a struct or union laid out as pahole prints it, or as JSON.
import { closest } from '../btf/suggest';
import { Kind } from '../btf/wire';
import { layoutJson } from '../layout/json';
import { layoutOf } from '../layout/model';
import { formatPahole } from '../layout/pahole';
import { loadKernels } from './kernels';
import { Command, parseCommandArgs } from './command';
import { InputError, UsageError } from './usage';

export const layoutCommand: Command = {
  usage: 'layout NAME [--id N] [--btf FILE]... [--base FILE] [--format pahole|json]',
  summary: 'the layout of a struct or union, as `pahole -C NAME` prints it (the lowest type id of that name, or --id)',
  async run(argv) {
    const { values, positionals } = parseCommandArgs(argv, {
      id: { type: 'string' },
      btf: { type: 'string', multiple: true },
      base: { type: 'string' },
      format: { type: 'string' },
    });
    const [name] = positionals;
    if (!name && values.id === undefined) throw new UsageError('name a struct or union (or give --id)');
    const format = values.format ?? 'pahole';
    if (format !== 'pahole' && format !== 'json') throw new UsageError(`unknown format '${format}' (pahole or json)`);
    const kernels = await loadKernels(values.btf, values.base);
    for (const k of kernels.all) {
      const btf = k.btf;
      let id: number | undefined;
      if (values.id !== undefined) {
        id = Number(values.id);
        if (!Number.isInteger(id) || id < 1 || id >= btf.typeCount) throw new InputError(`${k.source}: no type id ${values.id} (ids run from 1 to ${btf.typeCount - 1})`);
        if (name && btf.name(id) !== name) throw new InputError(`${k.source}: type [${id}] is '${btf.name(id)}', not '${name}'`);
      } else {
        id = btf.findFirstOf(name, [Kind.Struct, Kind.Union]);
      }
      if (id === undefined) {
        const names = [...btf.namesOfKind(Kind.Struct), ...btf.namesOfKind(Kind.Union)].map((n) => n.name);
        const near = closest(name, names);
        throw new InputError(`${k.source}: no struct or union named '${name}'${near.length ? ` (did you mean ${near.join(', ')}?)` : ''}`);
      }
      const layout = layoutOf(btf, id);
      if (!layout) throw new InputError(`${k.source}: type [${id}] '${btf.name(id)}' is not a struct or union`);
      process.stdout.write(format === 'json' ? JSON.stringify(layoutJson(layout), null, 2) + '\n' : formatPahole(btf, layout));
    }
    return 0;
  },
};
