import type { JsonSchema, OpenApiDocument, OpenApiOperation } from './openapi.js';

/**
 * The API reference, rendered on the server from the OpenAPI document: plain HTML and inline
 * CSS, no scripts, no CDN. Every piece of text goes through `escapeHtml`.
 */
export function renderReferencePage(doc: OpenApiDocument): string {
  const operations = Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, operation]) => ({ path, method: method.toUpperCase(), operation })),
  );
  const sections = doc.tags.map((tag) => {
    const mine = operations.filter((o) => o.operation.tags.includes(tag.name));
    return `<section aria-labelledby="tag-${slug(tag.name)}">
<h2 id="tag-${slug(tag.name)}">${escapeHtml(tag.name)}</h2>
${mine.map((o) => renderOperation(o.method, o.path, o.operation)).join('\n')}
</section>`;
  });
  const nav = doc.tags
    .map((tag) => {
      const items = operations
        .filter((o) => o.operation.tags.includes(tag.name))
        .map(
          (o) =>
            `<li><a href="#${escapeHtml(o.operation.operationId)}"><span class="m">${o.method}</span> ${escapeHtml(o.path)}</a></li>`,
        )
        .join('');
      return `<li><a href="#tag-${slug(tag.name)}">${escapeHtml(tag.name)}</a><ul>${items}</ul></li>`;
    })
    .join('');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(doc.info.title)} reference</title>
<style>${STYLES}</style>
</head>
<body>
<header>
<h1>${escapeHtml(doc.info.title)} <small>${escapeHtml(doc.info.version)}</small></h1>
<p>${inlineCode(doc.info.description)}</p>
<p>Base URL: <code>${escapeHtml(doc.servers[0]?.url ?? '')}</code>. Machine-readable: <a href="/openapi.json">OpenAPI 3.1 document</a>. ${operations.length} operations.</p>
</header>
<div class="layout">
<nav aria-label="Operations"><ul>${nav}</ul></nav>
<main>
${sections.join('\n')}
</main>
</div>
</body>
</html>
`;
}

function renderOperation(method: string, path: string, op: OpenApiOperation): string {
  const auth = op.security.map((s) => Object.keys(s)[0]).join(' or ');
  const parameters =
    op.parameters.length === 0
      ? ''
      : `<h4>Parameters</h4>
<div class="scroll"><table><thead><tr><th scope="col">Name</th><th scope="col">In</th><th scope="col">Type</th><th scope="col">Description</th></tr></thead><tbody>
${op.parameters
  .map(
    (p) =>
      `<tr><td><code>${escapeHtml(p.name)}</code>${p.required ? ' <span class="req">required</span>' : ''}</td><td>${p.in}</td><td><code>${escapeHtml(typeText(p.schema, 0))}</code>${constraints(p.schema)}</td><td>${inlineCode(p.description ?? '')}</td></tr>`,
  )
  .join('\n')}
</tbody></table></div>`;
  const body = op.requestBody
    ? `<h4>Request body${op.requestBody.required ? '' : ' (optional)'}</h4><pre>${escapeHtml(typeText(op.requestBody.content['application/json'].schema, 0))}</pre>`
    : '';
  const responses = Object.entries(op.responses)
    .map(([status, response]) => {
      const schema = response.content?.['application/json'].schema;
      const isError = Number(status) >= 400;
      return isError
        ? `<li><strong>${status}</strong> ${inlineCode(response.description)}</li>`
        : `<li><strong>${status}</strong><pre>${escapeHtml(schema ? typeText(schema, 0) : '')}</pre></li>`;
    })
    .join('\n');
  return `<article id="${escapeHtml(op.operationId)}">
