import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
let cdnDir: string;

before(async () => {
  cdnDir = fs.mkdtempSync(path.join(os.tmpdir(), 'alloy-cdn-'));
  for (const file of ['embedded.js', 'embedded-0.1.0-0123456789.js', 'alloy-modal-DnG0DZ3L.js', 'manifest.json']) {
    fs.writeFileSync(path.join(cdnDir, file), '/* test */');
  }
  server = await startTestServer({ server: { cdnDir } });
});
after(async () => {
  await server.dispose();
  fs.rmSync(cdnDir, { recursive: true, force: true });
});

test('content-hashed SDK files are immutable, the evergreen alias and manifest revalidate, all with CORS', async () => {
  const expectations: [string, string][] = [
    ['embedded-0.1.0-0123456789.js', 'public, max-age=31536000, immutable'],
    ['alloy-modal-DnG0DZ3L.js', 'public, max-age=31536000, immutable'],
    ['embedded.js', 'no-cache'],
    ['manifest.json', 'no-cache'],
  ];
  for (const [file, cacheControl] of expectations) {
    const response = await server.app.inject({ method: 'GET', url: `/scripts/${file}` });
    assert.equal(response.statusCode, 200, file);
    assert.equal(response.headers['cache-control'], cacheControl, file);
    assert.equal(response.headers['access-control-allow-origin'], '*', file);
  }
});
