/**
 * --source-identity and --tag: STS's rules (the vocabulary's, shared with the
 * platform file), the flags' bad input, the cache key (entries of the
 * previous version still found), and STS's refusal when the role's trust
 * policy lacks sts:SetSourceIdentity / sts:TagSession, said as such.
 */
import { describe, expect, it } from 'vitest';
import { sessionRefusal } from '../../src/aws/sts.js';
import { sourceIdentityProblem, tagKeyProblem, tagSetProblem, tagValueProblem } from '../../src/vocabulary.js';
import { canonicalKey, decodeKey, fileNameOf } from '../../src/token/cache.js';
import { tokenCacheKey, type TokenCacheKey } from '../../src/token/get-token.js';
import { loadPlatform } from '../../src/platform/load.js';
import { clusterIdentity } from '../../src/kube/tokens.js';
import { envKeys, KEYS, runInProcess } from '../support/run.js';
import { readRepoFile, replaceOnce } from '../support/text.js';

const ROLE = 'arn:aws:iam::123456789012:role/k8s-admin';

describe("STS's rules for a source identity and tags", () => {
  it.each([
    ['alice', undefined],
    ['alice.smith@example.com', undefined],
    ['a+b=c,d.e@f_g-h', undefined],
    ['x'.repeat(64), undefined],
    ['a', 'is 1 characters long (STS takes 2 to 64)'],
    ['x'.repeat(65), 'is 65 characters long (STS takes 2 to 64)'],
    ['alice smith', 'holds a character STS refuses'],
    ['aws:alice', 'holds a character STS refuses'],
    ['ålice', 'holds a character STS refuses'],
  ])('source identity %j: %s', (value, problem) => expect(sourceIdentityProblem(value)).toEqual(problem === undefined ? undefined : expect.stringContaining(problem)));

  it.each([
    ['team', undefined],
    ['cost center', undefined],
    ['kubernetes.io/team:x@y+z-w_v', undefined],
    ['équipe', undefined],
    ['k'.repeat(128), undefined],
    ['', 'is 0 characters long (STS takes 1 to 128)'],
    ['k'.repeat(129), 'is 129 characters long'],
    ['a=b', 'holds "=", which --tag KEY=VALUE cannot carry in a key'],
    ['aws:team', 'starts with "aws:"'],
    ['AWS:team', 'starts with "aws:"'],
    ['team\u0007', 'holds a character STS refuses in a tag key'],
    ['team\u202e', 'holds a character STS refuses in a tag key'],
    ['line\u2028break', 'holds a character STS refuses in a tag key'],
    ['a,b', 'holds a character STS refuses in a tag key'],
  ])('tag key %j: %s', (key, problem) => expect(tagKeyProblem(key)).toEqual(problem === undefined ? undefined : expect.stringContaining(problem)));

  it.each([
    ['', undefined],
    ['platform', undefined],
    ['a=b c:d/e', undefined],
    ['v'.repeat(256), undefined],
    ['v'.repeat(257), 'is 257 characters long (STS takes at most 256)'],
    ['x;y', 'holds a character STS refuses in a tag value'],
    ['x\ny', 'holds a character STS refuses in a tag value'],
  ])('tag value %j: %s', (value, problem) => expect(tagValueProblem(value)).toEqual(problem === undefined ? undefined : expect.stringContaining(problem)));

  it('a set: at most 50, keys unique ignoring case', () => {
    expect(tagSetProblem(Array.from({ length: 50 }, (_, i) => `k${i}`))).toBeUndefined();
    expect(tagSetProblem(Array.from({ length: 51 }, (_, i) => `k${i}`))).toBe('51 session tags: STS takes at most 50');
    expect(tagSetProblem(['Team', 'env', 'team'])).toBe('tag keys "Team" and "team" are the same to STS (keys ignore case)');
  });
});

