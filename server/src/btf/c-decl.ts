// C type names and declarators from BTF: `struct list_head *next`, `char comm[16]`,
// `void (*fn)(struct sk_buff *, int)`, `const char * const p`. Used by layouts, hovers, completion details
// and the C rendering of a type.
import { Btf } from './btf';
import { ArrayType, FuncProtoType } from './types';
import { Kind, MAX_RESOLVE_DEPTH } from './wire';

/** The tag-and-name of a type as C spells it where it is used: `struct task_struct`, `u32`, `enum pid_type`. */
export function baseName(btf: Btf, id: number): string {
  if (id === 0) return 'void';
  const name = btf.name(id);
  switch (btf.kind(id)) {
    case Kind.Struct:
      return name ? `struct ${name}` : 'struct {...}';
    case Kind.Union:
      return name ? `union ${name}` : 'union {...}';
    case Kind.Enum:
    case Kind.Enum64:
      return name ? `enum ${name}` : 'enum {...}';
    case Kind.Fwd:
      return `${btf.kflag(id) ? 'union' : 'struct'} ${name}`;
    default:
      return name || '(anon)';
  }
}

/** A full declaration of `name` with type `id`; with an empty name, the type's own name (`char *`). */
export function declaration(btf: Btf, id: number, name: string, depth = 0): string {
  if (depth > MAX_RESOLVE_DEPTH * 4) return `/* type ${id}: too deep */ ${name}`.trim();
  switch (btf.kind(id)) {
    case Kind.Ptr: {
      const target = btf.sizeOrType(id);
      const tk = btf.kind(btf.skipModifiers(target));
      const inner = tk === Kind.Array || tk === Kind.FuncProto ? `(*${name})` : `*${name}`;
      return declaration(btf, target, inner, depth + 1);
    }
    case Kind.Array: {
      const a = btf.type(id) as ArrayType;
      // A zero-length array is a flexible array member: `data[]`.
      return declaration(btf, a.type, `${name}[${a.nelems || ''}]`, depth + 1);
    }
    case Kind.Const:
    case Kind.Volatile:
    case Kind.Restrict: {
      const q = btf.kind(id) === Kind.Const ? 'const' : btf.kind(id) === Kind.Volatile ? 'volatile' : 'restrict';
      const target = btf.sizeOrType(id);
      // A qualified pointer puts the qualifier after its star: `char * const p`.
      if (btf.kind(btf.skipModifiers(target)) === Kind.Ptr) return declaration(btf, target, name ? `${q} ${name}` : q, depth + 1);
      return `${q} ${declaration(btf, target, name, depth + 1)}`;
    }
    case Kind.TypeTag:
      return declaration(btf, btf.sizeOrType(id), name, depth + 1);
    case Kind.FuncProto: {
      const p = btf.type(id) as FuncProtoType;
      return declaration(btf, p.returnType, `${name}(${parameters(btf, p, depth)})`, depth + 1);
    }
    case Kind.Func:
      return declaration(btf, btf.sizeOrType(id), name || btf.name(id), depth + 1);
    default: {
      const base = baseName(btf, id);
      return name === '' ? base : name.startsWith('[') ? `${base}${name}` : `${base} ${name}`;
    }
  }
}

function parameters(btf: Btf, p: FuncProtoType, depth: number): string {
  if (p.params.length === 0) return 'void';
  return p.params
    .map((x, i) => (i === p.params.length - 1 && x.type === 0 ? '...' : declaration(btf, x.type, x.name, depth + 1)))
    .join(', ');
}

/** The C spelling of a type on its own, as in a cast: `struct task_struct *`, `char[16]`. */
export function typeName(btf: Btf, id: number): string {
  return declaration(btf, id, '');
}
