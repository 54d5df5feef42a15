import * as z from 'zod/mini';
import { ConfigValue, OBJECT_ID_PATTERN } from '../contract/index.js';
import { AlloyError } from './errors.js';

/**
 * The options `install` / `edit` / `update` / `authenticate` / `configure` take, as alloy-frontend
 * documents them (reference facts §1.2), plus `locale` and `appearance`. zod/mini ships no messages,
 * so `describeIssue` words them for a developer: which option, what was expected.
 */

const objectId = z.string().check(z.regex(OBJECT_ID_PATTERN, 'must be a 24-character hex id from GET /integrations'));
const fn = <T extends (...args: never[]) => unknown>() =>
  z.custom<T>((value) => typeof value === 'function', 'must be a function');

/** A BCP 47 tag the browser understands, e.g. `en`, `fr-CA`. */
const locale = z.string().check(
  z.refine((value) => {
    try {
      return Intl.getCanonicalLocales(value).length === 1;
    } catch {
      return false;
    }
  }, 'must be a BCP 47 language tag such as "en" or "fr-CA"'),
);

const cssColor = z
  .string()
  .check(
    z.refine(
      (value) => typeof CSS === 'undefined' || CSS.supports('color', value),
      'must be a CSS colour such as "#4338ca" or "rgb(67 56 202)"',
    ),
  );

/** https anywhere; http only on this machine (a local server), never `javascript:` or `data:`. */
const webUrl = z.string().check(
  z.refine((value) => {
    try {
      const url = new URL(value);
      return url.protocol === 'https:' || (url.protocol === 'http:' && isLoopback(url.hostname));
    } catch {
      return false;
    }
  }, 'must be an https: URL (http: only for localhost)'),
);

export const isLoopback = (hostname: string): boolean =>
  hostname === 'localhost' || hostname === '127.0.0.1' || hostname === '[::1]' || hostname.endsWith('.localhost');

const ColorsSchema = z.strictObject({
  primary: z.optional(cssColor),
  onPrimary: z.optional(cssColor),
  surface: z.optional(cssColor),
  text: z.optional(cssColor),
  textMuted: z.optional(cssColor),
  border: z.optional(cssColor),
  danger: z.optional(cssColor),
});

export const AppearanceSchema = z.strictObject({
  theme: z.optional(z.enum(['light', 'dark', 'auto'])),
  colors: z.optional(ColorsSchema),
  /** Colours while the modal is dark (theme `dark`, or `auto` on a dark system). */
  darkColors: z.optional(ColorsSchema),
  /** A CSS length, or a number of px (`4` is `4px`). */
  radius: z.optional(z.union([z.string().check(z.maxLength(40)), z.number().check(z.gte(0), z.lte(1000))])),
  fontFamily: z.optional(z.string().check(z.maxLength(200))),
  brandName: z.optional(z.string().check(z.maxLength(100))),
  logoUrl: z.optional(webUrl),
});
export type Appearance = z.infer<typeof AppearanceSchema>;

export const PrefilledValueSchema = z.strictObject({
  name: z.string().check(z.minLength(1)),
  value: ConfigValue,
  workflowId: z.optional(z.string()),
  blockId: z.optional(z.string()),
});

const OPERATIONS = ['install', 'edit', 'update'] as const;
export type Operation = (typeof OPERATIONS)[number];

const InstallShape = {
  integrationId: z.optional(objectId),
  /** One id or a list, as alloy-frontend accepts; normalised to a list. */
  workflowIds: z.optional(z.union([objectId, z.array(objectId).check(z.minLength(1), z.maxLength(100))])),
  callback: z.optional(fn<(result: never) => void>()),
  workflowSelection: z.optional(z.boolean()),
  alwaysShowAuthentication: z.optional(z.boolean()),
  hide: z.optional(z.boolean()),
  title: z.optional(z.string().check(z.maxLength(200))),
  operation: z.optional(z.enum(OPERATIONS)),
  versionIds: z.optional(z.array(z.string())),
  preFilledValues: z.optional(z.array(PrefilledValueSchema).check(z.maxLength(500))),
  outputOverride: z.optional(z.array(z.unknown())),
  locale: z.optional(locale),
  appearance: z.optional(AppearanceSchema),
  /**
   * Close the success step by itself: `true` after AUTO_CLOSE_MS, or after this many milliseconds.
   * Unset or `false`, it stays until the user presses Done.
   */
  autoClose: z.optional(z.union([z.boolean(), z.number().check(z.int(), z.minimum(1_000), z.maximum(60_000))])),
};

/** How long the success step stays with `autoClose: true`: long enough to read what now happens. */
export const AUTO_CLOSE_MS = 4_000;

export const InstallOptionsSchema = z.object(InstallShape).check(
  z.refine((options) => options.integrationId !== undefined || options.workflowIds !== undefined, {
    message: 'integrationId is required (or workflowIds): pass the integrationId from GET /integrations',
    path: ['integrationId'],
  }),
);

export const AuthenticateOptionsSchema = z
  .object({
    app: z.optional(z.string().check(z.minLength(1), z.maxLength(100))),
    category: z.optional(z.string()),
    integrationId: z.optional(objectId),
    useUnifiedSettings: z.optional(z.boolean()),
    callback: z.optional(fn<(result: never) => void>()),
    title: z.optional(z.string().check(z.maxLength(200))),
    locale: z.optional(locale),
    appearance: z.optional(AppearanceSchema),
  })
  .check(
    z.refine((options) => options.app !== undefined || options.integrationId !== undefined, {
      message:
        'app or integrationId is required, e.g. authenticate({ app: "shopify" }); category alone needs the Unified API, which this server does not provide',
      path: ['app'],
    }),
  );

