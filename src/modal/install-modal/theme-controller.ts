import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { ModalAppearance } from '../options.js';

/**
 * The `appearance` option: light or dark (following the system's colour scheme for `auto` while the
 * modal is open), and colours, radius and font as custom properties on the dialog, where they beat
 * the page's.
 */
export class ThemeController implements ReactiveController {
  private systemDark = false;
  private stopWatching: (() => void) | undefined;
  private themedProperties: string[] = [];

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly appearance: () => ModalAppearance | undefined,
    private readonly dialog: () => HTMLDialogElement | null,
  ) {
    host.addController(this);
  }

  get dark(): boolean {
    const theme = this.appearance()?.theme ?? 'auto';
    return theme === 'dark' || (theme === 'auto' && this.systemDark);
  }

  /** Follows the system colour scheme while open (for theme `auto`). */
  watch(): void {
    this.unwatch();
    const darkScheme = matchMedia('(prefers-color-scheme: dark)');
    const onSchemeChange = () => {
      this.systemDark = darkScheme.matches;
      this.host.requestUpdate();
    };
    onSchemeChange();
    darkScheme.addEventListener('change', onSchemeChange);
    this.stopWatching = () => {
      darkScheme.removeEventListener('change', onSchemeChange);
      this.stopWatching = undefined;
    };
  }

  unwatch(): void {
    this.stopWatching?.();
  }

  hostDisconnected(): void {
    this.unwatch();
  }

  hostUpdated(): void {
    const dialog = this.dialog();
    if (!dialog) return;
    // Through the CSSOM rather than a style attribute, so a strict style-src CSP allows it.
    const style = dialog.style;
    const properties = this.properties();
    for (const name of this.themedProperties) if (!(name in properties)) style.removeProperty(name);
    for (const [name, value] of Object.entries(properties)) style.setProperty(name, value);
    this.themedProperties = Object.keys(properties);
  }

  /** The `appearance` option as custom properties. */
  private properties(): Record<string, string> {
    const appearance = this.appearance() ?? {};
    const dark = this.dark;
    const palette = dark
      ? (appearance.darkColors ?? (appearance.theme === 'dark' ? appearance.colors : undefined))
      : appearance.colors;
    const properties: Record<string, string> = {};
    for (const [name, value] of Object.entries(palette ?? {})) {
      // onPrimary → --alloy-color-on-primary (or --alloy-dark-color-on-primary).
      const property = name.replace(/[A-Z]/g, (upper) => `-${upper.toLowerCase()}`);
      if (typeof value === 'string' && value) properties[`--alloy-${dark ? 'dark-' : ''}color-${property}`] = value;
    }
    const radius = appearance.radius;
    if (typeof radius === 'number') properties['--alloy-radius'] = `${radius}px`;
    else if (radius) properties['--alloy-radius'] = radius;
    if (appearance.fontFamily) properties['--alloy-font-family'] = appearance.fontFamily;
    return properties;
  }
}
