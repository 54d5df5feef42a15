/**
 * Scans the captures of a test run (test/helpers/capture.ts) for credentials: server logs
 * (`server-*.log`, pino JSON lines) and browser records (`browser-*.jsonl`: console messages,
 * page errors, request URLs, storage and cookies).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { BrowserRecord } from '../helpers/capture.js';

export type SecretKind = 'jwt' | 'apiKey' | 'fixtureSecret' | 'oneTimeSecret';

/**
 * What counts as a leak. `fixtureSecret`: what the Demo Store fixtures hand out (store API keys,
 * OAuth client secrets, access and refresh tokens, webhook secrets) plus literal test secrets.
 * `oneTimeSecret`: OAuth authorization codes and Embedded Link tokens, which travel in a browser
 * URL by design (RFC 6749 redirect, the link itself) but must not reach a log, console or storage.
 */
const PATTERNS: Record<SecretKind, RegExp> = {
  jwt: /eyJ[\w-]{2,}\.eyJ[\w-]{2,}\.[\w-]*/g,
  apiKey: /\bak_(?:dev|prod)_[\w-]{6,}/g,
  fixtureSecret: /\b(?:dsk|dscs|dsat|dsrt|whsec)_[\w-]{6,}|\bsk_test_12345678\b/g,
  oneTimeSecret: /\bdsac_[\w-]{6,}|\/link\/+(?!link\.js|ended\/)[\w-]{40,}/gi,
};

export interface Finding {
  file: string;
  where: string;
  kind: SecretKind;
  /** The first characters only: the report must not re-leak what it found. */
  excerpt: string;
}

export interface ScanReport {
  serverFiles: number;
  browserFiles: number;
  logLines: number;
  urls: number;
  consoleMessages: number;
  storageItems: number;
  findings: Finding[];
}

const ALL_KINDS: SecretKind[] = ['jwt', 'apiKey', 'fixtureSecret', 'oneTimeSecret'];
/** A page must fetch an OAuth callback or open an Embedded Link by URL; nothing else may carry secrets. */
const URL_KINDS: SecretKind[] = ['jwt', 'apiKey', 'fixtureSecret'];

/** Every credential-shaped string in `text`, by kind. */
export function findSecrets(text: string, kinds: SecretKind[] = ALL_KINDS): { kind: SecretKind; match: string }[] {
  const found: { kind: SecretKind; match: string }[] = [];
  for (const kind of kinds) {
    for (const match of text.matchAll(PATTERNS[kind])) found.push({ kind, match: match[0] });
  }
  return found;
}

export function scanCaptureDir(dir: string): ScanReport {
  const report: ScanReport = {
    serverFiles: 0,
    browserFiles: 0,
    logLines: 0,
    urls: 0,
    consoleMessages: 0,
    storageItems: 0,
    findings: [],
  };
  const record = (file: string, where: string, text: string, kinds: SecretKind[]) => {
    for (const { kind, match } of findSecrets(text, kinds)) {
      report.findings.push({ file, where, kind, excerpt: `${match.slice(0, 12)}…` });
    }
  };
  for (const name of fs.existsSync(dir) ? fs.readdirSync(dir).sort() : []) {
    const file = path.join(dir, name);
    const lines = fs.readFileSync(file, 'utf8').split('\n').filter(Boolean);
    if (name.startsWith('server-') && name.endsWith('.log')) {
      report.serverFiles += 1;
      report.logLines += lines.length;
      lines.forEach((line, index) => {
        if (line.includes('"url":')) report.urls += 1;
        record(name, `line ${index + 1}`, line, ALL_KINDS);
      });
    } else if (name.startsWith('browser-') && name.endsWith('.jsonl')) {
      report.browserFiles += 1;
      lines.forEach((line, index) => {
        const entry = JSON.parse(line) as BrowserRecord;
        const where = `line ${index + 1} (${entry.kind}, page ${entry.page})`;
        if (entry.kind === 'request') {
          report.urls += 1;
          record(name, where, entry.text, URL_KINDS);
        } else {
          if (entry.kind === 'console' || entry.kind === 'pageerror') report.consoleMessages += 1;
          else report.storageItems += 1;
          record(name, where, entry.text, ALL_KINDS);
        }
      });
    }
  }
  return report;
}
