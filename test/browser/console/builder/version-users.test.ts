import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import type { AlloyConsoleVersionUsers } from '../../../../src/console/views/index.js';
import { FakeConsoleApi } from '../views/fake-console-api.js';
import { rootOf, text } from '../views/dom.js';
import '../../../../src/console/views/builder.js';

const WORKFLOW_ID = '65a1c0de0000000000000201';

const USERS = {
  data: [
    {
      userId: '65a1c0de00000000000000a1',
      username: 'maria@northwind.test',
      fullName: 'María González',
      workflowActive: true,
      installedVersion: 2,
      installedAt: '2026-12-01T10:00:00.000Z',
    },
    {
      userId: '65a1c0de00000000000000a2',
      username: 'li@contoso.test',
      fullName: null,
      workflowActive: false,
      installedVersion: 1,
      installedAt: '2026-11-20T09:30:00.000Z',
    },
  ],
};

async function mount(api: FakeConsoleApi, latest: number): Promise<AlloyConsoleVersionUsers> {
  const el = await fixture<AlloyConsoleVersionUsers>(
    html`<alloy-console-version-users
      .api=${api}
      .workflowId=${WORKFLOW_ID}
      .latest=${latest}
    ></alloy-console-version-users>`,
  );
  await el.updateComplete;
  return el;
}

const rows = (el: AlloyConsoleVersionUsers) =>
  [...rootOf(el).querySelectorAll('tbody tr')].map((tr) => [...tr.children].map((cell) => text(cell)));

describe('<alloy-console-version-users>', () => {
  it('lists each user with the version they run, the older ones marked, accessibly', async () => {
    const api = new FakeConsoleApi().on('listWorkflowUsers', USERS);
    const el = await mount(api, 2);
    await waitUntil(() => rows(el).length === 2);
    const [maria, li] = rows(el);
    expect(maria!.slice(0, 3)).to.deep.equal(['María González', '2 (latest)', 'Active']);
    expect(li!.slice(0, 3)).to.deep.equal(['li@contoso.test', '1', 'Paused']);
    expect(rootOf(el).querySelector('tbody tr:nth-child(2) td')!.classList.contains('old')).to.equal(true);
    const link = rootOf(el).querySelector<HTMLAnchorElement>('tbody a')!;
    expect(link.getAttribute('href')).to.equal('/console/users/65a1c0de00000000000000a1');
    expect(api.calls.map((c) => c.path)).to.deep.equal([`/2024-03/workflows/${WORKFLOW_ID}/users`]);
    await expect(el).to.be.accessible();
  });

  it('says nobody runs it yet, accessibly', async () => {
    const el = await mount(new FakeConsoleApi().on('listWorkflowUsers', { data: [] }), 1);
    await waitUntil(() => text(rootOf(el).querySelector('p.muted')) !== '');
    expect(text(rootOf(el).querySelector('p.muted'))).to.equal(
      'Nobody has installed this workflow in this environment yet.',
    );
    await expect(el).to.be.accessible();
  });

  it('before the first release it renders nothing and asks nothing', async () => {
    const api = new FakeConsoleApi();
    const el = await mount(api, 0);
    expect(rootOf(el).childElementCount).to.equal(0);
    expect(api.calls).to.deep.equal([]);
  });

  it('a failed load says so with Retry, which loads again, accessibly', async () => {
    let attempts = 0;
    const api = new FakeConsoleApi().on('listWorkflowUsers', () => {
      attempts += 1;
      if (attempts === 1) throw new Error('the network went away');
      return USERS;
    });
    const el = await mount(api, 2);
    await waitUntil(() => rootOf(el).querySelector('[role="alert"]') !== null);
    await expect(el).to.be.accessible();
    rootOf(el).querySelector<HTMLButtonElement>('[role="alert"] button')!.click();
    await waitUntil(() => rows(el).length === 2);
    expect(attempts).to.equal(2);
  });
});
