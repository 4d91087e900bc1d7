/**
 * --allow-server: the rule for what a pattern matches (the vocabulary's),
 * the server kubectl passes (KUBERNETES_EXEC_INFO spec.cluster.server), and
 * the token refusing a server outside the list, a cached token included.
 */
import { describe, expect, it } from 'vitest';
import { formatServerPattern, parseServerPattern, serverMatches, serverOfUrl, type ServerPattern } from '../../src/vocabulary.js';
import { checkServer } from '../../src/token/allow-server.js';
import { envKeys, KEYS, runInProcess } from '../support/run.js';

const pattern = (text: string): ServerPattern => {
  const p = parseServerPattern(text);
  if (typeof p === 'string') throw new Error(`${text} ${p}`);
  return p;
};
const server = (url: string): ServerPattern => {
  const s = serverOfUrl(url);
  if (typeof s === 'string') throw new Error(`${url} ${s}`);
  return s;
};

describe('an --allow-server pattern', () => {
  it.each([
    ['api.devinfra.local', 'api.devinfra.local'],
    ['API.DevInfra.Local.', 'api.devinfra.local'],
    ['api.devinfra.local:6443', 'api.devinfra.local:6443'],
    ['*.gr7.eu-west-3.eks.amazonaws.com', '*.gr7.eu-west-3.eks.amazonaws.com'],
    ['*.*.eu-west-3.eks.amazonaws.com:443', '*.*.eu-west-3.eks.amazonaws.com:443'],
    ['api.*.devinfra.local', 'api.*.devinfra.local'],
    ['127.0.0.1:39123', '127.0.0.1:39123'],
    ['[::1]:6443', '[::1]:6443'],
    ['[0:0:0:0:0:0:0:1]', '[::1]'],
    ['bücher.example', 'xn--bcher-kva.example'],
  ])('%s is %s', (text, canonical) => expect(formatServerPattern(pattern(text))).toBe(canonical));

  it.each([
    ['*', /last label must be written out/],
    ['api.*', /last label must be written out/],
    ['api-*.devinfra.local', /"\*" inside a label/],
    ['**.devinfra.local', /"\*" inside a label/],
    ['10.0.*.1', /"\*" in an IP address/],
    ['https://api.devinfra.local', /no scheme, path, user or spaces/],
    ['api.devinfra.local/', /no scheme, path/],
    ['user@api.devinfra.local', /no scheme, path, user/],
    ['api devinfra', /no scheme, path, user or spaces/],
    ['api.devinfra.local:0', /has port "0", not between 1 and 65535/],
    ['api.devinfra.local:99999', /has port "99999"/],
    ['api.devinfra.local:', /has port ""/],
    ['::1', /write IPv6 addresses in brackets/],
    ['[not-v6]', /is not an IPv6 address in brackets/],
    ['', /is not a host name/],
    ['.devinfra.local', /is not a host name/],
    ['api..local', /is not a host name/],
    ['xn--zz.local', /is not a host name/],
  ])('%j is refused: %s', (text, why) => expect(parseServerPattern(text)).toMatch(why));
});

describe('the server kubectl passes', () => {
  it.each([
    ['https://api.devinfra.local', 'api.devinfra.local:443'],
    ['HTTPS://API.devinfra.local./', 'api.devinfra.local:443'],
    ['https://api.devinfra.local:6443/some/path?x=1#y', 'api.devinfra.local:6443'],
    ['https://127.0.0.1:39123', '127.0.0.1:39123'],
    ['https://[::1]:6443', '[::1]:6443'],
    ['https://bücher.example', 'xn--bcher-kva.example:443'],
  ])('%s is %s', (url, canonical) => expect(formatServerPattern(server(url))).toBe(canonical));

  it.each([
    ['http://api.devinfra.local', /is not https: the token would travel unencrypted/],
    ['api.devinfra.local:6443', /is not an https:\/\/ URL/],
    ['https://', /no plain host/],
    ['https://user:pw@api.devinfra.local', /a user part/],
    ['https://api.devinfra.local\\@evil.example', /a user part, "%", "\\"/],
    ['https://api%2edevinfra.local', /"%"/],
    ['https://api.devinfra.local :443', /spaces/],
    ['https://api.devinfra.local\t', /spaces/],
    ['https://*.devinfra.local', /is not a host name or an IP address/],
    ['https://api.devinfra.local:https', /has port "https"/],
  ])('%j is no server this rule vouches for: %s', (url, why) => expect(serverOfUrl(url)).toMatch(why));
});