describe('the flags: bad input is exit 2, its reason and the rule, nothing on stdout', () => {
  const role = ['token', '-i', 'eks-green', '--no-dns', '-r', ROLE];
  it.each([
    ['--source-identity without a role', ['token', '-i', 'eks-green', '--source-identity', 'alice'], /^error: --source-identity applies only with --role: it marks the role session\nhint: add --role ARN/],
    ['--tag without a role', ['token', '-i', 'eks-green', '--tag', 'team=x'], /^error: --tag applies only with --role/],
    ['a source identity with a space', [...role, '--source-identity', 'alice smith'], /^error: --source-identity "alice smith" holds a character STS refuses in a source identity \(letters, digits and \+=,\.@_- only\)\nhint: a source identity is 2-64 characters/],
    ['a one-character source identity', [...role, '--source-identity', 'a'], /--source-identity "a" is 1 characters long \(STS takes 2 to 64\)/],
    ['a tag without "="', [...role, '--tag', 'team'], /^error: --tag "team" is not KEY=VALUE\nhint: write --tag team=platform; a tag key is 1-128/],
    ['a tag with an empty key', [...role, '--tag', '=x'], /--tag "=x": its key "" is 0 characters long/],
    ['a tag key with aws:', [...role, '--tag', 'aws:team=x'], /--tag "aws:team=x": its key "aws:team" starts with "aws:", a prefix AWS keeps for itself/],
    ['a tag value STS refuses', [...role, '--tag', 'team=a;b'], /--tag "team=a;b": its value "a;b" holds a character STS refuses in a tag value/],
    ['a tag with a control character, escaped in the message', [...role, '--tag', 'team=a\u001b[2Jb'], /--tag "team=a\\u001b\[2Jb": its value "a\\u001b\[2Jb" holds a character STS refuses/],
    ['the same key twice, by case', [...role, '--tag', 'Team=a', '--tag', 'team=b'], /^error: --tag: tag keys "Team" and "team" are the same to STS \(keys ignore case\)\nhint: give each tag key once \(at most 50 tags\)/],
    ['51 tags', [...role, ...Array.from({ length: 51 }, (_, i) => ['--tag', `k${i}=v`]).flat()], /^error: --tag: 51 session tags: STS takes at most 50/],
  ])('%s', async (_, argv, message) => {
    const r = await runInProcess([...argv, '--no-cache'], { env: envKeys() });
    expect(r.stdout).toBe('');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\u001b/);
    expect(r.stderr).not.toContain(KEYS.secretAccessKey);
  });
});

describe('the cache key', () => {
  const key = (over: Partial<TokenCacheKey> = {}): TokenCacheKey => ({
    clusterName: 'eks-green',
    region: 'eu-west-1',
    roleArn: ROLE,
    externalId: null,
    sessionName: null,
    forwardSessionName: false,
    durationSeconds: null,
    profile: null,
    signerIdentity: 'env:AKIDEXAMPLE',
    sourceIdentity: null,
    tags: [],
    ...over,
  });

  it('without a source identity or tags: the previous version\'s text and file name, so its entries are still found', () => {
    const canonical = canonicalKey(key());
    expect(canonical).toBe('[1,"eks-green","eu-west-1","arn:aws:iam::123456789012:role/k8s-admin",null,null,false,null,null,"env:AKIDEXAMPLE"]');
    expect(fileNameOf(canonical)).toBe(fileNameOf('[1,"eks-green","eu-west-1","arn:aws:iam::123456789012:role/k8s-admin",null,null,false,null,null,"env:AKIDEXAMPLE"]'));
    expect(decodeKey(canonical)).toEqual(key());
  });

  it('with either: twelve fields, another key (another file), read back whole', () => {
    const marked = key({ sourceIdentity: 'alice', tags: [['env', 'prod'], ['team', 'platform']] });
    expect(canonicalKey(marked)).toBe('[1,"eks-green","eu-west-1","arn:aws:iam::123456789012:role/k8s-admin",null,null,false,null,null,"env:AKIDEXAMPLE","alice",[["env","prod"],["team","platform"]]]');
    expect(decodeKey(canonicalKey(marked))).toEqual(marked);
    const keys = [key(), marked, key({ sourceIdentity: 'alice' }), key({ sourceIdentity: 'bob' }), key({ tags: [['team', 'platform']] }), key({ tags: [['team', 'other']] })].map(canonicalKey);
    expect(new Set(keys).size).toBe(keys.length);
    expect(new Set(keys.map(fileNameOf)).size).toBe(keys.length);
  });

  it('the order of --tag flags does not matter: tokenCacheKey sorts them', () => {
    const role = { roleArn: ROLE, externalId: undefined, sessionName: undefined, forwardSessionName: false, durationSeconds: undefined, sourceIdentity: 'alice' };
    const signer = { profile: null, identity: 'env:AKIDEXAMPLE' };
    const a = tokenCacheKey('eks-green', 'eu-west-1', { ...role, tags: [['team', 'platform'], ['env', 'prod']] }, signer);
    const b = tokenCacheKey('eks-green', 'eu-west-1', { ...role, tags: [['env', 'prod'], ['team', 'platform']] }, signer);
    expect(canonicalKey(a)).toBe(canonicalKey(b));
    expect(a.tags).toEqual([['env', 'prod'], ['team', 'platform']]);
  });

  it.each([
    ['a twelve-field key with a number for the source identity', '[1,"c","r",null,null,null,false,null,null,"env:x",5,[]]'],
    ['tags that are not pairs', '[1,"c","r",null,null,null,false,null,null,"env:x","a",[["k"]]]'],
    ['eleven fields', '[1,"c","r",null,null,null,false,null,null,"env:x","a"]'],
  ])('%s is no key (cache list sets it apart)', (_, text) => expect(decodeKey(text)).toBeUndefined());
});

