import type { FastifyInstance, FastifyRequest } from 'fastify';

const badRequest = (message: string): Error => Object.assign(new Error(message), { statusCode: 400 });

/**
 * Parses `application/x-www-form-urlencoded` bodies (the OAuth token endpoint and the consent
 * form) into a plain object of strings. A repeated parameter is a 400, as RFC 6749 §3.1 requires.
 */
export function addFormParser(app: FastifyInstance): void {
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string', bodyLimit: 16 * 1024 },
    (_request: FastifyRequest, body: string | Buffer, done: (error: Error | null, value?: unknown) => void) => {
      const fields: Record<string, string> = {};
      for (const [name, value] of new URLSearchParams(body.toString())) {
        if (Object.hasOwn(fields, name)) return done(badRequest(`The parameter ${name} was sent more than once.`));
        // defineProperty: a field called __proto__ stays a plain field.
        Object.defineProperty(fields, name, { value, enumerable: true, writable: true, configurable: true });
      }
      done(null, fields);
    },
  );
}

/** One cookie's value from the Cookie header, or undefined. */
export function readCookie(request: FastifyRequest, name: string): string | undefined {
  const header = request.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const index = part.indexOf('=');
    if (index > 0 && part.slice(0, index).trim() === name) return part.slice(index + 1).trim();
  }
  return undefined;
}