export const ConfigureOptionsSchema = z.strictObject({
  baseUrl: z.optional(
    z.string().check(
      z.refine((value) => {
        try {
          const url = new URL(value);
          return url.protocol === 'https:' || url.protocol === 'http:';
        } catch {
          return false;
        }
      }, 'must be an absolute http(s) URL such as "https://alloy.example.com"'),
    ),
  ),
  /** The API base URL of each region `setRegion` may choose; overrides what the server declares. */
  regions: z.optional(z.strictObject({ us: z.optional(webUrl), eu: z.optional(webUrl) })),
  locale: z.optional(locale),
  appearance: z.optional(AppearanceSchema),
  timeoutMs: z.optional(z.number().check(z.int(), z.minimum(1_000), z.maximum(120_000))),
});
export type ConfigureOptions = z.infer<typeof ConfigureOptionsSchema>;

/** `Alloy.uninstall(integrationId)` or, with a callback as `install` takes one, `Alloy.uninstall({ integrationId, callback })`. */
export const UninstallOptionsSchema = z.union([
  objectId,
  z.strictObject({ integrationId: objectId, callback: z.optional(fn<(result: never) => void>()) }),
]);

export const WorkflowSelectorSchema = z.union([
  z.strictObject({ workflowId: z.string().check(z.minLength(1)) }),
  z.strictObject({ workflowName: z.string().check(z.minLength(1)) }),
]);

export const KNOWN_INSTALL_OPTIONS = Object.keys(InstallShape);
export const KNOWN_AUTHENTICATE_OPTIONS = [
  'app',
  'category',
  'integrationId',
  'useUnifiedSettings',
  'callback',
  'title',
  'locale',
  'appearance',
];

interface Issue {
  code: string;
  path?: PropertyKey[];
  input?: unknown;
  expected?: string;
  message?: string;
  minimum?: unknown;
  maximum?: unknown;
  origin?: string;
  values?: unknown[];
  keys?: string[];
}

const pathText = (path: readonly PropertyKey[]): string =>
  path.reduce<string>(
    (text, key) => (typeof key === 'number' ? `${text}[${key}]` : text ? `${text}.${String(key)}` : String(key)),
    '',
  );

/** A developer-facing message for one zod issue (zod/mini carries none of its own). */
function describeIssue(issue: Issue): string {
  switch (issue.code) {
    case 'invalid_type':
      return issue.input === undefined ? 'is required' : `must be ${article(issue.expected)}`;
    case 'too_small':
      return issue.origin === 'array' ? `needs at least ${String(issue.minimum)} item(s)` : `must not be empty`;
    case 'too_big':
      return issue.origin === 'array'
        ? `allows at most ${String(issue.maximum)} items`
        : issue.origin === 'number'
          ? `must be at most ${String(issue.maximum)}`
          : `must be at most ${String(issue.maximum)} characters`;
    case 'invalid_value':
      return `must be one of ${(issue.values ?? []).map((v) => JSON.stringify(v)).join(', ')}`;
    case 'unrecognized_keys':
      return `has unknown key(s) ${(issue.keys ?? []).map((k) => `"${k}"`).join(', ')}`;
    case 'invalid_union':
      return 'has the wrong shape';
    default:
      return 'is not valid';
  }
}

const article = (expected: string | undefined): string =>
  expected === 'array' ? 'an array' : expected === 'object' ? 'an object' : `a ${expected ?? 'value'}`;

interface ParseableSchema<T> {
  safeParse(
    value: unknown,
    params?: { error?: (issue: Issue) => string },
  ): { success: true; data: T } | { success: false; error: { issues: { path: PropertyKey[]; message: string }[] } };
}

/** Parses `raw` or throws VALIDATION_FAILED naming the first bad option (all issues in `.issues`). */
export function parseOptions<T>(schema: ParseableSchema<T>, raw: unknown, method: string, subject = 'options'): T {
  const result = schema.safeParse(raw, { error: (issue) => describeIssue(issue) });
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => {
    const where = pathText(issue.path);
    // Messages from refinements already name the option; generic ones get its path in front.
    const message = !where
      ? `${subject} ${issue.message}`
      : issue.message.startsWith(where)
        ? issue.message
        : `${where} ${issue.message}`;
    return { path: issue.path.map((key) => (typeof key === 'number' ? key : String(key))), message };
  });
  const first = issues[0]?.message ?? `${subject} are not valid`;
  throw new AlloyError('VALIDATION_FAILED', `${method}: ${first}`, { issues });
}

/** Options we do not know are most likely typos (`integrationID`); say so instead of ignoring them silently. */
export function warnUnknownOptions(raw: unknown, known: readonly string[], method: string): void {
  if (typeof raw !== 'object' || raw === null) return;
  const unknown = Object.keys(raw).filter((key) => !known.includes(key));
  if (unknown.length > 0) {
    console.warn(`[Alloy] ${method}: ignoring unknown option(s) ${unknown.map((k) => `"${k}"`).join(', ')}.`);
  }
}
