import { de } from './de.js';
import { en } from './en.js';
import { es } from './es.js';
import { fr } from './fr.js';
import type { ModalMessages } from './messages.js';

export const MESSAGE_TABLES: Readonly<Record<string, ModalMessages>> = { en, es, fr, de };

const RTL_LANGUAGES = new Set(['ar', 'he', 'fa', 'ur', 'ps', 'sd', 'ug', 'yi', 'dv', 'ckb']);

const primaryLanguage = (tag: string): string => tag.trim().toLowerCase().split(/[-_]/)[0] ?? '';

export interface ResolvedLocale {
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
  const match = candidates.map(primaryLanguage).find((lang) => lang in MESSAGE_TABLES);
  const dirAttribute = (host.closest('[dir]') ?? document.documentElement).getAttribute('dir')?.toLowerCase();
  const dir =
    dirAttribute === 'rtl' || dirAttribute === 'ltr' ? dirAttribute : RTL_LANGUAGES.has(requested) ? 'rtl' : 'ltr';
  return { messages: MESSAGE_TABLES[match ?? 'en'] ?? en, requested, dir };
}
