import assert from 'node:assert/strict';
import type { Locator } from 'playwright-core';
import { seededStoreCredentialOverHttp } from './sandbox-owner.js';

/**
 * Gives a test user a Demo Store connection through the ISV API (POST /headless/credentials with
 * the seeded sandbox store's key), so the modal's auth step shows it as connected.
 */
export async function connectDemoStore(apiUrl: string, apiKey: string, username: string): Promise<void> {
  // The seeded store's key, read from its dashboard API as its owner (test servers pin the secret).
  const store = await seededStoreCredentialOverHttp(apiUrl);
  const response = await fetch(`${apiUrl}/2024-03/headless/credentials`, {
    method: 'POST',
    headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      userId: username,
      credential: { type: 'demoStore', data: store },
    }),
  });
  assert.equal(response.status, 200, await response.text());
}

/**
 * Walks the modal to its settings step: when the auth step shows the user's existing Demo Store
 * connection (or, in an edit, the installation's), Continue reuses it; when it asks again,
 * "Use <connection>" picks the existing one first. Resolves once the settings field is on screen.
 */
export async function toSettingsStep(dialog: Locator): Promise<void> {
  const field = dialog.getByLabel('Order reference prefix');
  // An edit or update starts on the installation's connection ("Connected to …").
  const connected = dialog.getByText(/^Connected (as|to) /).first();
  const useExisting = dialog.getByRole('button', { name: /^Use (?!a different)/ }).first();
  await field.or(connected).or(useExisting).first().waitFor();
  if (await field.isVisible()) return;
  if (await useExisting.isVisible()) {
    await useExisting.click();
    await connected.waitFor();
  }
  await dialog.getByRole('button', { name: 'Continue' }).click();
  await field.waitFor();
}

/** One ISV API call with the API key; fails the test on a non-2xx answer. */
export async function isvCall<T>(
  baseUrl: string,
  apiKey: string,
  method: string,
  apiPath: string,
  body?: unknown,
): Promise<T> {
  const response = await fetch(`${baseUrl}/2024-03${apiPath}`, {
    method,
    headers: {
      authorization: `Bearer ${apiKey}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? null : JSON.stringify(body),
  });
  const json = (await response.json()) as T;
  assert.ok(response.ok, `${method} ${apiPath}: ${response.status} ${JSON.stringify(json)}`);
  return json;
}
