import { css, html, nothing, type TemplateResult } from 'lit';
import type { ModalMessages } from '../i18n/messages.js';

/**
 * The ISV's line at the top of the modal: its logo, and "AcmeCo uses Alloy to connect Demo Store"
 * once the integration is known (its name alone before). Both come from `appearance.brandName` /
 * `logoUrl`; nothing renders when neither is set.
 */
export const brandHeaderStyles = css`
  .brand {
    gap: 10px;
    margin-bottom: 18px;
    color: var(--_text);
    font-size: 14px;
    font-weight: 400;
  }
  .brand img {
    height: 28px;
    max-width: 120px;
    object-fit: contain;
  }
  .brand b {
    font-weight: 650;
  }
`;

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
    ${brandName ? html`<span>${integrationName ? connects(m, brandName, integrationName) : html`<b>${brandName}</b>`}</span>` : nothing}
  </p>`;
}

/** The sentence with the brand in bold, whatever the language puts around it. */
function connects(m: ModalMessages, brandName: string, integrationName: string): TemplateResult {
  const sentence = m.brandConnects(brandName, integrationName);
  const at = sentence.indexOf(brandName);
  if (at < 0) return html`${sentence}`;
  return html`${sentence.slice(0, at)}<b>${brandName}</b>${sentence.slice(at + brandName.length)}`;
}
