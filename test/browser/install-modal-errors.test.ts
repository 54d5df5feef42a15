import { expect, waitUntil } from '@open-wc/testing';
import { emulateMedia } from '@web/test-runner-commands';
import { de } from '../../src/modal/i18n/de.js';
import { en } from '../../src/modal/i18n/en.js';
import { es } from '../../src/modal/i18n/es.js';
import { errorDetailsMessages } from '../../src/modal/i18n/error-details-messages.js';
import { errorMessages } from '../../src/modal/i18n/error-copy-messages.js';
import { fr } from '../../src/modal/i18n/fr.js';
import { errorCopyKind } from '../../src/modal/internal/error-copy.js';
import { setChunkPreloader } from '../../src/modal/internal/lazy-chunk.js';
import { AlloyError } from '../../src/sdk/errors.js';
import {
  FakeApi,
  INSTALLED,
  control,
  openModal,
  primaryButton,
  removeModals,
  statusText,
  typeInto,
} from './modal-fixtures.js';

/** What the SDK throws when the network is down: its message is for developers (CORS, base URL). */
const offline = () =>
  new AlloyError(
    'NETWORK_ERROR',
    'Could not reach the Alloy API at http://api.test (GET /2024-03/widget/integrations/x). Check the connection, the base URL and that the server allows this origin (CORS).',
    { request: 'GET /2024-03/widget/integrations/x' },
  );

const unavailable = () =>
  new AlloyError('SERVER_ERROR', 'The Alloy API answered 503 to POST /2024-03/widget/installations.', {
    status: 503,
    request: 'POST /2024-03/widget/installations',
    requestId: '6f1c2a9e-3b7d-4c1e-9a55-0d2b8e4f7a10',
  });

const details = (root: ShadowRoot) => root.querySelector<HTMLDetailsElement>('[part="error-details"]')!;
const errorText = (root: ShadowRoot) => root.querySelector('#alloy-error-text')!.textContent!.trim();

async function failInstall(props: Parameters<typeof openModal>[1] = {}) {
  const api = new FakeApi();
  api.installResult = unavailable();
  const opened = await openModal(api, props);
  typeInto(control(opened.root, 'Order reference prefix'), 'A-');
  primaryButton(opened.root).click();
  await waitUntil(() => opened.root.querySelector('.result.error'), 'the error state');
  await waitUntil(() => details(opened.root), 'the Details view loads');
  return { ...opened, api };
}

