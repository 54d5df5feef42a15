import type { ConsoleLanguage } from '../api-types.js';
import { de } from './de.js';
import { en } from './en.js';
import { es } from './es.js';
import { fr } from './fr.js';
import type { ConsoleMessages } from './messages.js';

export type { ConsoleMessages, ConsoleTheme } from './messages.js';
export { LANGUAGE_NAMES } from './messages.js';

/** The shell's tables are small (a few KB each), so all four ship with the entry. */
const TABLES: Readonly<Record<ConsoleLanguage, ConsoleMessages>> = { en, es, fr, de };

export const CONSOLE_LANGUAGES: readonly ConsoleLanguage[] = ['en', 'es', 'fr', 'de'];

export function isConsoleLanguage(value: unknown): value is ConsoleLanguage {
  return typeof value === 'string' && (CONSOLE_LANGUAGES as readonly string[]).includes(value);
}

export function messagesFor(lang: ConsoleLanguage): ConsoleMessages {
  return TABLES[lang];
}

/** The browser's first preferred language the console speaks, else English. */
export function preferredLanguage(languages: readonly string[] = navigator.languages): ConsoleLanguage {
  for (const tag of languages) {
    const primary = tag.toLowerCase().split(/[-_]/)[0];
    if (isConsoleLanguage(primary)) return primary;
  }
  return 'en';
}
