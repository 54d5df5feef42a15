/**
 * Security audit, issue 13 item 15: the SSRF classifier called IPv6 forms that embed an IPv4
 * address public whatever that address was.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkTarget, classifyAddress, isAddressAllowed } from '../../src/server/platform/outbound-http.js';

test('IPv6 addresses that embed an IPv4 address take its class', () => {
  const cases: [string, ReturnType<typeof classifyAddress>][] = [
    // IPv4-compatible ::/96
    ['::127.0.0.1', 'loopback'],
    ['::7f00:1', 'loopback'],
    ['::10.0.0.1', 'private'],
    ['::a9fe:a9fe', 'private'],
    ['::8.8.8.8', 'public'],
    // IPv4-mapped ::ffff:0:0/96
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:169.254.169.254', 'private'],
    ['::ffff:0.0.0.0', 'private'],
    ['::ffff:8.8.8.8', 'public'],
    // IPv4-translated ::ffff:0:0:0/96
    ['::ffff:0:127.0.0.1', 'loopback'],
    ['::FFFF:0:7F00:1', 'loopback'],
    ['::ffff:0:10.1.2.3', 'private'],
    ['::ffff:0:a9fe:a9fe', 'private'],
    ['::ffff:0:0', 'private'],
    ['::ffff:0:0:0', 'private'],
    ['::ffff:0:8.8.8.8', 'public'],
    // NAT64 well-known prefix 64:ff9b::/96: not our loopback, still not public
    ['64:ff9b::10.0.0.1', 'private'],
    ['64:ff9b::127.0.0.1', 'private'],
    ['64:ff9b::a9fe:a9fe', 'private'],
    ['64:ff9b::8.8.8.8', 'public'],
    ['64:ff9b:1::8.8.8.8', 'private'],
    // 6to4 2002::/16
    ['2002:0a00:0001::1', 'private'],
    ['2002:7f00:1::1', 'private'],
    ['2002:a9fe:a9fe::', 'private'],
    ['2002:c0a8:101::1', 'private'],
    ['2002:0808:0808::1', 'public'],
    // ISATAP interface identifiers under a global prefix
    ['2607:f8b0::200:5efe:10.0.0.1', 'private'],
    ['2607:f8b0::5efe:a9fe:a9fe', 'private'],
    ['2607:f8b0::200:5efe:8.8.8.8', 'public'],
    // Teredo, documentation, scoped link-local, unspecified
    ['2001:0:4136:e378:8000:63bf:3fff:fdd2', 'private'],
    ['2001:db8::1', 'private'],
    ['3fff::1', 'private'],
    ['fe80::1%eth0', 'private'],
    ['fe80::1%1', 'private'],
    ['::', 'private'],
    ['::0', 'private'],
    ['0.0.0.0', 'private'],
    ['0.1.2.3', 'private'],
    ['2606:4700::1111', 'public'],
  ];
  const wrong = cases.filter(([address, expected]) => classifyAddress(address) !== expected);
  assert.deepEqual(
    wrong.map(([address, expected]) => `${address}: ${classifyAddress(address)}, expected ${expected}`),
    [],
  );
  assert.equal(isAddressAllowed('loopback', '::ffff:0:127.0.0.1'), true);
  assert.equal(isAddressAllowed('loopback', '64:ff9b::127.0.0.1'), false);
  assert.equal(isAddressAllowed('none', '::127.0.0.1'), false);
  assert.equal(isAddressAllowed('none', '64:ff9b::8.8.8.8'), true);
});

test('IP-literal URLs in embedded-IPv4 forms are refused before any connection', () => {
  for (const url of [
    'http://[::127.0.0.1]/x',
    'http://[::a9fe:a9fe]/latest/meta-data',
    'http://[::ffff:0:7f00:1]/x',
    'http://[::ffff:0:a9fe:a9fe]/x',
    'http://[64:ff9b::a9fe:a9fe]/x',
    'http://[2002:a9fe:a9fe::1]/x',
    'http://[::]/x',
  ]) {
    assert.throws(() => checkTarget('none', url), /Refused to send/, url);
  }
  assert.equal(checkTarget('none', 'http://[64:ff9b::808:808]/x').hostname, '[64:ff9b::808:808]');
});
