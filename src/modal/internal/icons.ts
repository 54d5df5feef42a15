import { svg, type SVGTemplateResult } from 'lit';

/** Static outline icons (24px grid, stroke = currentColor); decorative, so always aria-hidden. */
const icon = (paths: SVGTemplateResult): SVGTemplateResult =>
  svg`<svg class="icon" viewBox="0 0 24 24" aria-hidden="true" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round">${paths}</svg>`;

const eye = svg`<path d="M2.5 12S6 5.5 12 5.5 21.5 12 21.5 12 18 18.5 12 18.5 2.5 12 2.5 12z"/><circle cx="12" cy="12" r="3"/>`;

export const closeIcon = icon(svg`<path d="M6 6l12 12M18 6L6 18"/>`);
export const checkIcon = icon(svg`<path d="M5 12.5l4.5 4.5L19 7.5"/>`);
export const alertIcon = icon(svg`<circle cx="12" cy="12" r="9"/><path d="M12 7.5v5.5M12 16.5v.01"/>`);
export const eyeIcon = icon(eye);
/** The eye, struck through. */
export const eyeOffIcon = icon(svg`${eye}<path d="M4 4l16 16"/>`);
