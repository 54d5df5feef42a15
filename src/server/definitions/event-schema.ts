import * as z from 'zod/mini';

/**
 * Custom event schemas, as the product docs write them: field → type name, e.g.
 * `{"orderId":"String","status":"String"}`. Also accepted, as in the docs' examples: a sample
 * number or boolean (`"invoiceAmount": 2`) for that type, a nested object for a nested schema,
 * and a one-element array for a list of that element. A `?` after a type name makes the field
 * optional (absent or null). Data with fields the schema does not name is refused, so a typo
 * like `orderID` is a 400 rather than a silently empty value.
 */
export type EventValidator = z.ZodMiniType<Record<string, unknown>, unknown>;

export class EventSchemaError extends Error {}

const TYPE_NAME = /^(String|Number|Boolean|Object|Array)(\?)?$/;

export function compileEventSchema(schema: Record<string, unknown>): EventValidator {
  return compileObject(schema, []) as EventValidator;
}

function compileObject(schema: Record<string, unknown>, path: string[]): z.ZodMiniType {
  const shape: Record<string, z.ZodMiniType> = {};
  for (const [key, spec] of Object.entries(schema)) shape[key] = compileValue(spec, [...path, key]);
  return z.strictObject(shape);
}

function compileValue(spec: unknown, path: string[]): z.ZodMiniType {
  const where = path.join('.') || '(root)';
  if (typeof spec === 'string') {
    const match = TYPE_NAME.exec(spec);
    if (!match) {
      throw new EventSchemaError(
        `${where}: "${spec}" is not a type (String, Number, Boolean, Object or Array, ? for optional)`,
      );
    }
    const base = baseType(match[1]!);
    return match[2] ? z.optional(z.nullable(base)) : base;
  }
  if (typeof spec === 'number') return z.number();
  if (typeof spec === 'boolean') return z.boolean();
  if (Array.isArray(spec)) {
    if (spec.length !== 1) throw new EventSchemaError(`${where}: a list is written with exactly one element, its type`);
    return z.array(compileValue(spec[0], [...path, '0']));
  }
  if (spec !== null && typeof spec === 'object') {
    if (path.length >= 8) throw new EventSchemaError(`${where}: schemas nest at most 8 levels`);
    return compileObject(spec as Record<string, unknown>, path);
  }
  throw new EventSchemaError(`${where}: ${JSON.stringify(spec)} is not a type`);
}

function baseType(name: string): z.ZodMiniType {
  switch (name) {
    case 'String':
      return z.string();
    case 'Number':
      return z.number();
    case 'Boolean':
      return z.boolean();
    case 'Object':
      return z.record(z.string(), z.unknown());
    default:
      return z.array(z.unknown());
  }
}
