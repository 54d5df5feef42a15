import type { ConfigField, ConfigValue } from '../../contract/index.js';

/**
 * What a control holds while the user edits: text (numbers stay text so a half-typed value is kept),
 * a checkbox state, or the chosen options of a multi-select.
 */
export type FieldValue = string | boolean | string[];

type FieldAddress = Pick<ConfigField, 'workflowId' | 'blockId' | 'name'>;

/** A field is identified by workflow, block and name together: two blocks may both have a `prefix`. */
export const fieldKey = (field: FieldAddress): string => `${field.workflowId}\u0000${field.blockId}\u0000${field.name}`;

const optionValues = (field: ConfigField): string[] | undefined => field.options?.map((option) => option.value);

/** Turns a saved, prefilled or default value of any JSON shape into what the field's control can show. */
export function toFieldValue(field: ConfigField, source: unknown): FieldValue {
  const allowed = optionValues(field);
  switch (field.type) {
    case 'boolean':
      return source === true || source === 'true';
    case 'multiselect': {
      const list = Array.isArray(source) ? source : typeof source === 'string' && source !== '' ? [source] : [];
      return list.map(String).filter((value) => !allowed || allowed.includes(value));
    }
    case 'number': {
      const number = typeof source === 'number' || typeof source === 'string' ? Number(source) : NaN;
      return source !== '' && Number.isFinite(number) ? String(number) : '';
    }
    case 'select':
      // A stale saved choice the definition no longer offers would show as a different option.
      return typeof source === 'string' && (!allowed || allowed.includes(source)) ? source : '';
    default:
      return typeof source === 'string' || typeof source === 'number' ? String(source) : '';
  }
}

/**
 * The value as it goes on the wire, or undefined when it is left out. Text is trimmed as the server
 * trims it; secrets are sent exactly as typed (a key may end in a space), unless only whitespace.
 */
export function toWireValue(field: ConfigField, value: FieldValue | undefined): ConfigValue | undefined {
  if (field.type === 'boolean') return value === true;
  if (Array.isArray(value)) return value.length > 0 ? value : undefined;
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  if (field.type === 'number') return Number(value.trim());
  return field.type === 'secret' ? value : value.trim();
}

/** Where the first value comes from: what the user saved, then what the ISV prefilled, then the definition. */
export function initialFieldValue(field: ConfigField, saved: unknown, prefilled: unknown): FieldValue {
  const source = saved !== undefined ? saved : prefilled !== undefined ? prefilled : field.defaultValue;
  return toFieldValue(field, source);
}
