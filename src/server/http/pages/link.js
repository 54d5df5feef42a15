// The Embedded Link page: swaps the page session (an HttpOnly cookie) for a user token, then
// opens the same install modal the ISV's app uses.
const loading = document.getElementById('loading');
const ended = document.getElementById('ended');
const done = document.getElementById('done');
const retry = document.getElementById('retry');
const inactive = document.getElementById('inactive');

function show(section) {
  for (const element of [loading, ended, done, retry, inactive]) element.hidden = element !== section;
}

async function session() {
  const response = await fetch('/link/session', { method: 'POST', credentials: 'same-origin' });
  if (!response.ok) {
    const error = new Error('link session ended');
    error.ended = response.status === 401 || response.status === 410;
    // 409: the integration is switched off for this environment (the ISV's Active toggle).
    error.inactive = response.status === 409;
    throw error;
  }
  return response.json();
}

async function start() {
  show(loading);
  let first;
  try {
    first = await session();
  } catch (error) {
    show(error.ended ? ended : error.inactive ? inactive : retry);
    return;
  }
  const Alloy = window.Alloy;
  // The first token is the one just fetched; later ones (the SDK refreshes before expiry) come
  // from the same page session.
  let initial = first.token;
  Alloy.setToken(async () => {
    if (initial) {
      const token = initial;
      initial = undefined;
      return token;
    }
    return (await session()).token;
  });
  // The server's brand (ALLOY_BRAND_NAME / ALLOY_BRAND_LOGO_URL), so the modal names the ISV as the page does.
  const main = document.getElementById('link');
  const brandName = main.dataset.brandName;
  const logoUrl = main.dataset.brandLogo;
  const appearance = {
    ...(brandName ? { brandName } : {}),
    ...(logoUrl ? { logoUrl: new URL(logoUrl, location.href).href } : {}),
  };
  const result = await Alloy.install({ integrationId: first.integrationId, appearance });
  show(result && result.success ? done : retry);
}

retry.querySelector('button').addEventListener('click', () => void start());
void start();
