/**
 * The loopback world of `bascule verify` and `bascule doctor`: moto (STS
 * AssumeRole) behind the presigned-STS front (signatures checked as STS
 * does), a DNS server with the active-cluster TXT record, one stand-in EKS
 * API per colour that authenticates as EKS does and then authorises as EKS
 * does (the identity's canonical ARN must be mapped in its aws-auth
 * ConfigMap or an access entry, else 401), serving SelfSubjectReview and
 * aws-auth; and a stand-in EKS control plane for ListAccessEntries /
 * DescribeAccessEntry (moto has none). It is composed of world.ts's parts;
 * stop() stops them all, last first, and removes the directories.
 */
import type http from 'node:http';
import { stringify } from 'yaml';
import { status } from './apiserver.mjs';
import { cleanEnv, KEYS } from './run.js';
import { casPart, clustersPart, composeWorld, dirPart, dnsPart, httpPart, motoPart, presignedStsPart, writeKubeconfig } from './world.js';

export { ROLE_ARN, TXT_NAME } from './world.js';
export const USER_ID = 'AIDAEXAMPLEALICE';

/** The authenticator's arn.Canonicalize: an assumed-role session is its role. */
export const canonical = (arn: string) => arn.replace(/^arn:([^:]+):sts::(\d{12}):assumed-role\/(.+)\/[^/]+$/, 'arn:$1:iam::$2:role/$3');

export interface Cluster {
  awsAuth: { mapRoles: { rolearn: string; username: string; groups: string[] }[]; mapUsers: { userarn: string; username: string; groups: string[] }[] } | undefined;
  accessEntries: { principalArn: string; username: string; groups: string[] }[];
  /** Answer 401 to everything, whatever the token (an API that does not know the identity). */
  refuseAll: boolean;
  /** DescribeCluster's accessConfig.authenticationMode: API reads access entries only. */
  mode: 'API' | 'API_AND_CONFIG_MAP' | 'CONFIG_MAP';
}

