import { StrictMode, useCallback, useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
// The demo's shared frame (navigation and the signed-in user) is plain DOM code; React renders the page body.
import { json, mountShell, signIn } from '../public/shell.js';

const DEMO_STORE = '65a1c0de0000000000000001';

interface Integration {
  integrationId: string;
  name: string;
  installed: boolean;
}

const { username } = mountShell('react/');

function ConnectPage() {
  const [integration, setIntegration] = useState<Integration | null>(null);
  const [status, setStatus] = useState('');
  const [busy, setBusy] = useState(false);

  const refresh = useCallback(async () => {
    const { data } = (await json(await fetch('/demo/api/integrations'))) as {
      data: Integration[];
    };
    setIntegration(data.find((i) => i.integrationId === DEMO_STORE) ?? null);
  }, []);

  useEffect(() => {
    signIn(username).then(refresh, (error: Error) => setStatus(`Could not sign in: ${error.message}`));
  }, [refresh]);

  const connect = async () => {
    setBusy(true);
    try {
      const alloy = window.Alloy;
      if (!alloy) throw new Error('the Alloy script did not load');
      alloy.setToken(await signIn(username));
      // What the docs show for React apps: window.Alloy.install(...) (edit once it is installed).
      const options = {
        integrationId: DEMO_STORE,
        appearance: { brandName: 'AcmeCo', logoUrl: new URL('/demo/acmeco-logo.svg', location.href).href },
        callback: (outcome: unknown) => console.info('[AcmeCo React] Alloy callback', outcome),
      };
      const result = await (integration?.installed ? alloy.edit(options) : alloy.install(options));
      await refresh();
      setStatus(result.success ? 'Demo Store is connected.' : 'Demo Store was not connected.');
    } catch (error) {
      setStatus(`Could not open the installer: ${(error as Error).message}`);
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="page">
      <div className="page-head">
        <h1>React page</h1>
        <p>A React 19 app (StrictMode) calling window.Alloy.install from a button, as the docs show.</p>
      </div>
      <div className="panel">
        <h2>{integration?.name ?? 'Demo Store'}</h2>
        <p className="meta">{integration?.installed ? 'Installed' : 'Not installed yet'}</p>
        <div className="row">
          <button type="button" className="primary" onClick={connect} disabled={busy}>
            {integration?.installed ? 'Edit Demo Store' : 'Connect Demo Store'}
          </button>
        </div>
      </div>
      <p className="status" role="status" aria-live="polite">
        {status}
      </p>
    </main>
  );
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <ConnectPage />
  </StrictMode>,
);
