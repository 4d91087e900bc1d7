/**
 * The test harness itself: temporary directories under one root removed at
 * the run's end, the DNS server's one port for UDP and TCP (or a loud
 * failure), UPDATE_GOLDEN refused under CI, kubectl found on PATH.
 */
import dgram from 'node:dgram';
import { existsSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { startDnsServer } from '../support/dns-server.mjs';
import { setup } from '../support/global-setup.mjs';
import { findOnPath } from '../support/kube.mjs';
import { makeTempDir, ROOT_VARIABLE, testRoot } from '../support/temp.mjs';
import { dirPart, Parts } from '../support/world.js';

describe('temporary directories', () => {
  it('are made under the run root, which os.tmpdir() also points into', () => {
    const root = process.env[ROOT_VARIABLE];
    expect(root, 'the global setup sets the run root').toMatch(/\/bascule-test-[^/]+$/);
    expect(testRoot()).toBe(root);
    const dir = makeTempDir('bascule-home-');
    expect(dir.startsWith(`${root}/home-`)).toBe(true);
    expect(existsSync(dir)).toBe(true);
    expect(tmpdir()).toBe(root);
  });
});

describe('the global setup', () => {
  it('refuses UPDATE_GOLDEN under CI', () => {
    const saved = { CI: process.env.CI, UPDATE_GOLDEN: process.env.UPDATE_GOLDEN };
    try {
      process.env.CI = 'true';
      process.env.UPDATE_GOLDEN = '1';
      expect(() => setup()).toThrow(/UPDATE_GOLDEN is set under CI/);
    } finally {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  });
});

describe('the DNS test server', () => {
  it('binds UDP and TCP on one port, and answers on both', async () => {
    const dns = await startDnsServer();
    try {
      dns.setTxt('eks.devinfra.info', ['eks-green']);
      const tcpOpen = await new Promise((resolve) => {
        const s = net.connect(dns.port, '127.0.0.1', () => {
          s.destroy();
          resolve(true);
        });
        s.on('error', () => resolve(false));
      });
      expect(tcpOpen).toBe(true);
    } finally {
      await dns.close();
    }
  });

  it('fails loudly when the port is taken over UDP (no TCP-only or UDP-only server)', async () => {
    const holder = dgram.createSocket('udp4');
    await new Promise((resolve) => holder.bind(0, '127.0.0.1', () => resolve(undefined)));
    try {
      await expect(startDnsServer({ port: holder.address().port })).rejects.toThrow(/cannot bind UDP and TCP on one port .*EADDRINUSE/);
    } finally {
      holder.close();
    }
  });

  it('fails loudly when the port is taken over TCP', async () => {
    const holder = net.createServer();
    await new Promise((resolve) => holder.listen(0, '127.0.0.1', () => resolve(undefined)));
    try {
      await expect(startDnsServer({ port: (holder.address() as net.AddressInfo).port })).rejects.toThrow(/EADDRINUSE/);
    } finally {
      holder.close();
    }
  });
});

describe('kubectl', () => {
  it('is found on PATH, and a missing tool fails loudly', () => {
    expect(findOnPath('kubectl')).toMatch(/\/kubectl$/);
    expect(() => findOnPath('no-such-tool-bascule')).toThrow(/no-such-tool-bascule is not on PATH/);
  });
});

describe('the composable world', () => {
  it('stops its parts last first, every one even when one fails, then says which failed', async () => {
    const parts = new Parts();
    const stopped: string[] = [];
    parts.add('a', (p) => void stopped.push(p));
    parts.add('b', () => {
      throw new Error('b would not stop');
    });
    parts.add('c', async (p) => void stopped.push(p));
    await expect(parts.stop()).rejects.toThrow('stopping the test world: 1 part(s) failed');
    expect(stopped).toEqual(['c', 'a']);
    await parts.stop(); // nothing left to stop
  });

  it('a directory part is removed at stop', async () => {
    const parts = new Parts();
    const dir = dirPart(parts);
    expect(existsSync(dir)).toBe(true);
    await parts.stop();
    expect(existsSync(dir)).toBe(false);
  });
});
