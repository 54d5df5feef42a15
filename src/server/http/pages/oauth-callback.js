// The OAuth popup's last page: tells the install modal how the connection ended, at the modal's
// exact origin only, then closes. Hosts with Cross-Origin-Opener-Policy have no opener; their
// modal learns the outcome by polling the session.
const result = document.getElementById('result');
const origin = result?.dataset.origin;
if (result && origin && window.opener) {
  window.opener.postMessage(
    {
      type: 'alloy:oauth-complete',
      sessionId: result.dataset.sessionId,
      state: result.dataset.state,
      status: result.dataset.status,
    },
    origin,
  );
}
if (result && origin) window.close();