export const startDoctorWorld = () => composeWorld(async (parts) => {
  const moto = await motoPart(parts);
  const staticKeys: Record<string, { secretAccessKey: string; arn: string; userId: string }> = {
    [KEYS.accessKeyId]: { secretAccessKey: KEYS.secretAccessKey, arn: KEYS.arn, userId: USER_ID },
  };
  const lookupSecret = async (id: string) => staticKeys[id] ?? (await moto.lookupSecret(id));
  const sts = await presignedStsPart(parts, { motoEndpoint: moto.endpoint, lookupSecret });
  const dns = await dnsPart(parts, 'eks-green');
  const clusters: Record<string, Cluster> = {
    'eks-blue': { awsAuth: undefined, accessEntries: [], refuseAll: false, mode: 'API_AND_CONFIG_MAP' },
    'eks-green': { awsAuth: undefined, accessEntries: [], refuseAll: false, mode: 'API_AND_CONFIG_MAP' },
  };
  const mapped = (name: string, arn: string) => {
    const c = clusters[name] as Cluster;
    const want = canonical(arn).toLowerCase();
    const fromAuth = c.mode === 'API' ? [] : [...(c.awsAuth?.mapRoles ?? []).map((r) => ({ arn: r.rolearn, username: r.username, groups: r.groups })), ...(c.awsAuth?.mapUsers ?? []).map((u) => ({ arn: u.userarn, username: u.username, groups: u.groups }))];
    return [...c.accessEntries.map((e) => ({ arn: e.principalArn, username: e.username, groups: e.groups })), ...fromAuth].find((m) => m.arn.toLowerCase() === want);
  };
  const routesFor = (name: string) => [
    async (req: http.IncomingMessage, res: http.ServerResponse, ctx: any) => {
      const c = clusters[name] as Cluster;
      const m = mapped(name, ctx.identity.arn);
      if (c.refuseAll || !m) {
        ctx.json(401, status(401, 'Unauthorized', 'Unauthorized'));
        return true;
      }
      const path = ctx.url.pathname;
      if (req.method === 'POST' && path === '/apis/authentication.k8s.io/v1/selfsubjectreviews') {
        await ctx.body();
        ctx.json(201, {
          kind: 'SelfSubjectReview',
          apiVersion: 'authentication.k8s.io/v1',
          metadata: { creationTimestamp: null },
          status: { userInfo: { username: m.username.replace('{{SessionName}}', ctx.identity.arn.split('/').pop()).replace('{{AccountID}}', '123456789012'), uid: `aws-iam-authenticator:${ctx.identity.accessKeyId}`, groups: [...m.groups, 'system:authenticated'], extra: { arn: [ctx.identity.arn] } } },
        });
        return true;
      }
      if (req.method === 'GET' && path === '/api/v1/namespaces/kube-system/configmaps/aws-auth') {
        if (!c.awsAuth) ctx.json(404, status(404, 'NotFound', 'configmaps "aws-auth" not found'));
        else ctx.json(200, { kind: 'ConfigMap', apiVersion: 'v1', metadata: { name: 'aws-auth', namespace: 'kube-system' }, data: { mapRoles: stringify(c.awsAuth.mapRoles), mapUsers: stringify(c.awsAuth.mapUsers) } });
        return true;
      }
      return false;
    },
  ];
  const cas = casPart(parts);
  const api = await clustersPart(parts, cas, lookupSecret, { blue: { routes: routesFor('eks-blue') }, green: { routes: routesFor('eks-green') } });
  // EKS's REST API: GET /clusters/NAME (its authentication mode), /clusters/NAME/access-entries[/ARN].
  let eksDenied = false;
  const { endpoint: eksEndpoint } = await httpPart(parts, (req, res) => {
    const send = (code: number, value: unknown) => {
      res.writeHead(code, { 'content-type': 'application/json', ...(code >= 400 ? { 'x-amzn-errortype': (value as { __type: string }).__type } : {}) });
      res.end(JSON.stringify(value));
    };
    if (eksDenied) return send(403, { __type: 'AccessDeniedException', message: 'User is not authorized to perform: eks:ListAccessEntries' });
    const described = /^\/clusters\/([^/?]+)$/.exec(req.url ?? '');
    const d = described ? clusters[decodeURIComponent(described[1] as string)] : undefined;
    if (described && d) return send(200, { cluster: { name: described[1], accessConfig: { authenticationMode: d.mode } } });
    const m = /^\/clusters\/([^/]+)\/access-entries(?:\/([^?]+))?/.exec(req.url ?? '');
    const c = m ? clusters[decodeURIComponent(m[1] as string)] : undefined;
    if (!m || !c) return send(404, { __type: 'ResourceNotFoundException', message: 'No cluster found' });
    if (!m[2]) return send(200, { accessEntries: c.accessEntries.map((e) => e.principalArn) });
    const e = c.accessEntries.find((x) => x.principalArn === decodeURIComponent(m[2] as string));
    if (!e) return send(404, { __type: 'ResourceNotFoundException', message: 'The specified access entry resource is not found' });
    send(200, { accessEntry: { clusterName: m[1], principalArn: e.principalArn, kubernetesGroups: e.groups, username: e.username, type: 'STANDARD' } });
  });

  const dir = dirPart(parts, 'doctor-');
  return {
    moto,
    sts,
    dns,
    cas,
    api,
    clusters,
    dir,
    eksEndpoint,
    denyAccessEntries(deny: boolean) {
      eksDenied = deny;
    },
    /** The AWS side of the world, for a child's environment (a clean one: see cleanEnv). */
    env: (extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv =>
      cleanEnv({ AWS_ACCESS_KEY_ID: KEYS.accessKeyId, AWS_SECRET_ACCESS_KEY: KEYS.secretAccessKey, AWS_ENDPOINT_URL_STS: sts.endpoint, AWS_ENDPOINT_URL_EKS: eksEndpoint, ...extra }),
    /** A kubeconfig whose one context reaches `server` (either colour's CA) through the exec plugin `command args`. */
    kubeconfig: (options: { server: string; args: string[]; command?: string; env?: Record<string, string>; apiVersion?: string }): string =>
      writeKubeconfig(
        { dir },
        {
          ...options,
          caPems: [cas.blue.certPem, cas.green.certPem],
          env: options.env ? Object.entries(options.env).map(([name, value]) => ({ name, value })) : undefined,
        },
      ),
  };
});
export type DoctorWorld = Awaited<ReturnType<typeof startDoctorWorld>>;
