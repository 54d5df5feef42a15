import type { ConfigValue } from '../contract/index.js';

/** What the modal is for: a first install, changing an installation, or moving it to a new version. */
export type ModalOperation = 'install' | 'edit' | 'update';

/**
 * Theming without a dashboard. Every colour maps to an `--alloy-color-*` custom property (dark ones to
 * `--alloy-dark-color-*`), so a host can also set those in CSS; values here win over the page's.
 */
export interface ModalAppearance {
  /** `auto` (the default) follows the user's `prefers-color-scheme`. */
  theme?: 'light' | 'dark' | 'auto';
  colors?: ModalColors;
  /**
   * Colours while the modal is dark (theme `dark`, or `auto` on a dark system). With theme `dark` and no
   * `darkColors`, `colors` is used; with `auto`, light colours never leak into the dark palette.
   */
  darkColors?: ModalColors;
  /** Corner radius: a CSS length, or a number of px (`4` is `4px`). */
  radius?: string | number;
  fontFamily?: string;
  /** The ISV's name and logo, shown in the modal header. */
  brandName?: string;
  logoUrl?: string;
}

export interface ModalColors {
  primary?: string;
  onPrimary?: string;
  surface?: string;
  text?: string;
  textMuted?: string;
  border?: string;
  danger?: string;
}

/** A value the ISV fills in for the user; fields match by name, narrowed by workflow/block when given. */
export interface PrefilledValue {
  name: string;
  value: ConfigValue;
  workflowId?: string;
  blockId?: string;
}
