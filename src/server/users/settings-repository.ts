import type { Conn } from '../platform/db/index.js';

/** The `settings` table: one value per key (the sealed JWT secret, the API keys' digests). */

export async function readSetting(conn: Conn, key: string): Promise<string | undefined> {
  const row = await conn.selectFrom('settings').select('value').where('key', '=', key).executeTakeFirst();
  return row?.value;
}

/** The values of `keys` that are set. */
export async function readSettings(conn: Conn, keys: readonly string[]): Promise<Map<string, string>> {
  const rows = await conn.selectFrom('settings').select(['key', 'value']).where('key', 'in', keys).execute();
  return new Map(rows.map((row) => [row.key, row.value]));
}

export async function writeSetting(conn: Conn, key: string, value: string): Promise<void> {
  await conn
    .insertInto('settings')
    .values({ key, value })
    .onConflict((oc) => oc.column('key').doUpdateSet((eb) => ({ value: eb.ref('excluded.value') })))
    .execute();
}

/**
 * Sets `key` only when it has no value yet, then reads what is stored: of two processes starting
 * together, both end up with the one value that was written first.
 */
export async function settingOnce(conn: Conn, key: string, value: string): Promise<string> {
  await conn
    .insertInto('settings')
    .values({ key, value })
    .onConflict((oc) => oc.column('key').doNothing())
    .execute();
  return (await readSetting(conn, key))!;
}

export async function deleteSetting(conn: Conn, key: string): Promise<boolean> {
  const deleted = await conn.deleteFrom('settings').where('key', '=', key).returning('key').executeTakeFirst();
  return deleted !== undefined;
}
