import type { ConfigField } from '../../contract/index.js';
import type { ModalMessages } from '../i18n/messages.js';
import { toWireValue, type FieldValue } from './field-values.js';

/** The server refuses longer text outright, whatever the definition's rules say. */
export const MAX_TEXT_LENGTH = 10_000;

/**
 * Checks one field the way the server's `checkValue`/`checkTextRules` do, on the value that will be
 * sent, in the same order, so the modal never accepts what the server refuses (or the reverse).
 * Returns the message to show, or undefined. `badInput` is a number input holding something that is
 * not a number (the browser then reports an empty value).
 */
export function checkField(
  field: ConfigField,
  value: FieldValue | undefined,
  messages: ModalMessages,
  formatNumber: (value: number) => string,
  badInput = false,
): string | undefined {
  if (badInput) return messages.mustBeNumber;
  const wire = toWireValue(field, value);
  if (wire === undefined) return field.required ? messages.required : undefined;
  const rules = field.rules ?? {};
  const options = field.options?.map((option) => option.value);
  switch (field.type) {
    case 'number': {
      if (typeof wire !== 'number' || !Number.isFinite(wire)) return messages.mustBeNumber;
      if (rules.min !== undefined && wire < rules.min) return messages.tooSmall(formatNumber(rules.min));
      if (rules.max !== undefined && wire > rules.max) return messages.tooLarge(formatNumber(rules.max));
      return undefined;
    }
    case 'select':
    case 'dynamicSelect':
      return options && !options.includes(String(wire)) ? messages.notAnOption : undefined;
    case 'multiselect':
      return options && Array.isArray(wire) && !wire.every((v) => options.includes(v))
        ? messages.notAnOption
        : undefined;
    case 'boolean':
      return undefined;
    default: {
      const text = String(wire);
      if (text.length > MAX_TEXT_LENGTH) return messages.tooLong(formatNumber(MAX_TEXT_LENGTH));
      if (rules.minLength !== undefined && text.length < rules.minLength) {
        return messages.tooShort(formatNumber(rules.minLength));
      }
      if (rules.maxLength !== undefined && text.length > rules.maxLength) {
        return messages.tooLong(formatNumber(rules.maxLength));
      }
      if (rules.pattern !== undefined && !matchesWhole(rules.pattern, text)) {
        return rules.patternMessage ?? messages.badFormat;
      }
      return undefined;
    }
  }
}

/** The server anchors the pattern the same way; a pattern that does not compile is left to the server. */
function matchesWhole(pattern: string, text: string): boolean {
  try {
    return new RegExp(`^(?:${pattern})$`).test(text);
  } catch {
    return true;
  }
}