describe('what a pattern matches', () => {
  it.each([
    // pattern, server URL, matches
    ['api.devinfra.local', 'https://api.devinfra.local', true],
    ['api.devinfra.local', 'https://api.devinfra.local:6443', true], // no port in the pattern: any port
    ['api.devinfra.local:443', 'https://api.devinfra.local', true], // https's port when none is written
    ['api.devinfra.local:6443', 'https://api.devinfra.local', false],
    ['api.devinfra.local', 'https://api.devinfra.local.evil.example', false],
    ['api.devinfra.local', 'https://evil-api.devinfra.local', false],
    ['api.devinfra.local', 'https://x.api.devinfra.local', false],
    ['*.gr7.eu-west-3.eks.amazonaws.com', 'https://A1B2C3D4E5F60718293A4B5C6D7E8F90.gr7.eu-west-3.eks.amazonaws.com', true],
    ['*.gr7.eu-west-3.eks.amazonaws.com', 'https://gr7.eu-west-3.eks.amazonaws.com', false], // one label, not none
    ['*.gr7.eu-west-3.eks.amazonaws.com', 'https://a.b.gr7.eu-west-3.eks.amazonaws.com', false], // nor two
    ['*.gr7.eu-west-3.eks.amazonaws.com', 'https://a.gr7.eu-west-3.eks.amazonaws.com.evil.example', false],
    ['*.*.eu-west-3.eks.amazonaws.com', 'https://A1B2.yl4.eu-west-3.eks.amazonaws.com', true],
    ['127.0.0.1:39123', 'https://127.0.0.1:39123', true],
    ['127.0.0.1:39123', 'https://127.0.0.1:39124', false],
    ['[::1]', 'https://[0::1]:6443', true],
  ])('%s vs %s: %s', (p, url, expected) => expect(serverMatches(pattern(p), server(url))).toBe(expected));
});

describe('checkServer', () => {
  const allowed = [pattern('api.devinfra.local'), pattern('*.gr7.eu-west-3.eks.amazonaws.com')];
  it('no list: nothing checked; no cluster info: nothing checked, said so', () => {
    expect(checkServer({ cluster: { server: 'https://evil.example' } }, [])).toMatch(/^no --allow-server/);
    expect(checkServer({}, allowed)).toMatch(/KUBERNETES_EXEC_INFO names no server .*not checked/);
  });
  it('a server of the list: the pattern that allowed it', () => {
    expect(checkServer({ cluster: { server: 'https://api.devinfra.local' } }, allowed)).toBe('kubectl will call "https://api.devinfra.local": allowed by --allow-server api.devinfra.local');
  });
  it('refusals carry their kind (exit 1), never a user part of the URL', () => {
    const refusal = (server: string | undefined) => {
      try {
        checkServer({ cluster: { server } }, allowed);
      } catch (error) {
        return error as { kind: string; message: string; hint: string };
      }
      throw new Error('not refused');
    };
    expect(refusal('https://evil.example:6443')).toMatchObject({ kind: 'refused', message: 'refusing to sign: kubectl will send the token to "https://evil.example:6443" (evil.example:6443), outside --allow-server (api.devinfra.local, *.gr7.eu-west-3.eks.amazonaws.com)' });
    expect(refusal(undefined).message).toMatch(/spec.cluster without a server/);
    const withUser = refusal('https://alice:hunter2@api.devinfra.local');
    expect(withUser.message).toMatch(/"https:\/\/…@api.devinfra.local", has no plain host/);
    expect(JSON.stringify(withUser)).not.toContain('hunter2');
  });
});

