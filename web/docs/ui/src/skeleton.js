// Starter operations for a root field: what "Try it" puts in the editor.
import {
  getNamedType,
  isEnumType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
} from 'graphql';

/**
 * Returns an operation that calls the root field `field` of kind "query" or
 * "mutation", with its arguments as variables, and a variables object that
 * fills the required ones with a placeholder.
 * @param {import('graphql').GraphQLField<unknown, unknown>} field
 * @param {'query'|'mutation'} kind
 */
export function skeleton(field, kind) {
  const required = field.args.filter((a) => isNonNullType(a.type));
  const args = kind === 'query' ? field.args.filter((a) => isNonNullType(a.type) || a.name === 'first') : required;
  const vars = args.map((a) => `$${a.name}: ${a.type}`).join(', ');
  const call = args.map((a) => `${a.name}: $${a.name}`).join(', ');
  const name = field.name[0].toUpperCase() + field.name.slice(1);
  const selection = select(field.type, 1);
  const lines = [
    `${kind} ${name}${vars ? `(${vars})` : ''} {`,
    `  ${field.name}${call ? `(${call})` : ''}${selection}`,
    '}',
  ];
  const variables = {};
  for (const a of args) {
    variables[a.name] = a.name === 'first' ? 10 : placeholder(a.type);
  }
  return { query: lines.join('\n'), variables: JSON.stringify(variables, null, 2) };
}

/** A selection set for type at indent level depth: scalars, and a connection's nodes. */
function select(type, depth) {
  const named = getNamedType(type);
  if (!isObjectType(named)) return '';
  const pad = '  '.repeat(depth + 1);
  const end = '  '.repeat(depth);
  const fields = named.getFields();
  if (fields.edges && fields.totalCount) {
    const node = getNamedType(getNamedType(fields.edges.type).getFields().node.type);
    return ` {\n${pad}totalCount\n${pad}edges {\n${pad}  node${scalars(node, depth + 2)}\n${pad}}\n${end}}`;
  }
  if (named.name.endsWith('WithSecret') && fields.token) {
    return ` {\n${pad}secret\n${pad}token${scalars(getNamedType(fields.token.type), depth + 1)}\n${end}}`;
  }
  return scalars(named, depth);
}

/** The scalar and enum fields of an object type, without arguments. */
function scalars(type, depth) {
  if (!isObjectType(type)) return '';
  const pad = '  '.repeat(depth + 1);
  const names = Object.values(type.getFields())
    .filter((f) => f.args.length === 0)
    .filter((f) => {
      const t = getNamedType(f.type);
      return isScalarType(t) || isEnumType(t);
    })
    .map((f) => f.name);
  if (names.length === 0) return ' {\n' + pad + '__typename\n' + '  '.repeat(depth) + '}';
  return ` {\n${names.map((n) => pad + n).join('\n')}\n${'  '.repeat(depth)}}`;
}

/** A JSON placeholder for a value of type t. */
function placeholder(t) {
  const inner = isNonNullType(t) ? t.ofType : t;
  if (isListType(inner)) return [];
  const named = getNamedType(inner);
  if (isScalarType(named)) {
    switch (named.name) {
      case 'Int':
      case 'Float':
        return 0;
      case 'Boolean':
        return false;
      case 'ID':
        return '<id>';
      default:
        return '';
    }
  }
  if (isEnumType(named)) return named.getValues()[0]?.name ?? '';
  return {};
}
