// Types for shell.js, the demo's shared page frame, so the TypeScript React page can use it.
export function el(
  tag: string,
  attrs?: Record<string, unknown>,
  ...children: (Node | string | null | undefined)[]
): HTMLElement;
export function json(response: Response): Promise<unknown>;
export function postJson(url: string, body: unknown, method?: string): Promise<unknown>;
export function currentUser(): string;
export function signIn(username: string): Promise<string>;
export function copyButton(label: string, text: () => string): HTMLButtonElement;
export function mountShell(activeHref: string): { username: string };