describe("STS's refusal, in STS's words, said as the trust policy's missing action", () => {
  const denied = (message: string) => Object.assign(new Error(message), { name: 'AccessDenied' });
  const input = { roleArn: ROLE, sourceIdentity: 'alice', tags: [['team', 'platform'], ['env', 'prod']] as const };

  it('sts:TagSession', () => {
    const error = sessionRefusal(input, denied(`User: ${KEYS.arn} is not authorized to perform: sts:TagSession on resource: ${ROLE}`));
    expect(error).toMatchObject({
      kind: 'aws',
      message: `STS AssumeRole ${ROLE} was denied: the role's trust policy does not allow sts:TagSession to ${KEYS.arn}, needed for session tags (team, env)`,
      hint: `add "sts:TagSession" beside "sts:AssumeRole" in the Action of the trust policy statement that lets you assume ${ROLE}, or drop --tag (and the access level's tags in the platform file)`,
    });
    expect(error?.exitCode).toBe(1);
  });

  it('sts:SetSourceIdentity', () => {
    const error = sessionRefusal(input, denied(`User: arn:aws:sts::123456789012:assumed-role/sso/alice is not authorized to perform: sts:SetSourceIdentity on resource: ${ROLE}`));
    expect(error?.message).toBe(`STS AssumeRole ${ROLE} was denied: the role's trust policy does not allow sts:SetSourceIdentity to arn:aws:sts::123456789012:assumed-role/sso/alice, needed for the source identity "alice"`);
    expect(error?.hint).toMatch(/add "sts:SetSourceIdentity" beside "sts:AssumeRole" .* or drop --source-identity \(and the access level's sourceIdentity in the platform file\)$/);
  });

  it('any other refusal is left to the general mapper', () => {
    expect(sessionRefusal(input, denied(`User: ${KEYS.arn} is not authorized to perform: sts:AssumeRole on resource: ${ROLE}`))).toBeUndefined();
    expect(sessionRefusal(input, Object.assign(new Error('not authorized to perform: sts:TagSession'), { name: 'ValidationError' }))).toBeUndefined();
  });
});

describe("the platform file's access[].sourceIdentity and tags", () => {
  const platform = () =>
    loadPlatform(
      replaceOnce(readRepoFile('examples/platform.yaml'), '    username: kubernetes-readonly\n', "    username: kubernetes-readonly\n    sourceIdentity: ci-readonly\n    tags:\n      team: platform\n      'cost center': '42'\n"),
      { source: 'platform.yaml', baseDir: `${new URL('../..', import.meta.url).pathname}examples` },
    );

  it('load in the file\'s order', () => {
    const level = platform().access.find((a) => a.name === 'readonly');
    expect(level).toMatchObject({ sourceIdentity: 'ci-readonly', tags: [['team', 'platform'], ['cost center', '42']] });
    expect(platform().access.find((a) => a.name === 'admin')).toMatchObject({ sourceIdentity: undefined, tags: [] });
  });

  it('--access LEVEL (status, switch) assumes the role with the level\'s marks, as its kubeconfig does', () => {
    expect(clusterIdentity(platform(), { access: 'readonly', roleArn: undefined, profile: undefined })).toMatchObject({
      roleArn: 'arn:aws:iam::123456789012:role/etf1-crossaccount-k8sreadonly',
      session: { sourceIdentity: 'ci-readonly', tags: [['team', 'platform'], ['cost center', '42']] },
    });
  });
});