describe('<alloy-install-modal> error copy', () => {
  // No entrance animation: axe reads colours mid-fade otherwise.
  beforeEach(() => emulateMedia({ reducedMotion: 'reduce' }));
  afterEach(async () => {
    removeModals();
    await emulateMedia({ reducedMotion: 'no-preference' });
  });

  it('leads with a human sentence, never the developer hints, and announces it', async () => {
    const { el, root } = await openModal(new FakeApi(offline()), { appearance: { brandName: 'AcmeCo' } });
    // The sentence and Details come with the error chunk, together; the announcement waits for them.
    await waitUntil(() => details(root), 'the error chunk loads');
    expect(errorText(root)).to.equal(
      'We could not load this integration. We couldn’t reach AcmeCo’s service. Check your connection and try again.',
    );
    await waitUntil(() => statusText(root).includes('We couldn’t reach AcmeCo’s service.'), 'announced');
    // The CORS / base URL advice is only in the closed Details (and the error the host gets).
    expect(errorText(root)).not.to.match(/CORS|base URL|Alloy API/);
    expect(details(root).open).to.equal(false);
    expect(details(root).textContent).to.contain('CORS');
    await expect(el).to.be.accessible();
  });

  it('keeps the technical part behind Details until it is opened: status, call, message, request id', async () => {
    const { el, root } = await failInstall();
    expect(errorText(root)).to.equal(
      'The installation did not complete. Demo Store’s service is having trouble. Try again in a minute.',
    );
    const disclosure = details(root);
    const list = disclosure.querySelector('dl')!;
    expect(disclosure.open).to.equal(false);
    expect(list.checkVisibility()).to.equal(false);
    expect(disclosure.querySelector('.copy')!.checkVisibility()).to.equal(false);

    disclosure.querySelector('summary')!.click();
    await el.updateComplete;
    expect(disclosure.open).to.equal(true);
    expect(list.checkVisibility()).to.equal(true);
    const rows = [...list.querySelectorAll('dt')].map((dt) => [dt.textContent, dt.nextElementSibling!.textContent]);
    expect(rows).to.deep.equal([
      ['Status', '503'],
      ['Request', 'POST /2024-03/widget/installations'],
      ['Message', 'The Alloy API answered 503 to POST /2024-03/widget/installations.'],
      ['Request ID', '6f1c2a9e-3b7d-4c1e-9a55-0d2b8e4f7a10'],
    ]);
    await expect(el).to.be.accessible();
  });

  it('copies the details, request id included, and says so; says how when the clipboard refuses', async () => {
    const { el, root } = await failInstall();
    details(root).querySelector('summary')!.click();
    const clipboard = navigator.clipboard;
    const original = Object.getOwnPropertyDescriptor(clipboard, 'writeText');
    const copied: string[] = [];
    Object.defineProperty(clipboard, 'writeText', {
      configurable: true,
      value: async (text: string) => void copied.push(text),
    });
    try {
      details(root).querySelector<HTMLButtonElement>('.copy')!.click();
      await waitUntil(() => copied.length === 1);
      expect(copied[0]).to.equal(
        [
          'Status: 503',
          'Request: POST /2024-03/widget/installations',
          'Message: The Alloy API answered 503 to POST /2024-03/widget/installations.',
          'Request ID: 6f1c2a9e-3b7d-4c1e-9a55-0d2b8e4f7a10',
        ].join('\n'),
      );
      await el.updateComplete;
      expect(details(root).querySelector('[aria-live]')!.textContent).to.equal('Details copied to the clipboard.');
      await expect(el).to.be.accessible();

      Object.defineProperty(clipboard, 'writeText', {
        configurable: true,
        value: () => Promise.reject(new DOMException('denied', 'NotAllowedError')),
      });
      details(root).querySelector<HTMLButtonElement>('.copy')!.click();
      await waitUntil(() => details(root).querySelector('[aria-live]')!.textContent!.startsWith('Could not copy'));
      const requestId = [...details(root).querySelectorAll('code')].at(-1)!;
      expect(getComputedStyle(requestId).userSelect).to.equal('all', 'one click selects the whole id');
    } finally {
      if (original) Object.defineProperty(clipboard, 'writeText', original);
      else delete (clipboard as unknown as Record<string, unknown>).writeText;
    }
  });

  it('speaks every language: the sentence and the Details labels', async () => {
    const expected = {
      es: ['El servicio de Demo Store tiene problemas', 'Detalles', 'ID de solicitud'],
      fr: ['Le service de Demo Store rencontre un problème', 'Détails', 'ID de requête'],
      de: ['Der Dienst von Demo Store hat gerade Probleme', 'Details', 'Anfrage-ID'],
    };
    for (const [locale, [sentence, summary, requestId]] of Object.entries(expected)) {
      const { el, root } = await failInstall({ locale });
      expect(errorText(root), locale).to.contain(sentence);
      expect(details(root).querySelector('summary')!.textContent, locale).to.equal(summary);
      expect(details(root).textContent, locale).to.contain(requestId);
      await expect(el).to.be.accessible();
      removeModals();
    }
  });

  it('has a distinct, filled-in sentence per failure kind in all four languages', () => {
    const kinds = [
      'unreachable',
      'timeout',
      'unavailable',
      'busy',
      'session',
      'notFound',
      'rejected',
      'unexpected',
    ] as const;
    // English sentences and Details labels come with the error chunk; the other languages carry their own.
    expect(en.errors).to.equal(undefined);
    expect(en.errorDetails).to.equal(undefined);
    for (const table of [es, fr, de]) expect(table.errors && table.errorDetails, table.locale).not.to.equal(undefined);
    for (const table of [en, es, fr, de]) {
      const errors = errorMessages(table);
      const sentences = kinds.map((kind) => {
        const entry = errors[kind];
        return typeof entry === 'function' ? entry('Demo Store') : entry;
      });
      expect(new Set(sentences).size, table.locale).to.equal(kinds.length);
      for (const sentence of sentences) expect(sentence, table.locale).to.match(/\S.{20,}[.!]$/);
      expect(errors.unreachable('Demo Store'), table.locale).to.contain('Demo Store');
      expect(errors.unreachable(), table.locale).not.to.contain('undefined');
      expect(table.brandConnects('AcmeCo', 'Demo Store'), table.locale).to.match(
        /AcmeCo.*Demo Store|Demo Store.*AcmeCo/,
      );
      for (const label of [
        'details',
        'status',
        'request',
        'message',
        'requestId',
        'copy',
        'copied',
        'copyFailed',
      ] as const) {
        expect(errorDetailsMessages(table)[label], `${table.locale} ${label}`).to.be.a('string').and.not.equal('');
      }
    }
  });

  it('maps the SDK’s codes, and bare statuses, to the sentence kinds', () => {
    const kind = (code: string, status?: number) => errorCopyKind(new AlloyError(code as never, 'x', { status }));
    expect(kind('NETWORK_ERROR')).to.equal('unreachable');
    expect(kind('TIMEOUT')).to.equal('timeout');
    expect(kind('SERVER_ERROR', 502)).to.equal('unavailable');
    expect(kind('RATE_LIMITED', 429)).to.equal('busy');
    expect(kind('TOKEN_EXPIRED', 401)).to.equal('session');
    expect(kind('NOT_FOUND', 404)).to.equal('notFound');
    expect(kind('VALIDATION_FAILED', 400)).to.equal('rejected');
    expect(errorCopyKind({ status: 503 })).to.equal('unavailable');
    expect(errorCopyKind(new Error('boom'))).to.equal('unexpected');
    expect(errorCopyKind(null)).to.equal('unexpected');
  });

  it('still says what failed, with Retry, and announces it when the error chunk cannot load', async () => {
    setChunkPreloader((name) => (name === 'error-details' ? Promise.reject(new Error('offline')) : Promise.resolve()));
    try {
      const { el, root } = await openModal(new FakeApi(offline()));
      await waitUntil(() => statusText(root).includes('We could not load this integration.'), 'announced');
      expect(errorText(root)).to.equal('We could not load this integration.');
      expect(details(root)).to.equal(null);
      expect(primaryButton(root).textContent!.trim()).to.equal('Try again');
      await expect(el).to.be.accessible();
    } finally {
      setChunkPreloader(() => Promise.resolve());
    }
  });

  it('shows no Details for a failure that is not a call’s (nothing installed to edit)', async () => {
    const { el, root } = await openModal(new FakeApi(), { operation: 'edit' });
    expect(errorText(root)).to.equal('This integration is not installed yet.');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(details(root)).to.equal(null);
    await expect(el).to.be.accessible();
    void INSTALLED;
  });
});
