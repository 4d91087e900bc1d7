import { describe, expect, it } from 'vitest';
import { EXEC_API_V1, EXEC_API_V1BETA1, formatExecCredential, parseExecInfo, rfc3339 } from '../../src/token/exec-credential.js';

describe('ExecCredential bytes (golden)', () => {
  it('v1', () => {
    expect(formatExecCredential(EXEC_API_V1, 'k8s-aws-v1.abc', new Date('2026-01-02T03:18:05.999Z'))).toBe(
      '{"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1","spec":{},"status":{"expirationTimestamp":"2026-01-02T03:18:05Z","token":"k8s-aws-v1.abc"}}\n',
    );
  });
  it('v1beta1', () => {
    expect(formatExecCredential(EXEC_API_V1BETA1, 'k8s-aws-v1.abc', new Date('2026-01-02T03:18:05Z'))).toBe(
      '{"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1beta1","spec":{},"status":{"expirationTimestamp":"2026-01-02T03:18:05Z","token":"k8s-aws-v1.abc"}}\n',
    );
  });
  it('RFC 3339 in UTC, whole seconds', () => expect(rfc3339(new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 678)))).toBe('2026-01-02T03:04:05Z'));
  it('RFC 3339 from the UTC fields: what toISOString says, to the second, for every kind of date', () => {
    const dates = [0, 1, 999, 59_999, Date.UTC(1000, 0, 1), Date.UTC(1999, 11, 31, 23, 59, 59, 999), Date.UTC(2024, 1, 29, 12), Date.UTC(2026, 11, 7, 20, 25, 8), Date.UTC(9999, 11, 31, 23, 59, 59), -1, Date.UTC(999, 11, 31), Date.UTC(10000, 0, 1), -8.64e15, 8.64e15];
    for (let t = Date.UTC(2026, 0, 1); t < Date.UTC(2027, 0, 1); t += 86_400_000 * 7 + 3_723_001) dates.push(t);
    for (const t of dates) expect(rfc3339(new Date(t)), String(t)).toBe(`${new Date(t).toISOString().slice(0, -5)}Z`);
  });
});

describe('KUBERNETES_EXEC_INFO', () => {
  it('absent: v1beta1, not known to be interactive', () => {
    expect(parseExecInfo(undefined)).toEqual({ apiVersion: EXEC_API_V1BETA1, interactive: undefined });
    expect(parseExecInfo('')).toEqual({ apiVersion: EXEC_API_V1BETA1, interactive: undefined });
  });
  it('echoes v1 and v1beta1, reads spec.interactive', () => {
    expect(parseExecInfo(JSON.stringify({ kind: 'ExecCredential', apiVersion: EXEC_API_V1, spec: { interactive: true } }))).toEqual({ apiVersion: EXEC_API_V1, interactive: true });
    expect(parseExecInfo(JSON.stringify({ kind: 'ExecCredential', apiVersion: EXEC_API_V1BETA1, spec: { interactive: false, cluster: { server: 'x' } } }))).toEqual({
      apiVersion: EXEC_API_V1BETA1,
      interactive: false,
      cluster: { server: 'x' },
    });
  });
  it('reads spec.cluster.server (provideClusterInfo: true); no cluster: none; a server that is no string: unknown', () => {
    const info = (spec: unknown) => parseExecInfo(JSON.stringify({ kind: 'ExecCredential', apiVersion: EXEC_API_V1, spec }));
    expect(info({ interactive: false }).cluster).toBeUndefined();
    expect(info({ interactive: false, cluster: null }).cluster).toBeUndefined();
    expect(info({ cluster: { server: 'https://api.devinfra.local', 'certificate-authority-data': 'Q0E=', 'tls-server-name': 'kubernetes.default.svc' } }).cluster).toEqual({ server: 'https://api.devinfra.local' });
    expect(info({ cluster: {} }).cluster).toEqual({ server: undefined });
    expect(info({ cluster: { server: 42 } }).cluster).toEqual({ server: undefined });
    expect(info({ cluster: 'https://x' }).cluster).toEqual({ server: undefined });
  });
  it('unknown apiVersion: v1beta1 and one warning', () => {
    const info = parseExecInfo(JSON.stringify({ kind: 'ExecCredential', apiVersion: 'client.authentication.k8s.io/v1alpha1', spec: {} }));
    expect(info.apiVersion).toBe(EXEC_API_V1BETA1);
    expect(info.warning).toMatch(/^warning: KUBERNETES_EXEC_INFO asks for apiVersion "client.authentication.k8s.io\/v1alpha1".*v1beta1\n$/);
  });
  it('a 120,000-character apiVersion with bidi and escape characters: one warning line, bounded and escaped', () => {
    const apiVersion = `\u202e\u001b[2J${'v-'.repeat(60_000)}`;
    const info = parseExecInfo(JSON.stringify({ kind: 'ExecCredential', apiVersion, spec: {} }));
    expect(info.apiVersion).toBe(EXEC_API_V1BETA1);
    const warning = info.warning as string;
    expect(warning.startsWith('warning: KUBERNETES_EXEC_INFO asks for apiVersion "\\u202e\\u001b[2Jv-v-')).toBe(true);
    expect(warning.length).toBeLessThan(260); // 120 of the value, and the sentence
    expect(warning.split('\n')).toEqual([expect.stringMatching(/…, which bascule does not know; answering with client\.authentication\.k8s\.io\/v1beta1$/), '']);
    expect(warning).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u202a-\u202e]/);
  });
  it('a hostile kind is bounded too', () => {
    expect(() => parseExecInfo(JSON.stringify({ kind: `\u202e${'k-'.repeat(60_000)}` }))).toThrow(/^KUBERNETES_EXEC_INFO has kind "\\u202ek-k-.{100,120}…, expected "ExecCredential"$/);
  });
  it.each([
    ['{not json', /not valid JSON/],
    ['[]', /not a JSON object/],
    ['"v1"', /not a JSON object/],
    ['null', /not a JSON object/],
    ['{"kind":"Pod"}', /has kind "Pod"/],
    ['{"kind":"ExecCredential","spec":[]}', /spec that is not an object/],
    ['{"kind":"ExecCredential","spec":{"interactive":"yes"}}', /spec.interactive that is not a boolean/],
  ])('malformed %j', (raw, message) => expect(() => parseExecInfo(raw)).toThrow(message));
});

describe('typed errors across build chunks', () => {
  it('a BasculeError from another copy of errors.ts is still one', async () => {
    const { BasculeError, formatError } = await import('../../src/errors.js');
    const foreign = Object.assign(new Error('from the signer chunk'), { [Symbol.for('bascule.BasculeError')]: true, kind: 'dns', hint: undefined });
    expect(foreign instanceof BasculeError).toBe(true);
    expect(new Error('plain') instanceof BasculeError).toBe(false);
    expect(formatError(new BasculeError('usage', 'bad flag')).exitCode).toBe(2);
    expect(formatError(new Error('boom')).text).toMatch(/^error: unexpected failure: boom\nhint: this is a bug in bascule/);
  });
});
