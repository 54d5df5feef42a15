import type { ConsoleLanguage } from '../../api-types.js';
import { ConsoleApiError } from '../../api-types.js';

/** A timestamp as a short local date and time in the console's language, or the raw text if unparsable. */
export function formatDate(iso: string, lang: ConsoleLanguage): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeStyle: 'medium' }).format(date);
}

/** The time between two timestamps, e.g. `840 ms`, `2.4 s`, `3 min 5 s`; undefined while still running. */
export function formatDuration(startedAt: string, stoppedAt: string | null): string | undefined {
  if (stoppedAt === null) return undefined;
  const ms = Date.parse(stoppedAt) - Date.parse(startedAt);
  if (!Number.isFinite(ms) || ms < 0) return undefined;
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const minutes = Math.floor(ms / 60_000);
  return `${minutes} min ${Math.round((ms % 60_000) / 1000)} s`;
}

/** Any JSON-like value as indented text for a `<pre>` (never markup). */
export function formatJson(value: unknown): string {
  if (value === undefined) return '';
  try {
    return JSON.stringify(value, null, 2) ?? String(value);
  } catch {
    return String(value);
  }
}

/** What a failed call shows: its message and, when the API gave one, the request id. */
export interface ViewError {
  message: string;
  requestId?: string;
}

export function toViewError(error: unknown): ViewError {
  if (error instanceof ConsoleApiError) {
    return error.requestId === undefined
      ? { message: error.message }
      : { message: error.message, requestId: error.requestId };
  }
  return { message: error instanceof Error ? error.message : String(error) };
}

/** Whether an icon string can be an `<img src>` (a URL the console's CSP allows), not a glyph or a name. */
export function isImageSource(icon: string): boolean {
  return /^(https:\/\/|\/|data:image\/)/.test(icon);
}
