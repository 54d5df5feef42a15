const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * Only web images may become an `<img src>`: `https:` anywhere, `http:` on this machine (development).
 * Everything else (`javascript:`, `data:`, `blob:`, `file:`, unparsable text) is dropped. API URLs must
 * be absolute; a URL the host page passes (its own logo) may be relative to the page.
 */
export function safeImageUrl(url: string | undefined, base?: string): string | undefined {
  if (!url) return undefined;
  let parsed: URL;
  try {
    parsed = base === undefined ? new URL(url) : new URL(url, base);
  } catch {
    return undefined;
  }
  const allowed = parsed.protocol === 'https:' || (parsed.protocol === 'http:' && LOCAL_HOSTS.has(parsed.hostname));
  return allowed ? parsed.href : undefined;
}
