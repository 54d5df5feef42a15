import type { ConfigField } from '../../contract/index.js';

/** Checks a user's answers against the field definitions (shared by installs and upgrades). */

export const isEmpty = (value: unknown): boolean =>
  value === undefined ||
  value === null ||
  (typeof value === 'string' && value.trim() === '') ||
  (Array.isArray(value) && value.length === 0);

export const normalise = (field: Pick<ConfigField, 'type'>, value: unknown): unknown =>
  typeof value === 'string' && field.type !== 'secret' ? value.trim() : value;

type CheckedField = Pick<ConfigField, 'displayName' | 'type' | 'rules' | 'options'>;

/** Checks one value against its field's type; returns a message, or undefined when it is fine. */
export function checkValue(field: CheckedField, value: unknown): string | undefined {
  switch (field.type) {
    case 'text':
    case 'textarea':
    case 'secret': {
      if (typeof value !== 'string') return `${field.displayName} must be text`;
      if (value.length > 10_000) return `${field.displayName} is too long`;
      return checkTextRules(field, field.type === 'secret' ? value : value.trim());
    }
    case 'number': {
      if (typeof value !== 'number' || !Number.isFinite(value)) return `${field.displayName} must be a number`;
      const { min, max } = field.rules ?? {};
      if (min !== undefined && value < min) return `${field.displayName} must be at least ${min}`;
      if (max !== undefined && value > max) return `${field.displayName} must be at most ${max}`;
      return undefined;
    }
    case 'boolean':
      return typeof value === 'boolean' ? undefined : `${field.displayName} must be true or false`;
    case 'select':
    case 'dynamicSelect':
      if (typeof value !== 'string') return `${field.displayName} must be one of the options`;
      if (field.options && !field.options.some((o) => o.value === value))
        return `${field.displayName} must be one of the options`;
      return undefined;
    case 'multiselect':
      if (!Array.isArray(value)) return `${field.displayName} must be a list of options`;
      if (field.options && !value.every((v) => field.options!.some((o) => o.value === v))) {
        return `${field.displayName} must only contain listed options`;
      }
      return undefined;
  }
}

export function checkTextRules(field: Pick<ConfigField, 'displayName' | 'rules'>, value: string): string | undefined {
  const rules = field.rules;
  if (!rules || value === '') return undefined;
  if (rules.minLength !== undefined && value.length < rules.minLength) {
    return `${field.displayName} must be at least ${rules.minLength} characters`;
  }
  if (rules.maxLength !== undefined && value.length > rules.maxLength) {
    return `${field.displayName} must be at most ${rules.maxLength} characters`;
  }
  if (rules.pattern !== undefined && !new RegExp(`^(?:${rules.pattern})$`).test(value)) {
    return rules.patternMessage ?? `${field.displayName} is not in the expected format`;
  }
  return undefined;
}
