/**
 * A marked role session, run as the built artefact: --source-identity and
 * --tag reach STS's AssumeRole (moto behind a recording front: the happy
 * path), they are part of the cache key (one AssumeRole per distinct
 * session), `cache list` shows them; and a trust policy without
 * sts:TagSession / sts:SetSourceIdentity refuses in STS's words (a scripted
 * STS: moto enforces no trust policy), said as the action to add.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeSts } from '../support/fake-sts.mjs';
import { startMoto } from '../support/moto.mjs';
import { startStsRecorder } from '../support/sts-recorder.mjs';
import { envKeys, KEYS, runBuilt } from '../support/run.js';
import { signerOf as signer } from '../support/token.js';

const ROLE = 'arn:aws:iam::123456789012:role/k8s-readonly';
const MARKS = ['--source-identity', 'alice', '--tag', 'team=platform', '--tag', 'cost center=42'];

let moto: Awaited<ReturnType<typeof startMoto>>;
let sts: Awaited<ReturnType<typeof startStsRecorder>>;
beforeAll(async () => {
  moto = await startMoto();
  sts = await startStsRecorder(moto.endpoint);
});
afterAll(async () => {
  await sts?.close();
  await moto?.stop();
});

describe('--source-identity and --tag against moto', () => {
  it('AssumeRole carries SourceIdentity and the tags; the token is signed with the role session moto issued; stderr stays quiet', async () => {
    const before = sts.assumeRoles().length;
    const r = await runBuilt(['token', '-i', 'eks-green', '--no-dns', '--no-cache', '-r', ROLE, '-s', 'bob', ...MARKS], { env: envKeys({ AWS_ENDPOINT_URL_STS: sts.endpoint }) });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const calls = sts.assumeRoles().slice(before);
    expect(calls).toHaveLength(1);
    const params = Object.fromEntries(calls[0] as URLSearchParams);
    expect(params).toMatchObject({
      RoleArn: ROLE,
      RoleSessionName: 'bob',
      SourceIdentity: 'alice',
      'Tags.member.1.Key': 'team',
      'Tags.member.1.Value': 'platform',
      'Tags.member.2.Key': 'cost center',
      'Tags.member.2.Value': '42',
    });
    expect(params['Tags.member.3.Key']).toBeUndefined();
    const issued = (await moto.assumedRoles()).find((x: { access_key_id: string }) => x.access_key_id === signer(r.stdout));
    expect(issued).toMatchObject({ role_arn: ROLE, session_name: 'bob' });
  });

  it('part of the cache key: the same session is served from the cache (tags in any order), another source identity or tag is another token; cache list shows them, never the token', async () => {
    const env = envKeys({ AWS_ENDPOINT_URL_STS: sts.endpoint });
    const token = (args: string[]) => runBuilt(['token', '-i', 'eks-green', '--no-dns', '-r', ROLE, ...args], { env });
    const assumed = () => sts.assumeRoles().length;
    const start = assumed();
    const first = await token(MARKS);
    expect(first.code).toBe(0);
    expect(assumed()).toBe(start + 1);
    const reordered = await token(['--tag', 'cost center=42', '--source-identity', 'alice', '--tag', 'team=platform']);
    expect(reordered.stdout).toBe(first.stdout);
    expect(assumed()).toBe(start + 1);
    for (const other of [['--source-identity', 'bob', '--tag', 'team=platform', '--tag', 'cost center=42'], ['--source-identity', 'alice', '--tag', 'team=platform'], []]) {
      const r = await token(other);
      expect(r.code).toBe(0);
      expect(r.stdout).not.toBe(first.stdout);
    }
    expect(assumed()).toBe(start + 4);
    const listed = await runBuilt(['cache', 'list', '--output', 'json'], { env });
    expect(listed.code).toBe(0);
    const entries = JSON.parse(listed.stdout).entries as { sourceIdentity: string | null; tags: Record<string, string> }[];
    expect(entries.map((e) => [e.sourceIdentity, e.tags])).toEqual(
      expect.arrayContaining([
        ['alice', { 'cost center': '42', team: 'platform' }],
        ['bob', { 'cost center': '42', team: 'platform' }],
        ['alice', { team: 'platform' }],
        [null, {}],
      ]),
    );
    expect(listed.stdout).not.toContain('k8s-aws-v1.');
    const table = await runBuilt(['cache', 'list'], { env });
    expect(table.stdout).toContain('alice cost center=42 team=platform');
  });
});

describe("a trust policy without the action: STS's words, said as the action to add", () => {
  const refused = async (action: string, args: string[]) => {
    const fake = await startFakeSts([{ error: 'AccessDenied', status: 403, message: `User: ${KEYS.arn} is not authorized to perform: ${action} on resource: ${ROLE}` }]);
    try {
      const r = await runBuilt(['token', '-i', 'eks-green', '--no-dns', '--no-cache', '-r', ROLE, ...args], { env: envKeys({ AWS_ENDPOINT_URL_STS: fake.endpoint }), timeoutMs: 60_000 });
      return { ...r, calls: fake.calls.map((c) => new URLSearchParams(c.body)) };
    } finally {
      await fake.close();
    }
  };

  it('sts:TagSession: exit 1, one error and its hint, nothing on stdout, no retry', async () => {
    const r = await refused('sts:TagSession', ['--tag', 'team=platform', '--tag', 'env=prod']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      `error: STS AssumeRole ${ROLE} was denied: the role's trust policy does not allow sts:TagSession to ${KEYS.arn}, needed for session tags (team, env)\n` +
        `hint: add "sts:TagSession" beside "sts:AssumeRole" in the Action of the trust policy statement that lets you assume ${ROLE}, or drop --tag (and the access level's tags in the platform file)\n`,
    );
    expect(r.calls).toHaveLength(1);
    expect(r.calls[0]?.get('Tags.member.2.Key')).toBe('env');
    expect(r.stderr).not.toContain(KEYS.secretAccessKey);
  });

  it('sts:SetSourceIdentity: the same, naming the source identity', async () => {
    const r = await refused('sts:SetSourceIdentity', ['--source-identity', 'alice']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(new RegExp(`^error: STS AssumeRole ${ROLE} was denied: the role's trust policy does not allow sts:SetSourceIdentity to ${KEYS.arn}, needed for the source identity "alice"\nhint: add "sts:SetSourceIdentity" beside "sts:AssumeRole" .* or drop --source-identity .*\n$`));
    expect(r.calls[0]?.get('SourceIdentity')).toBe('alice');
  });
});