<h3><span class="m">${method}</span> <code>${escapeHtml(path)}</code></h3>
<p class="summary">${escapeHtml(op.summary)}</p>
${op.description ? `<p>${inlineCode(op.description)}</p>` : ''}
<p class="auth">Auth: ${escapeHtml(auth)}</p>
${parameters}
${body}
<h4>Responses</h4>
<ul class="responses">${responses}</ul>
<p class="errors">Errors are <code>{ "error": { "code", "message", "issues?", "requestId?" } }</code>.</p>
</article>`;
}

/** A TypeScript-like rendering of a JSON Schema, which developers read faster than the schema. */
export function typeText(schema: JsonSchema, depth: number): string {
  if (typeof schema.$ref === 'string') return schema.$ref.split('/').pop() ?? 'object';
  if (schema.const !== undefined) return JSON.stringify(schema.const);
  if (schema.enum) return schema.enum.map((v) => JSON.stringify(v)).join(' | ');
  const union = schema.anyOf ?? schema.oneOf;
  if (union) return union.map((s) => typeText(s, depth)).join(' | ');
  if (Array.isArray(schema.type)) {
    return schema.type.map((t) => typeText({ ...schema, type: t }, depth)).join(' | ');
  }
  switch (schema.type) {
    case 'object': {
      const properties = Object.entries(schema.properties ?? {});
      if (properties.length === 0) {
        const extra = schema.additionalProperties;
        if (extra && typeof extra === 'object') return `{ [key: string]: ${typeText(extra, depth)} }`;
        return extra === false ? '{}' : '{ [key: string]: unknown }';
      }
      const pad = '  '.repeat(depth);
      const required = new Set(schema.required ?? []);
      const lines = properties.map(([name, property]) => {
        const comment = typeof property.description === 'string' ? `  // ${property.description}` : '';
        return `${pad}  ${name}${required.has(name) ? '' : '?'}: ${typeText(property, depth + 1)};${comment}`;
      });
      return `{\n${lines.join('\n')}\n${pad}}`;
    }
    case 'array': {
      const item = schema.items ? typeText(schema.items, depth) : 'unknown';
      return /[|{]/.test(item) && !item.startsWith('{') ? `(${item})[]` : `${item}[]`;
    }
    case 'integer':
      return 'integer';
    case 'string':
    case 'number':
    case 'boolean':
    case 'null':
      return schema.type;
    default:
      return 'unknown';
  }
}

/** Bounds and formats of a parameter, e.g. "1 to 30". */
function constraints(schema: JsonSchema): string {
  const parts: string[] = [];
  const range = (min: unknown, max: unknown, unit: string) => {
    if (typeof min === 'number' && typeof max === 'number') parts.push(`${min} to ${max}${unit}`);
    else if (typeof min === 'number') parts.push(`at least ${min}${unit}`);
    else if (typeof max === 'number') parts.push(`at most ${max}${unit}`);
  };
  range(schema.minimum, schema.maximum, '');
  range(schema.minLength, schema.maxLength, ' characters');
  if (typeof schema.pattern === 'string') parts.push(`matches ${schema.pattern}`);
  return parts.length === 0 ? '' : `<br><small>${escapeHtml(parts.join(', '))}</small>`;
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** Escapes text and shows `backticked` parts as code. */
function inlineCode(text: string): string {
  return text
    .split('`')
    .map((part, i) => (i % 2 === 1 ? `<code>${escapeHtml(part)}</code>` : escapeHtml(part)))
    .join('');
}

const slug = (text: string): string => text.toLowerCase().replace(/[^a-z0-9]+/g, '-');

const STYLES = `
:root{color-scheme:light dark;--fg:#1f2933;--muted:#52606d;--bg:#fff;--panel:#f5f7fa;--accent:#0f766e;--border:#d9e2ec;--req:#b91c1c}
@media (prefers-color-scheme:dark){:root{--fg:#e4e7eb;--muted:#9aa5b1;--bg:#111827;--panel:#1f2937;--accent:#5eead4;--border:#374151;--req:#fca5a5}}
*{box-sizing:border-box}body{margin:0;font:16px/1.5 system-ui,sans-serif;color:var(--fg);background:var(--bg)}
header{padding:1.5rem 2rem;border-bottom:1px solid var(--border)}h1 small{font-size:.6em;color:var(--muted)}
.layout{display:grid;grid-template-columns:minmax(14rem,20rem) 1fr}nav{position:sticky;top:0;align-self:start;max-height:100vh;overflow:auto;padding:1rem;border-right:1px solid var(--border);font-size:.875rem}
nav ul{list-style:none;padding-left:.75rem;margin:.25rem 0}nav a{color:var(--fg);text-decoration:none;overflow-wrap:anywhere}nav a:hover,nav a:focus{text-decoration:underline}
main{padding:1rem 2rem;min-width:0}article{border:1px solid var(--border);border-radius:8px;padding:1rem 1.25rem;margin:1rem 0;background:var(--panel)}
.m{display:inline-block;min-width:3.5rem;font:600 .8rem ui-monospace,monospace;color:var(--accent)}h3 code{font-size:1rem}
pre{overflow:auto;padding:.75rem;border-radius:6px;background:var(--bg);border:1px solid var(--border);font-size:.8125rem}
code{font-family:ui-monospace,SFMono-Regular,Menlo,monospace}.scroll{overflow-x:auto}table{border-collapse:collapse;width:100%;font-size:.875rem}
th,td{text-align:left;vertical-align:top;border-bottom:1px solid var(--border);padding:.35rem .5rem}.req{color:var(--req);font-size:.75rem}
.responses{list-style:none;padding:0}.auth,.errors{color:var(--muted);font-size:.875rem}
@media (max-width:50rem){.layout{grid-template-columns:1fr}nav{position:static;max-height:none;border-right:0;border-bottom:1px solid var(--border)}}
`;
