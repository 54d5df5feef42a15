import { loadChunk } from '../internal/lazy-chunk.js';
import { en } from './en.js';
import type { ModalMessages } from './messages.js';

/**
 * The built-in languages. English is always in; the others are their own modules, loaded when a
 * modal resolves to them (`loadMessages`), so the CDN's modal chunk carries only English.
 */
const LOADERS: Readonly<Record<string, () => Promise<ModalMessages>>> = {
  en: () => Promise.resolve(en),
  es: () => loadChunk('es', () => import('./es.js')).then((module) => module.es),
  fr: () => loadChunk('fr', () => import('./fr.js')).then((module) => module.fr),
  de: () => loadChunk('de', () => import('./de.js')).then((module) => module.de),
};

/** The built-in tables loaded so far, by language (English from the start). */
export const MESSAGE_TABLES: Readonly<Record<string, ModalMessages>> = { en };

const loading = new Map<string, Promise<ModalMessages>>();

/** Loads the built-in table of `language` (one of the built-in languages) once; a failure is forgotten. */
export function loadMessages(language: string): Promise<ModalMessages> {
  let table = loading.get(language);
  if (!table) {
    table = LOADERS[language]!().then(
      (messages) => ((MESSAGE_TABLES as Record<string, ModalMessages>)[language] = messages),
      (error: unknown) => {
        loading.delete(language);
        throw error;
      },
    );
    loading.set(language, table);
  }
  return table;
}

const RTL_LANGUAGES = new Set(['ar', 'he', 'fa', 'ur', 'ps', 'sd', 'ug', 'yi', 'dv', 'ckb']);

const primaryLanguage = (tag: string): string => tag.trim().toLowerCase().split(/[-_]/)[0] ?? '';

export interface ResolvedLocale {
  /** The built-in language chosen; its table is in `MESSAGE_TABLES` once `loadMessages` loaded it. */
  language: string;
  messages: ModalMessages;
  /** The language the page or option asked for, even when we have no table for it (it decides direction). */
  requested: string;
  dir: 'ltr' | 'rtl';
}

/**
 * Picks the message table and text direction: the `locale` option, then the nearest `lang` attribute
 * around the element (up to `<html lang>`), then the browser's languages, then English. Direction
 * comes from the nearest `dir` attribute, else from the requested language; computed CSS is never
 * read, so a host stylesheet setting `direction` cannot flip the modal.
 */
export function resolveLocale(host: Element, option: string | undefined): ResolvedLocale {
  const candidates = [
    option,
    host.closest('[lang]')?.getAttribute('lang'),
    // closest() stops at a shadow root; a modal rendered inside another component still follows the page.
    document.documentElement.getAttribute('lang'),
    ...(typeof navigator === 'undefined' ? [] : navigator.languages),
  ].filter((tag): tag is string => typeof tag === 'string' && tag.trim() !== '');
  const requested = primaryLanguage(candidates[0] ?? 'en');
  const match = candidates.map(primaryLanguage).find((lang) => lang in LOADERS);
  const dirAttribute = (host.closest('[dir]') ?? document.documentElement).getAttribute('dir')?.toLowerCase();
  const dir =
    dirAttribute === 'rtl' || dirAttribute === 'ltr' ? dirAttribute : RTL_LANGUAGES.has(requested) ? 'rtl' : 'ltr';
  const language = match ?? 'en';
  // Until its table is loaded, English stands in (the modal waits for the table before it shows).
  return { language, messages: MESSAGE_TABLES[language] ?? en, requested, dir };
}
