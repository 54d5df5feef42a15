import { html, nothing, type TemplateResult } from 'lit';
import type { ModalMessages } from '../i18n/messages.js';

/**
 * The ISV's line at the top of the modal: its logo, and "AcmeCo uses Alloy to connect Demo Store"
 * once the integration is known (its name alone before). Both come from `appearance.brandName` /
 * `logoUrl`; nothing renders when neither is set. Styled by `.brand` in install-modal.styles.ts.
 */
export interface BrandLine {
  brandName: string | undefined;
  /** Already checked (safeImageUrl) and not known to be broken; undefined shows no logo. */
  logo: string | undefined;
  /** The integration's name (or the host's heading), once known. */
  integrationName: string | undefined;
  onLogoError: () => void;
}

export function renderBrandLine(brand: BrandLine, m: ModalMessages): TemplateResult | typeof nothing {
  const { brandName, logo, integrationName } = brand;
  if (!brandName && !logo) return nothing;
  return html`<p class="brand" part="brand">
    ${
      logo
        ? // Decorative: the name beside it says who it is (and a logo alone has no name we know).
          html`<img src=${logo} alt="" referrerpolicy="no-referrer" @error=${brand.onLogoError} />`
        : nothing
    }
    ${brandName ? html`<span>${integrationName ? m.brandConnects(brandName, integrationName) : brandName}</span>` : nothing}
  </p>`;
}
