/**
 * Data mapping at run time: `{{trigger.orderId}}` (the trigger's data), `{{blocks.<id>.<path>}}`
 * (an earlier block's output) and `{{config.<field>}}` (the user's answer). A value that is one
 * template keeps the referenced value's type (an object stays an object); templates inside a
 * longer string are written as text. References were checked when the definitions loaded; a
 * path the data does not have resolves to undefined (or "" inside text).
 */
export interface TemplateScope {
  trigger: unknown;
  blocks: Readonly<Record<string, unknown>>;
  config: Readonly<Record<string, unknown>>;
}

const WHOLE = /^\{\{\s*([^{}]*?)\s*\}\}$/;
const TEMPLATE = /\{\{\s*([^{}]*?)\s*\}\}/g;

export function lookup(scope: TemplateScope, expression: string): unknown {
  const [root, ...path] = expression.split('.');
  let node: unknown =
    root === 'trigger'
      ? scope.trigger
      : root === 'blocks'
        ? scope.blocks
        : root === 'config'
          ? scope.config
          : undefined;
  for (const segment of path) {
    if (Array.isArray(node) && /^\d+$/.test(segment)) node = node[Number(segment)];
    // Own properties only: `{{trigger.__proto__}}` and friends find nothing.
    else if (node !== null && typeof node === 'object' && Object.hasOwn(node, segment))
      node = (node as Record<string, unknown>)[segment];
    else return undefined;
  }
  return node;
}

const asText = (value: unknown): string =>
  value === undefined || value === null ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value);

export function render(value: unknown, scope: TemplateScope): unknown {
  if (typeof value === 'string') {
    const whole = WHOLE.exec(value);
    if (whole) return lookup(scope, whole[1]!);
    return value.includes('{{')
      ? value.replace(TEMPLATE, (_match, expression: string) => asText(lookup(scope, expression)))
      : value;
  }
  if (Array.isArray(value)) return value.map((item) => render(item, scope));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, render(item, scope)]));
  }
  return value;
}