describe('bascule token --allow-server (in-process)', () => {
  const info = (server: string) => JSON.stringify({ kind: 'ExecCredential', apiVersion: 'client.authentication.k8s.io/v1', spec: { interactive: false, cluster: { server, 'certificate-authority-data': 'Q0E=' } } });
  const argv = ['token', '-i', 'eks-green', '--no-dns', '--allow-server', 'api.devinfra.local', '--allow-server', '*.gr7.eu-west-3.eks.amazonaws.com'];

  it('signs for a server of the list, and without cluster info as before', async () => {
    const env = envKeys({ KUBERNETES_EXEC_INFO: info('https://api.devinfra.local') });
    const r = await runInProcess([...argv, '--no-cache'], { env });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).status.token).toMatch(/^k8s-aws-v1\./);
    const plain = await runInProcess([...argv, '--no-cache'], { env: envKeys() });
    expect(plain.code).toBe(0);
    expect(plain.stderr).toBe('');
  });

  it('a foreign server gets no token, not even the cached one; exit 1, the reason and the way out on stderr, nothing on stdout', async () => {
    const env = envKeys({ KUBERNETES_EXEC_INFO: info('https://api.devinfra.local') });
    const first = await runInProcess(argv, { env });
    expect(first.code).toBe(0);
    const token = JSON.parse(first.stdout).status.token as string;
    const again = await runInProcess(argv, { env }); // served from the cache
    expect(JSON.parse(again.stdout).status.token).toBe(token);
    const r = await runInProcess(argv, { env: { ...env, KUBERNETES_EXEC_INFO: info('https://api.devinfra.local.evil.example') } });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      'error: refusing to sign: kubectl will send the token to "https://api.devinfra.local.evil.example" (api.devinfra.local.evil.example:443), outside --allow-server (api.devinfra.local, *.gr7.eu-west-3.eks.amazonaws.com)\n' +
        "hint: a token sent there is valid against your cluster for 15 minutes: check the kubeconfig's server (and kubectl --server); if the server is yours, add --allow-server api.devinfra.local.evil.example:443 to the exec args (bascule kubeconfig writes the platform's API servers there)\n",
    );
    expect(r.stderr).not.toContain(token.slice(11, 40));
    expect(r.stderr).not.toContain(KEYS.secretAccessKey);
  });

  it.each([
    ['a bad pattern', ['token', '-i', 'eks-green', '--allow-server', 'https://api.devinfra.local'], undefined, 2, /^error: --allow-server "https:\/\/api.devinfra.local" is not HOST or HOST:PORT \(no scheme, path, user or spaces\)\nhint: write HOST or HOST:PORT/],
    ['a wildcard inside a label', ['token', '-i', 'eks-green', '--allow-server', 'api-*.devinfra.local'], undefined, 2, /"\*" stands for a whole label only/],
    ['an http server', argv, 'http://api.devinfra.local', 1, /^error: refusing to sign: the server kubectl will call, "http:\/\/api.devinfra.local", is not https: the token would travel unencrypted\nhint: write the cluster's server as https:\/\/HOST\[:PORT\]/],
    ['a server with a user part', argv, 'https://me:pw@api.devinfra.local', 1, /"https:\/\/…@api.devinfra.local", has no plain host/],
    ['a server with control characters', argv, 'https://api.devinfra.local\u001b[2J', 1, /"https:\/\/api.devinfra.local\\u001b\[2J", has no plain host/],
    ['another port', [...argv.slice(0, -4), '--allow-server', 'api.devinfra.local:443'], 'https://api.devinfra.local:8443', 1, /\(api.devinfra.local:8443\), outside --allow-server \(api.devinfra.local:443\)/],
  ])('%s', async (_, args, server, code, message) => {
    const env = envKeys(server === undefined ? {} : { KUBERNETES_EXEC_INFO: info(server) });
    const r = await runInProcess([...args, '--no-cache'], { env });
    expect(r.stdout).toBe('');
    expect(r.code).toBe(code);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toContain('pw@');
    expect(r.stderr.split('\n')).toHaveLength(3); // error, hint, end
  });

  it('-v says what was checked, and what was not', async () => {
    const say = async (env: NodeJS.ProcessEnv) => (await runInProcess(['-v', ...argv, '--no-cache'], { env })).stderr;
    expect(await say(envKeys({ KUBERNETES_EXEC_INFO: info('https://x1.gr7.eu-west-3.eks.amazonaws.com') }))).toContain('bascule: kubectl will call "https://x1.gr7.eu-west-3.eks.amazonaws.com": allowed by --allow-server *.gr7.eu-west-3.eks.amazonaws.com\n');
    expect(await say(envKeys())).toContain('bascule: KUBERNETES_EXEC_INFO names no server (the exec entry has no provideClusterInfo: true, or kubectl did not run bascule): --allow-server api.devinfra.local, *.gr7.eu-west-3.eks.amazonaws.com not checked\n');
  });
});
