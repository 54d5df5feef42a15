/**
 * One cookie's value from a request's `Cookie` header, or undefined. The server's cookies carry
 * opaque URL-safe values (hex or base64url), so values are taken as sent, without decoding.
 */
export function readCookie(request: { headers: { cookie?: string | undefined } }, name: string): string | undefined {
  const header = request.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const index = part.indexOf('=');
    if (index > 0 && part.slice(0, index).trim() === name) return part.slice(index + 1).trim();
  }
  return undefined;
}
