import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyReply } from 'fastify';

const here = path.dirname(fileURLToPath(import.meta.url));
const read = (name: string): string => fs.readFileSync(path.join(here, name), 'utf8');

/** The pages' files, read once: scripts are files so the CSP can forbid inline script. */
export const PAGE_FILES = {
  css: read('page.css'),
  oauthCallbackJs: read('oauth-callback.js'),
  linkJs: read('link.js'),
};

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export const escapeHtml = (value: string): string => value.replace(/[&<>"']/g, (c) => ESCAPES[c]!);

/**
 * Headers of every page we render: a strict CSP (scripts and styles from this origin only, no
 * inline script), no referrer (link and OAuth URLs carry secrets), no framing, no caching.
 */
export function pageHeaders(
  reply: FastifyReply,
  extraScriptSrc = '',
  { imageOrigins = [] }: { imageOrigins?: readonly string[] } = {},
): FastifyReply {
  const imgSrc = ["'self'", 'data:', ...imageOrigins].join(' ');
  return reply
    .type('text/html; charset=utf-8')
    .header(
      'content-security-policy',
      `default-src 'none'; script-src 'self'${extraScriptSrc}; style-src 'self'; img-src ${imgSrc}; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
    )
    .header('referrer-policy', 'no-referrer')
    .header('x-content-type-options', 'nosniff')
    .header('cache-control', 'no-store');
}

/** A static page asset with the same no-referrer policy. */
export function sendAsset(reply: FastifyReply, type: string, body: string): FastifyReply {
  return reply
    .type(type)
    .header('referrer-policy', 'no-referrer')
    .header('x-content-type-options', 'nosniff')
    .header('cache-control', 'no-cache')
    .send(body);
}

/** The ISV's name and logo a page shows above its heading. */
export interface PageBrand {
  name?: string | undefined;
  /** An https URL (http on localhost) or a path on this server. */
  logoUrl?: string | undefined;
}

/** The origin a page's CSP must allow for the brand logo, when it lives on another one. */
export function brandImageOrigins(brand: PageBrand | undefined): string[] {
  const logo = brand?.logoUrl;
  return logo && /^https?:\/\//.test(logo) ? [new URL(logo).origin] : [];
}

function renderBrand(brand: PageBrand | undefined): string {
  if (!brand?.name && !brand?.logoUrl) return '';
  // The name beside it says who it is; alone, the logo names the ISV itself.
  const logo = brand.logoUrl
    ? `<img src="${escapeHtml(brand.logoUrl)}" alt="${brand.name ? '' : 'Logo'}" height="32" referrerpolicy="no-referrer">`
    : '';
  const name = brand.name ? `<span>${escapeHtml(brand.name)}</span>` : '';
  return `<header class="brand">${logo}${name}</header>\n`;
}

/** A whole small page: a heading, a paragraph or two, optional attributes on `<main>`, scripts. */
export function renderPage(options: {
  title: string;
  heading: string;
  paragraphs: string[];
  mainAttributes?: Record<string, string>;
  scripts?: string[];
  body?: string;
  /** Shown above the heading (logo and name), when the server has one. */
  brand?: PageBrand | undefined;
}): string {
  const attributes = Object.entries(options.mainAttributes ?? {})
    .map(([name, value]) => ` ${name}="${escapeHtml(value)}"`)
    .join('');
  const scripts = (options.scripts ?? []).map((src) => `<script src="${escapeHtml(src)}" defer></script>`).join('');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(options.title)}</title>
<link rel="stylesheet" href="/pages/page.css">
${scripts}
</head>
<body>
<main${attributes}>
${renderBrand(options.brand)}<h1>${escapeHtml(options.heading)}</h1>
${options.paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`).join('\n')}
${options.body ?? ''}
</main>
</body>
</html>
`;
}
