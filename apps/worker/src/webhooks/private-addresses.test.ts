import { startReceiver } from '@cvat-backup/testkit';
import { describe, expect, it } from 'vitest';
import { postWebhook } from './post-webhook.js';
import { isPrivateAddress } from './private-addresses.js';

describe('private receiver addresses', () => {
  it('knows loopback, private, link-local, CGNAT and unspecified addresses, v4, v6 and v4-mapped', () => {
    for (const ip of [
      '127.0.0.1',
      '10.1.2.3',
      '172.20.0.1',
      '192.168.1.1',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
    ])
      expect(isPrivateAddress(ip), ip).toBe(true);
    for (const ip of ['::1', '::', 'fd00::1', 'fe80::1', '::ffff:127.0.0.1', '::ffff:10.0.0.1'])
      expect(isPrivateAddress(ip), ip).toBe(true);
    for (const ip of ['8.8.8.8', '172.32.0.1', '100.128.0.1', '2001:4860:4860::8888', '::ffff:8.8.8.8'])
      expect(isPrivateAddress(ip), ip).toBe(false);
  });

  it('refuses a literal or resolved private target without sending, and sends when allowed', async () => {
    const receiver = await startReceiver(() => ({ status: 200 }));
    try {
      const base = { headers: {}, body: '{}', timeoutMs: 5000, verifyTls: true };
      const literal = await postWebhook({ ...base, url: receiver.url, blockPrivate: true });
      expect(literal).toMatchObject({ statusCode: null, refused: true });
      expect(literal.error).toMatch(/127\.0\.0\.1, a private address/);
      const named = await postWebhook({
        ...base,
        url: receiver.url.replace('127.0.0.1', 'localhost'),
        blockPrivate: true,
      });
      expect(named).toMatchObject({ statusCode: null, refused: true });
      expect(named.error).toMatch(/a private address/);
      expect(receiver.received).toHaveLength(0);
      expect(await postWebhook({ ...base, url: receiver.url })).toMatchObject({
        statusCode: 200,
        refused: false,
      });
      expect(receiver.received).toHaveLength(1);
    } finally {
      await receiver.close();
    }
  });
});
