import { expect, waitUntil } from '@open-wc/testing';
import { emulateMedia, setViewport } from '@web/test-runner-commands';
import type { WidgetIntegration } from '../../src/contract/index.js';
import { safeImageUrl } from '../../src/modal/internal/safe-url.js';
import {
  DEMO_STORE,
  EVERY_FIELD_INTEGRATION,
  FakeApi,
  INSTALLED,
  PREFIX_FIELD,
  TWO_WORKFLOWS,
  control,
  dialogOf,
  errorFor,
  openModal,
  primaryButton,
  removeModals,
  stepTitle,
  typeInto,
} from './modal-fixtures.js';

const rgb = (el: Element, property: string) => getComputedStyle(el).getPropertyValue(property);

function addStyles(css: string): () => void {
  const style = document.createElement('style');
  style.textContent = css;
  document.head.append(style);
  return () => style.remove();
}

describe('<alloy-install-modal> presentation', () => {
  afterEach(async () => {
    removeModals();
    document.documentElement.lang = 'en';
    document.documentElement.removeAttribute('dir');
    await emulateMedia({ colorScheme: 'light', reducedMotion: 'no-preference' });
    await setViewport({ width: 800, height: 600 });
  });

  describe('theming', () => {
    beforeEach(() => emulateMedia({ reducedMotion: 'reduce' }));

    it('applies the appearance option: colours, radius, font, brand name and logo', async () => {
      const { el, root } = await openModal(new FakeApi(), {
        appearance: {
          colors: { primary: 'rgb(10, 100, 50)', onPrimary: 'rgb(255, 255, 255)', surface: 'rgb(250, 250, 240)' },
          radius: '4px',
          fontFamily: 'Georgia, serif',
          brandName: 'AcmeCo',
          logoUrl: '/src/server/http/static/icons/demo-store.svg',
        },
      });
      expect(rgb(primaryButton(root), 'background-color')).to.equal('rgb(10, 100, 50)');
      expect(rgb(dialogOf(root), 'background-color')).to.equal('rgb(250, 250, 240)');
      expect(rgb(dialogOf(root), 'border-top-left-radius')).to.equal('4px');
      expect(rgb(root.querySelector('h2')!, 'font-family')).to.equal('Georgia, serif');
      const brand = root.querySelector('[part="brand"]')!;
      expect(brand.textContent!.replace(/\s+/g, ' ').trim()).to.equal('AcmeCo uses Alloy to connect Demo Store');
      expect(rgb(brand, 'font-size')).to.equal('14px');
      expect(brand.querySelector('img')!.getBoundingClientRect().height).to.equal(28);
      expect(brand.querySelector('img')!.getAttribute('src')).to.equal(
        new URL('/src/server/http/static/icons/demo-store.svg', location.href).href,
      );
      await expect(el).to.be.accessible();
    });

    it('lets the host theme through --alloy-* properties and ::part(), and appearance wins over CSS', async () => {
      const remove = addStyles(`
        alloy-install-modal { --alloy-color-primary: rgb(200, 0, 0); --alloy-color-text: rgb(20, 20, 60); }
        alloy-install-modal::part(title) { letter-spacing: 3px; }
        alloy-install-modal::part(panel) { border-radius: 2px; }
        alloy-install-modal::part(field) { margin-bottom: 30px; }
        alloy-install-modal::part(finish-button) { text-transform: uppercase; }
      `);
      try {
        const { el, root } = await openModal(new FakeApi());
        expect(rgb(primaryButton(root), 'background-color')).to.equal('rgb(200, 0, 0)');
        expect(rgb(control(root, 'Order reference prefix'), 'color')).to.equal('rgb(20, 20, 60)');
        expect(rgb(root.querySelector('h2')!, 'letter-spacing')).to.equal('3px');
        expect(rgb(dialogOf(root), 'border-top-left-radius')).to.equal('2px');
        expect(rgb(root.querySelector('[part="field"]')!, 'margin-bottom')).to.equal('30px');
        expect(rgb(primaryButton(root), 'text-transform')).to.equal('uppercase');
        el.appearance = { colors: { primary: 'rgb(0, 0, 200)' } };
        await el.updateComplete;
        expect(rgb(primaryButton(root), 'background-color')).to.equal('rgb(0, 0, 200)');
      } finally {
        remove();
      }
    });

    it('has a dark theme with its own palette, accessibly (contrast included)', async () => {
      const { el, root } = await openModal(new FakeApi(EVERY_FIELD_INTEGRATION), { appearance: { theme: 'dark' } });
      expect(dialogOf(root).classList.contains('dark')).to.equal(true);
      expect(rgb(dialogOf(root), 'background-color')).to.equal('rgb(28, 28, 33)');
      expect(rgb(dialogOf(root), 'color-scheme')).to.equal('dark');
      primaryButton(root).click();
      await el.updateComplete;
      await expect(el).to.be.accessible();
    });

    it('is accessible in every state in the dark theme too', async () => {
      const dark = { appearance: { theme: 'dark' as const } };
      const check = async (el: HTMLElement) => expect(el).to.be.accessible();

      const loadingApi = new FakeApi();
      loadingApi.getIntegration = () => new Promise(() => undefined);
      await check((await openModal(loadingApi, dark, { waitFor: 'open' })).el);
      removeModals();

      await check((await openModal(new FakeApi(new Error('offline')), dark)).el);
      removeModals();

      const api = new FakeApi(TWO_WORKFLOWS);
      const release = api.holdInstall();
      const { el, root } = await openModal(api, { ...dark, workflowSelection: true });
      await check(el);
      primaryButton(root).click();
      await el.updateComplete;
      primaryButton(root).click();
      await el.updateComplete;
      await check(el); // required-field errors
      typeInto(control(root, 'Order reference prefix'), 'DS-');
      typeInto(control(root, 'Refund note'), 'ok');
      root.querySelector<HTMLButtonElement>('.close')!.click();
      await el.updateComplete;
      await check(el); // discard question
      root.querySelector<HTMLButtonElement>('.keep-editing')!.click();
      await el.updateComplete;
      primaryButton(root).click();
      await el.updateComplete;
      await check(el); // installing
      api.installResult = new Error('The Alloy API answered 503.');
      release();
      await waitUntil(() => root.querySelector('.result.error'));
      await check(el);
      api.installResult = INSTALLED;
      primaryButton(root).click();
      await waitUntil(() => root.querySelector('.success'));
      await check(el);
    });

    it('follows the system in auto, and uses darkColors only while dark', async () => {
      await emulateMedia({ colorScheme: 'dark' });
      const { el, root } = await openModal(new FakeApi(), {
        appearance: { theme: 'auto', colors: { primary: 'rgb(1, 2, 3)' }, darkColors: { primary: 'rgb(4, 5, 6)' } },
      });
      expect(dialogOf(root).classList.contains('dark')).to.equal(true);
      expect(rgb(primaryButton(root), 'background-color')).to.equal('rgb(4, 5, 6)');
      await emulateMedia({ colorScheme: 'light' });
      await waitUntil(() => !dialogOf(root).classList.contains('dark'));
      await el.updateComplete;
      expect(rgb(primaryButton(root), 'background-color')).to.equal('rgb(1, 2, 3)');
    });

    it('keeps a hostile host stylesheet out: reset, huge fonts, hidden buttons, rtl and transparent text', async () => {
      const remove = addStyles(`
        * { all: unset; }
        html { font-size: 40px !important; }
        body { font: 2px/0 serif; color: transparent; direction: rtl; letter-spacing: 9px; text-transform: uppercase; }
        button { display: none !important; }
        :root { --primary: red; }
        input, label { visibility: hidden !important; }
      `);
      try {
        const api = new FakeApi();
        const { el, root, outcome } = await openModal(api);
        const finish = primaryButton(root);
        const label = root.querySelector('label')!;
        expect(rgb(finish, 'display')).to.equal('flex');
        expect(finish.getBoundingClientRect().height).to.be.greaterThan(30);
        expect(rgb(label, 'font-size')).to.equal('15px');
        expect(rgb(label, 'color')).to.equal('rgb(31, 41, 55)');
        expect(rgb(label, 'letter-spacing')).to.equal('normal');
        expect(rgb(label, 'text-transform')).to.equal('none');
        expect(rgb(label, 'direction')).to.equal('ltr');
        expect(rgb(control(root, 'Order reference prefix'), 'visibility')).to.equal('visible');
        expect(dialogOf(root).getBoundingClientRect().width).to.equal(480);
        await expect(el).to.be.accessible();
        typeInto(control(root, 'Order reference prefix'), 'DS-');
        finish.click();
        await waitUntil(() => root.querySelector('.success'));
        el.close();
        expect(await outcome).to.deep.equal({ success: true, ...INSTALLED });
      } finally {
        remove();
      }
    });

    it('stays on top of a host element with the highest z-index', async () => {
      const blocker = document.createElement('div');
      blocker.style.cssText = 'position:fixed;inset:0;z-index:2147483647;background:red';
      document.body.append(blocker);
      try {
        const { root } = await openModal(new FakeApi());
        const rect = primaryButton(root).getBoundingClientRect();
        const hit = document.elementFromPoint(rect.left + rect.width / 2, rect.top + rect.height / 2);
        expect(hit).to.equal(document.querySelector('alloy-install-modal'));
        expect(root.elementFromPoint(rect.left + rect.width / 2, rect.top + rect.height / 2)).to.equal(
          primaryButton(root),
        );
      } finally {
        blocker.remove();
      }
    });
  });

  describe('languages', () => {
    const finishLabels = { es: 'Finalizar instalación', fr: 'Terminer l’installation', de: 'Installation abschließen' };
    for (const [locale, label] of Object.entries(finishLabels)) {
      it(`speaks ${locale} with the locale option, accessibly`, async () => {
        const { el, root } = await openModal(new FakeApi(), { locale });
        expect(primaryButton(root).textContent!.trim()).to.equal(label);
        expect(dialogOf(root).lang).to.equal(locale);
        primaryButton(root).click();
        await el.updateComplete;
        expect(errorFor(root, 'Order reference prefix')).not.to.equal('This field is required.');
        await expect(el).to.be.accessible();
      });
    }

    it('defaults to <html lang>, matches region tags, and falls back to English', async () => {
      document.documentElement.lang = 'de-AT';
      let { root } = await openModal(new FakeApi());
      expect(primaryButton(root).textContent!.trim()).to.equal('Installation abschließen');
      removeModals();
      document.documentElement.lang = 'ja';
      ({ root } = await openModal(new FakeApi(), { locale: 'es-MX' }));
      expect(stepTitle(root)).to.equal('Ajustes');
      removeModals();
      ({ root } = await openModal(new FakeApi(), { locale: 'ja' }));
      expect(primaryButton(root).textContent!.trim()).to.equal('Finish Installation');
    });

    it('switches language while open, re-wording errors already shown', async () => {
      const { el, root } = await openModal(new FakeApi(EVERY_FIELD_INTEGRATION));
      typeInto(control(root, 'Batch size'), '0');
      primaryButton(root).click();
      await el.updateComplete;
      expect(errorFor(root, 'Batch size')).to.equal('Enter 1 or more.');
      el.locale = 'fr';
      await el.updateComplete;
      expect(errorFor(root, 'Batch size')).to.equal('Saisissez 1 ou plus.');
      expect(errorFor(root, 'Order reference prefix')).to.equal('Ce champ est obligatoire.');
      expect(root.querySelector('[part="form-error"]')!.textContent).to.contain('Corrigez les 5 champs signalés.');
      document.documentElement.lang = 'es';
      el.locale = undefined;
      await waitUntil(() => primaryButton(root).textContent!.trim() === 'Finalizar instalación');
    });

    it('lays out right to left under dir="rtl", accessibly', async () => {
      await emulateMedia({ reducedMotion: 'reduce' });
      document.documentElement.dir = 'rtl';
      const { el, root } = await openModal(new FakeApi(EVERY_FIELD_INTEGRATION), {
        appearance: { brandName: 'AcmeCo' },
      });
      expect(dialogOf(root).dir).to.equal('rtl');
      const close = root.querySelector('.close')!.getBoundingClientRect();
      const title = root.querySelector('h2')!.getBoundingClientRect();
      expect(close.right).to.be.lessThan(title.left);
      const finish = primaryButton(root).getBoundingClientRect();
      const panel = dialogOf(root).getBoundingClientRect();
      expect(finish.left - panel.left).to.be.lessThan(panel.right - finish.right);
      await expect(el).to.be.accessible();
    });

    it('does not take direction from host CSS, only from dir attributes or the language', async () => {
      const remove = addStyles('html, body { direction: rtl; }');
      try {
        const { root } = await openModal(new FakeApi());
        expect(dialogOf(root).dir).to.equal('ltr');
        removeModals();
        document.documentElement.lang = 'ar';
        const reopened = await openModal(new FakeApi());
        expect(dialogOf(reopened.root).dir).to.equal('rtl');
      } finally {
        remove();
      }
    });
  });

  describe('safe rendering', () => {
    const PAYLOADS = [
      '<img src=x onerror="window.__xss=1">',
      '<script>window.__xss=1</script>',
      '</style><svg onload="window.__xss=1">',
      '{{7*7}} ${7*7} javascript:window.__xss=1',
      '"><iframe srcdoc="<script>parent.__xss=1</script>">',
    ];

    it('shows XSS payloads from the API and the host as inert text everywhere', async () => {
      const evil = (i: number) => PAYLOADS[i % PAYLOADS.length]!;
      const integration: WidgetIntegration = {
        ...DEMO_STORE,
        name: evil(0),
        description: evil(1),
        workflows: [
          { ...DEMO_STORE.workflows[0]!, name: evil(2) },
          { workflowId: 'ffffffffffffffffffffffff', name: evil(3), version: 1 },
        ],
        fields: [
          { ...PREFIX_FIELD, displayName: evil(4), help: evil(0), placeholder: evil(1), rules: {} },
          {
            ...PREFIX_FIELD,
            name: 'choice',
            type: 'select',
            displayName: evil(2),
            help: evil(3),
            options: [{ value: evil(4), label: evil(0) }],
          },
        ],
      };
      const api = new FakeApi(integration);
      api.installResult = new Error(evil(1));
      const { el, root } = await openModal(api, {
        workflowSelection: true,
        appearance: { brandName: evil(2), logoUrl: 'javascript:window.__xss=1' },
      });
      const text = root.textContent!;
      expect(root.querySelector('h2')!.textContent).to.equal(evil(0));
      expect(text).to.contain(evil(1)).and.to.contain(evil(2)).and.to.contain(evil(3));
      expect(root.querySelector('[part="brand"] img')).to.equal(null);
      primaryButton(root).click();
      await el.updateComplete;
      expect(root.textContent).to.contain(evil(4));
      expect(control(root, evil(4)).placeholder).to.equal(evil(1));
      typeInto(control(root, evil(4)), 'ok');
      typeInto(control<HTMLSelectElement>(root, evil(2)), evil(4));
      primaryButton(root).click();
      await waitUntil(() => root.querySelector('.result.error'));
      await waitUntil(() => root.querySelector('[part="error-details"]'), 'the Details view loads');
      expect(root.querySelector('[part="error-details"] dd')!.textContent).to.equal(evil(1));
      // Only the elements we render exist: no injected img/script/svg/iframe.
      expect(root.querySelectorAll('script, iframe, img').length).to.equal(0);
      expect(root.querySelectorAll('svg:not(.icon)').length).to.equal(0);
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect((window as unknown as { __xss?: number }).__xss).to.equal(undefined);
    });

    it('allows icons and logos over https: (and http: on localhost) only', () => {
      const cases: [string, boolean][] = [
        ['https://cdn.example.com/icon.svg', true],
        ['http://localhost:4000/static/icons/demo-store.svg', true],
        ['http://127.0.0.1/icon.svg', true],
        ['http://[::1]/icon.svg', true],
        ['HTTPS://CDN.EXAMPLE.COM/x.png', true],
        ['http://evil.example/icon.svg', false],
        ['http://localhost.evil.example/icon.svg', false],
        ['javascript:alert(1)', false],
        [' javascript:alert(1)', false],
        ['data:image/svg+xml,<svg onload=alert(1)>', false],
        ['//evil.example/icon.svg', false],
        ['/relative/icon.svg', false],
        ['blob:https://evil.example/1', false],
        ['file:///etc/passwd', false],
        ['', false],
      ];
      for (const [url, allowed] of cases) expect(safeImageUrl(url) !== undefined, url).to.equal(allowed);
      // A host's own logo may be relative to its page, and still only over the allowed schemes.
      expect(safeImageUrl('/logo.svg', 'https://acme.example/app/')).to.equal('https://acme.example/logo.svg');
      expect(safeImageUrl('javascript:alert(1)', 'https://acme.example/')).to.equal(undefined);
    });

    it('renders an allowed icon, and the initial in place of a refused one', async () => {
      const served = new URL('/src/server/http/static/icons/demo-store.svg', location.href).href;
      let { root } = await openModal(new FakeApi({ ...DEMO_STORE, icon: served }));
      await waitUntil(() => root.querySelector<HTMLImageElement>('img.avatar')?.complete);
      expect(root.querySelector('img.avatar')!.getAttribute('src')).to.equal(served);
      removeModals();
      ({ root } = await openModal(new FakeApi({ ...DEMO_STORE, icon: 'javascript:alert(1)' })));
      expect(root.querySelector('img')).to.equal(null);
      expect(root.querySelector('.avatar.letter')!.textContent).to.equal('D');
    });

    it('replaces an icon that fails to load with the initial', async () => {
      const { el, root } = await openModal(new FakeApi({ ...DEMO_STORE, icon: 'http://localhost:1/missing.svg' }));
      await waitUntil(() => root.querySelector('.avatar.letter'), 'broken icon replaced');
      expect(root.querySelector('img.avatar')).to.equal(null);
      await expect(el).to.be.accessible();
    });
  });

  describe('responsive', () => {
    // Geometry is measured with motion reduced, so no entrance animation is mid-way.
    beforeEach(() => emulateMedia({ reducedMotion: 'reduce' }));

    it('is a full-screen sheet at 320 px with nothing cut off, accessibly', async () => {
      await setViewport({ width: 320, height: 640 });
      const { el, root } = await openModal(new FakeApi(EVERY_FIELD_INTEGRATION), { locale: 'de' });
      const panel = dialogOf(root).getBoundingClientRect();
      expect([panel.left, panel.top, panel.width, panel.height]).to.deep.equal([0, 0, 320, 640]);
      const body = root.querySelector('.body')!;
      expect(body.scrollWidth).to.be.at.most(body.clientWidth);
      const finish = primaryButton(root).getBoundingClientRect();
      expect(finish.right).to.be.at.most(320);
      expect(finish.bottom).to.be.at.most(640);
      for (const input of root.querySelectorAll('input:not([type="checkbox"]), select, textarea')) {
        expect(input.getBoundingClientRect().right, input.id).to.be.at.most(320);
      }
      await expect(el).to.be.accessible();
    });

    it('is a centred card on wide screens', async () => {
      await setViewport({ width: 1280, height: 800 });
      const { root } = await openModal(new FakeApi());
      const panel = dialogOf(root).getBoundingClientRect();
      expect(panel.width).to.equal(480);
      expect(Math.abs(panel.left + panel.width / 2 - 640)).to.be.lessThan(2);
      expect(rgb(dialogOf(root), 'border-top-left-radius')).to.equal('14px');
    });
  });

  it('drops its animations when the user prefers reduced motion', async () => {
    await emulateMedia({ reducedMotion: 'reduce' });
    const { root } = await openModal(new FakeApi());
    expect(rgb(dialogOf(root), 'animation-name')).to.equal('none');
    await emulateMedia({ reducedMotion: 'no-preference' });
    const { root: animated } = await openModal(new FakeApi());
    expect(rgb(dialogOf(animated), 'animation-name')).to.equal('alloy-in');
  });
});
