// The card's Uninstall: the card asks first, then the page calls Alloy.uninstall() with a fresh
// user token (what an ISV's own page would do; the edit modal's Uninstall asks in the modal).
import { el } from './shell.js';

/**
 * The Uninstall button and its confirmation (hidden until asked). `onConfirm` does the work; the
 * confirm button stays disabled while it runs, and Cancel puts focus back on the button.
 */
export function uninstallControls(integration, installedCount, onConfirm) {
  const trigger = el('button', { type: 'button', class: 'secondary danger-text' }, 'Uninstall');
  const question = el('div', {
    class: 'card-confirm',
    role: 'group',
    'aria-label': `Confirm uninstalling ${integration.name}`,
    hidden: true,
  });
  const close = () => {
    question.hidden = true;
    trigger.focus();
  };
  trigger.addEventListener('click', () => {
    const cancel = el('button', { type: 'button', class: 'secondary' }, 'Cancel');
    const confirm = el('button', { type: 'button', class: 'danger-button' }, `Uninstall ${integration.name}`);
    cancel.addEventListener('click', close);
    confirm.addEventListener('click', async () => {
      confirm.disabled = cancel.disabled = true;
      try {
        await onConfirm();
      } finally {
        confirm.disabled = cancel.disabled = false;
      }
    });
    question.replaceChildren(
      el(
        'p',
        {},
        `Uninstall ${integration.name}? Its ${installedCount === 1 ? 'workflow stops' : `${installedCount} workflows stop`} running and your settings are removed. Your store connection is kept, so installing again is quick.`,
      ),
      el('div', { class: 'row' }, confirm, cancel),
    );
    question.hidden = false;
    cancel.focus();
  });
  question.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') close();
  });
  return { trigger, question };
}
