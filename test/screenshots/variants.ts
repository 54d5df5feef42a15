import type { Browser, BrowserContext, Page } from 'playwright-core';

/** One rendering of every state: a viewport (phones at 2× like the real devices) in light or dark. */
export interface Variant {
  name: string;
  viewport: { width: number; height: number };
  scale: number;
  dark: boolean;
}

/** Each viewport in light and dark, named `<width>x<height>-<light|dark>`. */
export function variantsOf(viewports: readonly { width: number; height: number; scale: number }[]): Variant[] {
  return viewports.flatMap(({ width, height, scale }) =>
    (['light', 'dark'] as const).map((scheme) => ({
      name: `${width}x${height}-${scheme}`,
      viewport: { width, height },
      scale,
      dark: scheme === 'dark',
    })),
  );
}

/**
 * A page for one variant, without motion, that records page errors and native dialogs (a dialog is
 * dismissed and counted as an error): a screenshot run fails on any of them.
 */
export async function openVariantPage(
  browser: Browser,
  variant: Variant,
): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await browser.newContext({
    viewport: variant.viewport,
    deviceScaleFactor: variant.scale,
    colorScheme: variant.dark ? 'dark' : 'light',
    reducedMotion: 'reduce',
  });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('dialog', (dialog) => {
    errors.push(`a native ${dialog.type()} dialog opened: ${dialog.message()}`);
    void dialog.dismiss();
  });
  return { context, page, errors };
}
