/**
 * `bascule manifests` on the example platform: golden files, byte-identical
 * runs, every object valid against the Kubernetes schemas after a round trip
 * through YAML, and the invariants of the design (owner ids, one live colour,
 * every namespace bound, no system: group in access entries).
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { buildColour, type ManifestFile } from '../../src/manifests/build.js';
import { manifestsChecks } from '../../src/manifests/checks.js';
import { readInputs } from '../../src/manifests/command.js';
import { annotationExpression, externalDnsArgs } from '../../src/manifests/external-dns.js';
import { OWNERSHIP_FILE } from '../../src/manifests/output.js';
import { validateObject } from '../../src/manifests/validate.js';
import { loadPlatform } from '../../src/platform/load.js';
import type { Colour, Platform } from '../../src/platform/model.js';
import { EXTERNAL_DNS_DEPLOYMENTS } from '../../src/platform/names.js';
import { COLOURS, EXTERNAL_DNS_INSTANCES } from '../../src/platform/schema.js';
import { runCli } from '../support/cli.js';
import { tempDirs, UPDATE_GOLDEN } from '../support/text.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const GOLDEN = join(ROOT, 'test/golden/manifests');
const EXAMPLE = readFileSync(join(ROOT, 'examples/platform.yaml'), 'utf8');

const tempDir = tempDirs('bascule-manifests-');

const load = (text = EXAMPLE): Platform => loadPlatform(text, { source: 'examples/platform.yaml', baseDir: join(ROOT, 'examples') }, manifestsChecks);
const files = (platform: Platform, colour: Colour): ManifestFile[] =>
  buildColour(platform, colour, readInputs(platform, [colour], { readFile: (p) => readFileSync(p, 'utf8') }));

type Obj = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> }; [k: string]: any };
const objectsOf = (fs: ManifestFile[]): Obj[] => fs.flatMap((f) => (f.kind === 'yaml' && f.multi ? (f.documents as Obj[]) : []));
const find = (objs: Obj[], kind: string, name: string, namespace?: string) => objs.filter((o) => o.kind === kind && o.metadata.name === name && o.metadata.namespace === namespace);

function listTree(dir: string): string[] {
  const out: string[] = [];
  const walk = (at: string) => {
    for (const e of readdirSync(at, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(at, e.name));
      else out.push(relative(dir, join(at, e.name)));
    }
  };
  walk(dir);
  return out.sort();
}

describe('the example platform (golden files)', () => {
  it('writes test/golden/manifests, byte for byte, and a second run changes nothing', async () => {
    const out = join(tempDir(), 'out');
    const first = await runCli(['manifests', '--config', 'examples/platform.yaml', '--out', out], { cwd: ROOT });
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toBe('');
    expect(first.stderr).toContain('blue: 9 files (9 written), eks-blue, live');
    const written = listTree(out).filter((p) => p !== OWNERSHIP_FILE);
    if (UPDATE_GOLDEN) {
      rmSync(GOLDEN, { recursive: true, force: true });
      for (const p of written) {
        mkdirSync(join(GOLDEN, p, '..'), { recursive: true });
        writeFileSync(join(GOLDEN, p), readFileSync(join(out, p)));
      }
    } else {
      // Compared only when not rewritten: a rewritten tree compared with itself proves nothing.
      expect(written, 'the golden tree is out of date: UPDATE_GOLDEN=1 npx vitest run, review, commit').toEqual(listTree(GOLDEN));
      for (const p of written) expect(readFileSync(join(out, p), 'utf8'), `${p} differs from its golden file`).toBe(readFileSync(join(GOLDEN, p), 'utf8'));
    }

    const mtimes = written.map((p) => statSync(join(out, p)).mtimeMs);
    const second = await runCli(['manifests', '--config', 'examples/platform.yaml', '--out', out], { cwd: ROOT });
    expect(second.code, second.stderr).toBe(0);
    expect(second.stderr).toContain('blue: 9 files (up to date)');
    expect(written.map((p) => statSync(join(out, p)).mtimeMs)).toEqual(mtimes);

    // The same bytes from a fresh directory.
    const again = join(tempDir(), 'out');
    await runCli(['manifests', '--config', 'examples/platform.yaml', '--out', again], { cwd: ROOT });
    for (const p of [...written, OWNERSHIP_FILE]) expect(readFileSync(join(again, p), 'utf8')).toBe(readFileSync(join(out, p), 'utf8'));
  });

  it('every file says it is generated, from which file (its name: no directory of the machine), for which cluster', () => {
    for (const colour of COLOURS) {
      for (const p of listTree(join(GOLDEN, colour)).filter((f) => f.endsWith('.yaml'))) {
        const text = readFileSync(join(GOLDEN, colour, p), 'utf8');
        expect(text.split('\n')[0]).toBe(
          `# Generated by bascule from platform.yaml for eks-${colour} (${colour}, ${colour === 'blue' ? 'the live colour' : 'the standby colour'}); do not edit: change the platform file and run \`bascule manifests\` again.`,
        );
      }
      expect(JSON.parse(readFileSync(join(GOLDEN, colour, 'access-entries.json'), 'utf8')).comment).toContain('Generated by bascule from platform.yaml');
    }
  });

  it.each(COLOURS)('%s: every object, read back from the YAML, is valid against the Kubernetes schemas', (colour) => {
    const kustomization = parse(readFileSync(join(GOLDEN, colour, 'kustomization.yaml'), 'utf8')) as { resources: string[] };
    expect(kustomization.resources).toEqual(['namespaces.yaml', 'rbac.yaml', 'aws-auth.yaml', 'external-dns.yaml', 'addons/node-local-dns.yaml']);
    const objects = kustomization.resources.flatMap((f) => parseAllDocuments(readFileSync(join(GOLDEN, colour, f), 'utf8')).map((d) => d.toJS()));
    expect(objects.length).toBe(objectsOf(files(load(), colour)).length);
    expect(objects.flatMap(validateObject)).toEqual([]);
    // And the objects as built: the same after the round trip.
    expect(objects).toEqual(JSON.parse(JSON.stringify(objectsOf(files(load(), colour)))));
  });

  it('the validator catches what a broken generator would produce', () => {
    const ok = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'tf1' } };
    expect(validateObject(ok)).toEqual([]);
    expect(validateObject({ ...ok, metadata: { name: 'Bad_Name' } })[0]).toContain('invalid name');
    expect(validateObject({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'x', namespace: 'y' }, spec: { replicas: 'one' } }).join()).toMatch(/selector|replicas/);
    expect(validateObject({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } })[0]).toContain('has no namespace');
    expect(validateObject({ ...ok, metadata: { name: 'x', labels: { 'a/b/c': 'x' } } })[0]).toContain('invalid label');
    expect(validateObject({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'x' } })[0]).toContain('not a kind bascule knows');
  });
});

describe('ExternalDNS: owners, the live colour, zones, annotations', () => {
  const platform = load();
  const deployments = (colour: Colour) => objectsOf(files(platform, colour)).filter((o) => o.kind === 'Deployment' && o.metadata.labels?.['app.kubernetes.io/name'] === 'external-dns');
  const argOf = (d: Obj, flag: string) => (d.spec.template.spec.containers[0].args as string[]).filter((a) => a.startsWith(`--${flag}=`)).map((a) => a.slice(flag.length + 3));

  it('four per colour, with the names the switch scales', () => {
    for (const colour of COLOURS) expect(deployments(colour).map((d) => d.metadata.name)).toEqual(EXTERNAL_DNS_INSTANCES.map((i) => EXTERNAL_DNS_DEPLOYMENTS[i]));
  });

  it('every instance has its own owner id, the live ones one per colour (the fence), and the live ones always run upsert-only', () => {
    const owners: any = Object.fromEntries(COLOURS.map((c) => [c, Object.fromEntries(deployments(c).map((d) => [d.metadata.name, argOf(d, 'txt-owner-id')[0]]))]));
    const all = COLOURS.flatMap((c) => Object.values(owners[c]));
    expect(new Set(all).size).toBe(8);
    expect(owners.blue['live-external-dns-private']).toBe('live-eks-blue.devinfra.local');
    expect(owners.green['live-external-dns-public']).toBe('live-eks-green.devinfra.fr');
    expect(owners.green['external-dns-public']).toBe('ingress-eks-green.devinfra.fr');
    // No instance carries the hand-over flag: the switch sets it only while production moves.
    for (const c of COLOURS) for (const d of deployments(c)) expect(argOf(d, 'migrate-from-txt-owner')).toEqual([]);
    const sync = load(EXAMPLE.replace('  policy: upsert-only\n', '  policy: sync\n'));
    for (const d of objectsOf(files(sync, 'blue')).filter((o) => o.kind === 'Deployment' && o.metadata.name.includes('external-dns'))) {
      expect(argOf(d, 'policy')).toEqual([d.metadata.name.startsWith('live-') ? 'upsert-only' : 'sync']);
    }
  });

  it.each(['blue', 'green'] as const)('live: %s — exactly that colour runs the live instances; cluster-scoped ones always run', (live) => {
    const p = load(EXAMPLE.replace('live: blue', `live: ${live}`));
    for (const colour of COLOURS) {
      const replicas = Object.fromEntries(objectsOf(files(p, colour)).filter((o) => o.kind === 'Deployment' && o.metadata.name.includes('external-dns')).map((d) => [d.metadata.name, d.spec.replicas]));
      expect(replicas).toEqual({
        'external-dns-private': 1,
        'external-dns-public': 1,
        'live-external-dns-private': colour === live ? 1 : 0,
        'live-external-dns-public': colour === live ? 1 : 0,
      });
    }
  });

  it.each([
    ['blue', 'external-dns-private', '{{ .Annotations.PrivateDNSName }}.eks-blue.devinfra.local', 'private', 'eks-blue.devinfra.local', ['api.eks-blue.devinfra.local'], true],
    ['blue', 'external-dns-public', '{{ .Annotations.PublicDNSName }}.eks-blue.devinfra.fr', 'public', 'eks-blue.devinfra.fr', [], true],
    ['green', 'live-external-dns-private', '{{ .Annotations.PrivateDNSName }}.devinfra.local', 'private', 'devinfra.local', ['eks-blue.devinfra.local', 'eks-green.devinfra.local', 'api.devinfra.local'], false],
    ['green', 'live-external-dns-public', '{{ .Annotations.PublicDNSName }}.devinfra.fr', 'public', 'devinfra.fr', ['eks-blue.devinfra.fr', 'eks-green.devinfra.fr'], false],
  ] as const)('%s %s: name from the annotation only, zone it cannot leave', (colour, name, template, zoneType, domain, excluded, matchParent) => {
    const d = deployments(colour).find((x) => x.metadata.name === name) as Obj;
    const args = d.spec.template.spec.containers[0].args as string[];
    expect(argOf(d, 'fqdn-template')).toEqual([template]);
    expect(argOf(d, 'annotation-filter')).toEqual([zoneType === 'private' ? 'PrivateDNSName' : 'PublicDNSName']);
    expect(argOf(d, 'aws-zone-type')).toEqual([zoneType]);
    expect(argOf(d, 'zone-id-filter')).toEqual([zoneType === 'private' ? 'Z0DEVINFRALOCAL01' : 'Z0DEVINFRAFR02']);
    expect(argOf(d, 'domain-filter')).toEqual([domain]);
    expect(argOf(d, 'exclude-domains')).toEqual(excluded);
    expect(args.includes('--aws-zone-match-parent')).toBe(matchParent);
    for (const flag of ['--ignore-hostname-annotation', '--ignore-ingress-rules-spec', '--ignore-ingress-tls-spec', '--registry=txt', '--policy=upsert-only', '--provider=aws', '--annotation-prefix=external-dns.kubernetes.io/']) {
      expect(args).toContain(flag);
    }
  });

  it('a correct Deployment: Recreate, system-cluster-critical, probes on :7979, resources, non-root read-only, IRSA', () => {
    const all = objectsOf(files(platform, 'green'));
    for (const d of deployments('green')) {
      const pod = d.spec.template.spec;
      const c = pod.containers[0];
      expect(d.spec.strategy).toEqual({ type: 'Recreate' });
      expect(pod.priorityClassName).toBe('system-cluster-critical');
      expect(c.image).toBe('registry.k8s.io/external-dns/external-dns:v0.22.0');
      expect(c.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 7979 });
      expect(c.readinessProbe.httpGet).toEqual({ path: '/healthz', port: 7979 });
      expect(c.resources).toEqual({ requests: { cpu: '50m', memory: '64Mi' }, limits: { memory: '128Mi' } });
      expect(c.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 65534, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
      expect(pod.securityContext.seccompProfile).toEqual({ type: 'RuntimeDefault' });
      const sa = find(all, 'ServiceAccount', pod.serviceAccountName, 'kube-system')[0] as Obj;
      expect(sa.metadata.annotations).toEqual({ 'eks.amazonaws.com/role-arn': 'arn:aws:iam::123456789012:role/eks-green-external-dns' });
      const binding = find(all, 'ClusterRoleBinding', d.metadata.name)[0] as Obj;
      expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: d.metadata.name, namespace: 'kube-system' }]);
      const role = find(all, 'ClusterRole', binding.roleRef.name)[0] as Obj;
      expect(role.rules.flatMap((r: any) => r.apiGroups.flatMap((g: string) => r.resources.map((x: string) => `${g}/${x}`))).sort()).toEqual(
        ['/nodes', '/pods', '/services', 'discovery.k8s.io/endpointslices', 'networking.k8s.io/ingresses'].sort(),
      );
    }
  });

  it.each([
    ['PrivateDNSName', '{{ .Annotations.PrivateDNSName }}'],
    ['dns_name', '{{ .Annotations.dns_name }}'],
    ['bascule.io/private-name', '{{ index .Annotations "bascule.io/private-name" }}'],
    ['private-name', '{{ index .Annotations "private-name" }}'],
  ])('annotation %s reads as %s in the template', (annotation, expression) => {
    expect(annotationExpression(annotation)).toBe(expression);
  });

  it('a cluster sub-domain with a zone of its own: its zone id, no parent-zone match', () => {
    const p = load(
      EXAMPLE.replace(
        '    nodeRoleArns: [arn:aws:iam::123456789012:role/eks-green-nodes]',
        '    nodeRoleArns: [arn:aws:iam::123456789012:role/eks-green-nodes]\n    domains:\n      private: { name: eks-green.devinfra.local, zoneId: Z0GREENLOCAL04 }',
      ),
    );
    const args = externalDnsArgs(p, 'green', 'private');
    expect(args).toContain('--zone-id-filter=Z0GREENLOCAL04');
    expect(args).not.toContain('--aws-zone-match-parent');
  });
});

describe('rights', () => {
  const platform = load();

  it.each(COLOURS)('%s: every namespace has its Roles and all its bindings; readonly is bound cluster-wide', (colour) => {
    const all = objectsOf(files(platform, colour));
    const crb = find(all, 'ClusterRoleBinding', 'readonly-role-view')[0] as Obj;
    expect(crb.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' });
    expect(crb.subjects).toEqual([{ kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: 'readonly' }]);
    for (const ns of platform.namespaces) {
      expect(find(all, 'Namespace', ns.name)).toHaveLength(1);
      const debugRole = find(all, 'Role', 'debug-mode', ns.name)[0] as Obj;
      expect(debugRole.rules).toEqual([
        { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] },
        { apiGroups: [''], resources: ['pods/attach', 'pods/exec', 'pods/portforward'], verbs: ['create', 'get'] },
      ]);
      const bindings: Record<string, any> = Object.fromEntries(all.filter((o) => o.kind === 'RoleBinding' && o.metadata.namespace === ns.name).map((b) => [b.metadata.name, b]));
      expect(Object.keys(bindings).sort()).toEqual(['debug-mode', 'readwrite', 'readwrite-secrets']);
      expect(bindings['debug-mode'].roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'debug-mode' });
      expect(bindings['debug-mode'].subjects.map((s: any) => s.name)).toEqual(ns.debugGroups);
      expect(bindings.readwrite.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'edit' });
      expect(bindings['readwrite-secrets'].roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'readwrite-secrets' });
      expect(find(all, 'Role', 'readwrite-secrets', ns.name)[0]?.rules).toEqual([
        { apiGroups: ['external-secrets.io'], resources: ['externalsecrets', 'secretstores'], verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'] },
      ]);
      for (const b of Object.values(bindings)) for (const s of b.subjects) expect(s).not.toHaveProperty('namespace');
    }
    expect(find(all, 'RoleBinding', 'debug-mode', 'tfoumax')[0]?.subjects.map((s: any) => s.name)).toEqual(['debugmode', 'tfoumax-devs']);
  });

  it('aws-auth maps the nodes first, then each level, as the article', () => {
    const cm = find(objectsOf(files(platform, 'green')), 'ConfigMap', 'aws-auth', 'kube-system')[0] as Obj;
    expect(parse(cm.data.mapRoles)).toEqual([
      { rolearn: 'arn:aws:iam::123456789012:role/eks-green-nodes', username: 'system:node:{{EC2PrivateDNSName}}', groups: ['system:bootstrappers', 'system:nodes'] },
      { rolearn: 'arn:aws:iam::123456789012:role/etf1-crossaccount-k8sadmin', username: 'kubernetes-admin', groups: ['system:masters'] },
      { rolearn: 'arn:aws:iam::123456789012:role/etf1-crossaccount-k8sreadwrite', username: 'kubernetes-readwrite', groups: ['readwrite', 'readonly', 'debugmode'] },
      { rolearn: 'arn:aws:iam::123456789012:role/etf1-crossaccount-k8sreadonly', username: 'kubernetes-readonly', groups: ['readonly', 'debugmode'] },
    ]);
  });

  it('access entries: no system: group anywhere; the admin gets AmazonEKSClusterAdminPolicy, cluster-wide', () => {
    for (const colour of COLOURS) {
      const json = files(platform, colour).find((f) => f.path.endsWith('access-entries.json')) as { value: any };
      const tf = files(platform, colour).find((f) => f.path.endsWith('access-entries.tfvars.json')) as { value: any };
      const text = JSON.stringify([json.value.accessEntries, tf.value]);
      expect(text).not.toContain('system:');
      expect(json.value.clusterName).toBe(`eks-${colour}`);
      const admin = json.value.accessEntries[0];
      expect(admin.createAccessEntry).toEqual({ clusterName: `eks-${colour}`, principalArn: 'arn:aws:iam::123456789012:role/etf1-crossaccount-k8sadmin', username: 'kubernetes-admin', type: 'STANDARD' });
      expect(admin.associateAccessPolicies).toEqual([
        { clusterName: `eks-${colour}`, principalArn: admin.createAccessEntry.principalArn, policyArn: 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy', accessScope: { type: 'cluster' } },
      ]);
      expect(json.value.accessEntries[1].createAccessEntry.kubernetesGroups).toEqual(['readwrite', 'readonly', 'debugmode']);
      expect(tf.value.access_entries.admin.policy_associations.AmazonEKSClusterAdminPolicy.access_scope).toEqual({ type: 'cluster' });
    }
  });

  it.each([
    ['aws-auth', ['aws-auth.yaml'], ['access-entries.json', 'access-entries.tfvars.json']],
    ['access-entries', ['access-entries.json', 'access-entries.tfvars.json'], ['aws-auth.yaml']],
    ['both', ['aws-auth.yaml', 'access-entries.json', 'access-entries.tfvars.json'], []],
  ])('authMode %s', (mode, present, absent) => {
    const paths = files(load(EXAMPLE.replace('authMode: both', `authMode: ${mode}`)), 'blue').map((f) => f.path.slice('blue/'.length));
    for (const p of present) expect(paths).toContain(p);
    for (const p of absent) expect(paths).not.toContain(p);
  });
});

describe('add-ons', () => {
  const platform = load();
  const helmfile = (colour: Colour, p = platform) => (files(p, colour).find((f) => f.path.endsWith('helmfile.yaml')) as unknown as { documents: any[] }).documents[0];

  it('one pinned release per enabled add-on, from its project\'s repository, values from the platform', () => {
    const h = helmfile('green');
    expect(h.helmDefaults.kubeContext).toBe('devinfra-green-admin');
    const releases = Object.fromEntries(h.releases.map((r: any) => [r.name, r]));
    expect(h.releases.map((r: any) => `${r.chart}@${r.version}`)).toEqual([
      'external-secrets/external-secrets@2.9.0',
      'eks/aws-vpc-cni@1.22.4',
      'linkerd/linkerd-crds@1.8.0',
      'linkerd/linkerd-control-plane@1.16.11',
      'eks/aws-load-balancer-controller@3.5.0',
      'aws-ec2/aws-node-termination-handler@0.27.6',
      'autoscaler/cluster-autoscaler@9.52.1',
      'descheduler/descheduler@0.36.0',
      'metrics-server/metrics-server@3.13.1',
      'fluent/fluent-bit@0.58.1',
    ]);
    for (const r of h.releases) expect(h.repositories.map((x: any) => x.name)).toContain(r.chart.split('/')[0]);
    expect(h.repositories.find((r: any) => r.name === 'aws-ec2')).toEqual({ name: 'aws-ec2', url: 'public.ecr.aws/aws-ec2/helm', oci: true });
    const lbc = releases['aws-load-balancer-controller'].values[0];
    expect(lbc).toMatchObject({ clusterName: 'eks-green', region: 'eu-west-3', vpcId: 'vpc-0f1e2d3c4b5a69788' });
    expect(lbc.serviceAccount.annotations['eks.amazonaws.com/role-arn']).toBe('arn:aws:iam::123456789012:role/eks-green-aws-load-balancer-controller');
    expect(releases['cluster-autoscaler'].values[0]).toMatchObject({ cloudProvider: 'aws', awsRegion: 'eu-west-3', autoDiscovery: { clusterName: 'eks-green' } });
    expect(releases['cluster-autoscaler'].values[0].rbac.serviceAccount.annotations['eks.amazonaws.com/role-arn']).toContain('eks-green-cluster-autoscaler');
    expect(releases['external-secrets'].values[0].serviceAccount.annotations['eks.amazonaws.com/role-arn']).toContain('eks-green-external-secrets');
    expect(releases['aws-vpc-cni'].values[0].serviceAccount.annotations['eks.amazonaws.com/role-arn']).toContain('eks-green-vpc-cni');
    expect(releases['linkerd-control-plane'].needs).toEqual(['linkerd/linkerd-crds']);
    expect(releases['linkerd-control-plane'].values[0].identityTrustAnchorsPEM).toBe(readFileSync(join(ROOT, 'examples/linkerd/trust-anchor.crt'), 'utf8'));
    expect(JSON.stringify(h)).not.toMatch(/PRIVATE KEY/);
  });

  it('an add-on off (globally or on one cluster) has no release, and no repository unused', () => {
    const p = load(
      EXAMPLE.replace('  metricsServer: { enabled: true, chartVersion: 3.13.1 }', '  metricsServer: { enabled: false, chartVersion: 3.13.1 }').replace(
        '      clusterAutoscaler:\n        roleArn: arn:aws:iam::123456789012:role/eks-green-cluster-autoscaler',
        '      clusterAutoscaler:\n        enabled: false',
      ),
    );
    expect(helmfile('blue', p).releases.map((r: any) => r.name)).toContain('cluster-autoscaler');
    expect(helmfile('green', p).releases.map((r: any) => r.name)).not.toContain('cluster-autoscaler');
    expect(helmfile('green', p).repositories.map((r: any) => r.name)).not.toContain('autoscaler');
    expect(helmfile('green', p).releases.map((r: any) => r.name)).not.toContain('metrics-server');
  });

  it('a chart version tried on green only', () => {
    const p = load(EXAMPLE.replace('      vpcCni:\n        roleArn: arn:aws:iam::123456789012:role/eks-green-vpc-cni', '      vpcCni:\n        chartVersion: 1.23.0\n        roleArn: arn:aws:iam::123456789012:role/eks-green-vpc-cni'));
    expect(helmfile('green', p).releases.find((r: any) => r.name === 'aws-vpc-cni').version).toBe('1.23.0');
    expect(helmfile('blue', p).releases.find((r: any) => r.name === 'aws-vpc-cni').version).toBe('1.22.4');
  });

  it('NodeLocal DNS: the upstream objects, every placeholder we own filled, the runtime ones left', () => {
    const p = load(EXAMPLE.replace(/ {4}# kubeDnsIp: 172\.20\.0\.10.*\n/, '    kubeDnsIp: 10.100.0.10\n'));
    const objs = objectsOf(files(p, 'blue')).filter((o) => (o.metadata.labels?.['k8s-app'] ?? '').includes('node-local-dns') || o.metadata.name.includes('node-local-dns') || o.metadata.name === 'kube-dns-upstream');
    expect(objs.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(['ServiceAccount/node-local-dns', 'Service/kube-dns-upstream', 'ConfigMap/node-local-dns', 'DaemonSet/node-local-dns', 'Service/node-local-dns']);
    const text = JSON.stringify(objs);
    for (const placeholder of ['__PILLAR__DNS__SERVER__', '__PILLAR__LOCAL__DNS__', '__PILLAR__DNS__DOMAIN__']) expect(text).not.toContain(placeholder);
    expect(text).toContain('__PILLAR__CLUSTER__DNS__');
    expect(text).toContain('__PILLAR__UPSTREAM__SERVERS__');
    const ds = objs.find((o) => o.kind === 'DaemonSet') as Obj;
    expect(ds.spec.template.spec.containers[0].args.slice(0, 2)).toEqual(['-localip', '169.254.20.10,10.100.0.10']);
    const corefile = (objs.find((o) => o.kind === 'ConfigMap') as Obj).data.Corefile as string;
    expect(corefile.split('\n')[0]).toBe('cluster.local:53 {');
    expect(corefile).toContain('bind 169.254.20.10 10.100.0.10');
    expect(corefile).toContain('health 169.254.20.10:8080');
  });
});

describe('the output directory: bascule owns what it wrote, nothing else', () => {
  const run = (out: string, ...args: string[]) => runCli(['manifests', '--config', 'examples/platform.yaml', '--out', out, ...args], { cwd: ROOT });
  const fresh = async () => {
    const out = join(tempDir(), 'out');
    expect((await run(out)).code).toBe(0);
    return out;
  };

  it('refuses a directory holding a file it did not write; nothing is written', async () => {
    const out = join(tempDir(), 'out');
    mkdirSync(out);
    writeFileSync(join(out, 'README.md'), 'mine\n');
    const result = await run(out);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`error: ${out} holds files bascule did not write: README.md; nothing was written`);
    expect(result.stderr).toContain('--force');
    expect(listTree(out)).toEqual(['README.md']);
  });

  it('--force overwrites same-named files, leaves the others, and owns only its own', async () => {
    const out = join(tempDir(), 'out');
    mkdirSync(join(out, 'blue'), { recursive: true });
    writeFileSync(join(out, 'README.md'), 'mine\n');
    writeFileSync(join(out, 'blue', 'rbac.yaml'), 'theirs\n');
    const result = await run(out, '--force');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain('overwrote (--force) blue/rbac.yaml');
    expect(readFileSync(join(out, 'README.md'), 'utf8')).toBe('mine\n');
    expect(readFileSync(join(out, 'blue', 'rbac.yaml'), 'utf8')).toBe(readFileSync(join(GOLDEN, 'blue', 'rbac.yaml'), 'utf8'));
    const owned = Object.keys(JSON.parse(readFileSync(join(out, OWNERSHIP_FILE), 'utf8')).files);
    expect(owned).not.toContain('README.md');
    expect(owned).toContain('blue/rbac.yaml');
    // Still someone else's file there: refused again without --force, fine with it.
    expect((await run(out)).code).toBe(2);
    expect((await run(out, '--force')).code).toBe(0);
    expect(existsSync(join(out, 'README.md'))).toBe(true);
  });

  it('refuses one of its files changed since it wrote it, unless --force', async () => {
    const out = await fresh();
    writeFileSync(join(out, 'green', 'rbac.yaml'), 'edited by hand\n');
    const refused = await run(out);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('files bascule wrote but that changed since: green/rbac.yaml');
    expect(readFileSync(join(out, 'green', 'rbac.yaml'), 'utf8')).toBe('edited by hand\n');
    expect((await run(out, '--force')).code).toBe(0);
    expect(readFileSync(join(out, 'green', 'rbac.yaml'), 'utf8')).toBe(readFileSync(join(GOLDEN, 'green', 'rbac.yaml'), 'utf8'));
  });

  it('removes its own files it no longer generates, and only those', async () => {
    const dir = tempDir();
    const config = join(dir, 'platform.yaml');
    writeFileSync(config, EXAMPLE.replace('file: ca/eks-blue.crt', `file: ${join(ROOT, 'examples/ca/eks-blue.crt')}`).replace('trustAnchorsFile: linkerd/trust-anchor.crt', `trustAnchorsFile: ${join(ROOT, 'examples/linkerd/trust-anchor.crt')}`));
    const out = join(dir, 'out');
    expect((await runCli(['manifests', '--config', config, '--out', out], { cwd: dir })).code).toBe(0);
    writeFileSync(join(out, 'blue', 'addons', 'notes.txt'), 'mine\n');
    writeFileSync(config, readFileSync(config, 'utf8').replace('authMode: both', 'authMode: aws-auth').replace('  nodeLocalDns:\n    enabled: true', '  nodeLocalDns:\n    enabled: false'));
    const result = await runCli(['manifests', '--config', config, '--out', out, '--force'], { cwd: dir });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain('removed 6 file(s) bascule no longer generates');
    for (const colour of COLOURS) {
      expect(existsSync(join(out, colour, 'access-entries.json'))).toBe(false);
      expect(existsSync(join(out, colour, 'access-entries.tfvars.json'))).toBe(false);
      expect(existsSync(join(out, colour, 'addons', 'node-local-dns.yaml'))).toBe(false);
    }
    expect(readFileSync(join(out, 'blue', 'addons', 'notes.txt'), 'utf8')).toBe('mine\n');
    expect(existsSync(join(out, 'green', 'addons'))).toBe(false); // emptied by bascule: gone
  });

  it('--colour writes one colour and keeps the other colour\'s files', async () => {
    const out = await fresh();
    rmSync(join(out, 'green', 'rbac.yaml'));
    const result = await run(out, '--colour', 'blue');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain('blue: 9 files (up to date)');
    expect(result.stderr).not.toContain('green:');
    expect(existsSync(join(out, 'green', 'helmfile.yaml'))).toBe(true);
    expect(existsSync(join(out, 'green', 'rbac.yaml'))).toBe(false);
    const owned = Object.keys(JSON.parse(readFileSync(join(out, OWNERSHIP_FILE), 'utf8')).files);
    expect(owned).toContain('green/helmfile.yaml');
    expect(owned).not.toContain('green/rbac.yaml');

    const only = join(tempDir(), 'out');
    expect((await run(only, '--colour', 'green')).code).toBe(0);
    expect(readdirSync(only).sort()).toEqual([OWNERSHIP_FILE, 'green']);
  });

  it('a corrupted list is refused (nothing written) unless --force, which then owns nothing it did not write', async () => {
    const out = await fresh();
    writeFileSync(join(out, OWNERSHIP_FILE), '{ not json');
    const refused = await run(out);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('is not the list of files bascule wrote');
    expect(readFileSync(join(out, OWNERSHIP_FILE), 'utf8')).toBe('{ not json');
    expect((await run(out, '--force')).code).toBe(0);
    expect(JSON.parse(readFileSync(join(out, OWNERSHIP_FILE), 'utf8')).generator).toBe('bascule manifests');
  });

  it('--out naming a file, or a directory in the way of a generated file, is refused even with --force', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'file'), 'x');
    const notDir = await run(join(dir, 'file'), '--force');
    expect(notDir.code).toBe(2);
    expect(notDir.stderr).toContain('is not a directory; nothing was written');
    mkdirSync(join(dir, 'out', 'blue', 'rbac.yaml'), { recursive: true });
    const blocked = await run(join(dir, 'out'), '--force');
    expect(blocked.code).toBe(2);
    expect(blocked.stderr).toContain('cannot write blue/rbac.yaml (a directory): in the way; nothing was written');
    expect(listTree(join(dir, 'out'))).toEqual([]);
  });
});
