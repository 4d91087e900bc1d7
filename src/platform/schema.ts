/**
 * The platform description (`platform.yaml`): one valibot schema, the single
 * source of the format. The loader validates with it, `bascule schema` turns
 * it into a JSON Schema for editors, and the types below are what every
 * generator reads (after `resolvePlatform` fills in the derived defaults).
 *
 * Every object is strict (unknown keys are errors). Every check carries the
 * text of what is expected, which the loader prints after the key path:
 * "clusters.green.endpoint (line 31): expected an https:// URL ...".
 */
import * as v from 'valibot';
import {
  clusterNameProblem,
  dnsServerProblem,
  escapeControl,
  regionProblem,
  roleArnProblem,
  SESSION_TAG_LIMITS,
  sourceIdentityProblem,
  TAG_RULE,
  tagKeyProblem,
  tagSetProblem,
  tagValueProblem,
} from '../vocabulary.js';

// --- Formats ---------------------------------------------------------------

export const COLOURS = ['blue', 'green'] as const;
export type Colour = (typeof COLOURS)[number];

const ACCOUNT_ID = /^\d{12}$/;
// The patterns below are what editors see (JSON Schema); the exact rules are the vocabulary's, run by v.check.
const REGION = /^[a-z]{2,4}(?:-[a-z]+)+-\d+$/;
const ROLE_ARN = /^arn:aws(?:-[a-z]+)*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;
const SOURCE_IDENTITY = /^[\w+=,.@-]{2,64}$/;
const CLUSTER_NAME = /^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$/;
/** A DNS name without trailing dot: labels of letters, digits and -, at least two labels. */
export const DOMAIN = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
/** A record name: like DOMAIN, but one label is enough and `_` is allowed (TXT records). */
const RECORD_NAME = /^(?=.{1,253}$)[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9])?(?:\.[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9])?)*$/;
const ZONE_ID = /^Z[0-9A-Z]{4,32}$/;
const VPC_ID = /^vpc-(?:[0-9a-f]{8}|[0-9a-f]{17})$/;
/** Kubernetes DNS-1123 label (namespaces, the platform name). */
export const DNS_LABEL = /^[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?$/;
const K8S_GROUP = /^[^\s,]{1,255}$/;
const K8S_USERNAME = /^[^\s]{1,255}$/;
const PROFILE = /^[^\s[\]#;]{1,64}$/;
const ACCESS_POLICY = /^(?:AmazonEKS[A-Za-z]+Policy|arn:aws(?:-cn|-us-gov)?:eks::aws:cluster-access-policy\/[A-Za-z]+)$/;
const CHART_VERSION = /^v?\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.-]+)?$/;
const IMAGE = /^[a-z0-9][a-z0-9._/:@-]*$/;
const ANNOTATION = /^(?:[a-z0-9.-]+\/)?[A-Za-z0-9](?:[A-Za-z0-9._-]{0,61}[A-Za-z0-9])?$/;
const OWNER_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const HOST_PORT = /^(?:\d{1,3}(?:\.\d{1,3}){3}|\[?[0-9a-fA-F:.]+\]?)(?::\d{1,5})?$/;
const IPV4 = /^(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
/** A Kubernetes resource quantity as people write them: 50m, 0.5, 64Mi, 1Gi. */
const QUANTITY = /^\d+(?:\.\d+)?(?:m|k|M|G|Ki|Mi|Gi)?$/;
const ANNOTATION_PREFIX = /^(?=.{2,254}$)[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?\/$/;

/** `expects` is the text after "expected" in an error message. */
const str = (re: RegExp, expects: string, description: string) =>
  v.pipe(v.string(`expected ${expects}`), v.regex(re, `expected ${expects}`), v.description(description));

/** A value of the vocabulary: the loose pattern for editors, then the one rule the flags use too. */
const word = (re: RegExp, problem: (value: string) => string | undefined, expects: string, description: string) =>
  v.pipe(
    v.string(`expected ${expects}`),
    v.regex(re, `expected ${expects}`),
    v.rawCheck(({ dataset, addIssue }) => {
      if (!dataset.typed || !re.test(dataset.value)) return;
      const why = problem(dataset.value);
      if (why) addIssue({ message: `expected ${expects}: ${JSON.stringify(escapeControl(dataset.value))} ${why}` });
    }),
    v.description(description),
  );

const httpsUrl = (description: string) =>
  v.pipe(
    v.string('expected an https:// URL'),
    v.check(isHttpsBaseUrl, 'expected an https:// URL with a host and optional port, no path, query or credentials (e.g. https://ABC123.gr7.eu-west-3.eks.amazonaws.com)'),
    v.description(description),
  );

export function isHttpsBaseUrl(value: string): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  return url.protocol === 'https:' && url.hostname !== '' && !url.username && !url.password && url.search === '' && url.hash === '' && (url.pathname === '/' || url.pathname === '');
}

const roleArn = (description: string) => word(ROLE_ARN, roleArnProblem, 'an IAM role ARN like arn:aws:iam::123456789012:role/NAME', description);
const zoneId = (description: string) => v.optional(str(ZONE_ID, 'a Route53 hosted zone id like Z0123456789ABCDEFGHIJ (without /hostedzone/)', description));
const ttl = (description: string) =>
  v.optional(
    v.pipe(v.number('expected a number of seconds'), v.integer('expected a whole number of seconds'), v.minValue(1, 'expected at least 1 second'), v.maxValue(172800, 'expected at most 172800 seconds (2 days)'), v.description(description)),
    60,
  );
const groups = (description: string) =>
  v.pipe(v.array(str(K8S_GROUP, 'a Kubernetes group name (no spaces or commas)', 'a Kubernetes group'), 'expected a list of Kubernetes group names'), v.description(description));
const bool = (description: string, fallback: boolean) => v.optional(v.pipe(v.boolean('expected true or false'), v.description(description)), fallback);

// --- Sections --------------------------------------------------------------

const DomainSchema = v.strictObject(
  {
    name: str(DOMAIN, 'a lower-case DNS domain like devinfra.local (no trailing dot)', 'the DNS domain'),
    zoneId: zoneId('the Route53 hosted zone that holds the domain (ExternalDNS, the switch)'),
  },
  'expected a mapping with name (and zoneId)',
);

const DomainsSchema = v.strictObject(
  {
    private: v.pipe(DomainSchema, v.description('the private domain (private hosted zone), e.g. devinfra.local')),
    public: v.pipe(DomainSchema, v.description('the public domain, e.g. devinfra.fr')),
  },
  'expected a mapping with private and public',
);

const CaSchema = v.pipe(
  v.strictObject(
    {
      file: v.optional(v.pipe(v.string('expected a file path'), v.minLength(1, 'expected a file path'), v.description('a PEM file, relative to the platform file'))),
      data: v.optional(
        v.pipe(
          v.string('expected base64 text'),
          v.regex(/^[A-Za-z0-9+/=\s]+$/, 'expected base64 of a PEM certificate (what `aws eks describe-cluster` prints as certificateAuthority.data)'),
          v.description('base64 of the PEM, as EKS DescribeCluster and kubeconfigs hold it'),
        ),
      ),
      pem: v.optional(v.pipe(v.string('expected PEM text'), v.description('the PEM certificate itself (a YAML block scalar: pem: |)'))),
    },
    'expected a mapping with one of file, data or pem',
  ),
  v.check((ca) => [ca.file, ca.data, ca.pem].filter((x) => x !== undefined).length === 1, 'expected exactly one of file, data or pem'),
  v.description("the cluster's certificate authority: exactly one of file, data or pem; omit it to use --fetch"),
);

const ExternalDnsInstanceSchema = v.strictObject(
  {
    roleArn: v.optional(roleArn('IRSA role of this ExternalDNS instance (default: the cluster-level externalDns.roleArn)')),
    ownerId: v.optional(str(OWNER_ID, 'a TXT registry owner id (letters, digits, . _ -)', 'the --txt-owner-id of this instance')),
  },
  'expected a mapping with roleArn and/or ownerId',
);

const LiveExternalDnsInstanceSchema = v.strictObject(
  {
    roleArn: v.optional(roleArn('IRSA role of this ExternalDNS instance (default: the cluster-level externalDns.roleArn)')),
    ownerId: v.optional(
      str(OWNER_ID, 'a TXT registry owner id (letters, digits, . _ -)', "the --txt-owner-id of this colour's live instance: one per colour, the switch migrates production records from the old colour's to the new one's"),
    ),
  },
  'expected a mapping with roleArn and/or ownerId',
);

export const EXTERNAL_DNS_INSTANCES = ['private', 'public', 'livePrivate', 'livePublic'] as const;
export type ExternalDnsInstance = (typeof EXTERNAL_DNS_INSTANCES)[number];

const ClusterExternalDnsSchema = v.strictObject(
  {
    roleArn: v.optional(roleArn('IRSA role for the four ExternalDNS instances of this cluster, unless an instance names its own')),
    private: v.optional(v.pipe(ExternalDnsInstanceSchema, v.description("the instance for the cluster's private domain (owner id default ingress-<cluster private domain>)"))),
    public: v.optional(v.pipe(ExternalDnsInstanceSchema, v.description("the instance for the cluster's public domain (owner id default ingress-<cluster public domain>)"))),
    livePrivate: v.optional(v.pipe(LiveExternalDnsInstanceSchema, v.description('the live instance for the shared private domain (owner id default live-<cluster name>.<shared private domain>)'))),
    livePublic: v.optional(v.pipe(LiveExternalDnsInstanceSchema, v.description('the live instance for the shared public domain (owner id default live-<cluster name>.<shared public domain>)'))),
  },
  'expected a mapping of ExternalDNS settings',
);

export const ADDONS = [
  'externalSecrets',
  'vpcCni',
  'linkerd',
  'nodeLocalDns',
  'awsLoadBalancerController',
  'awsNodeTerminationHandler',
  'clusterAutoscaler',
  'descheduler',
  'metricsServer',
  'fluentBit',
] as const;
export type AddonName = (typeof ADDONS)[number];

const ADDON_TITLES: Record<AddonName, string> = {
  externalSecrets: 'External Secrets Operator (external-secrets.io)',
  vpcCni: 'AWS VPC CNI',
  linkerd: 'Linkerd',
  nodeLocalDns: 'NodeLocal DNSCache',
  awsLoadBalancerController: 'AWS Load Balancer Controller',
  awsNodeTerminationHandler: 'AWS Node Termination Handler',
  clusterAutoscaler: 'Cluster Autoscaler',
  descheduler: 'Descheduler',
  metricsServer: 'Metrics Server',
  fluentBit: 'Fluent Bit',
};

const chartVersion = (description: string) => v.optional(str(CHART_VERSION, 'a chart version like 1.2.3', description));
const namespaceName = (description: string) => str(DNS_LABEL, 'a Kubernetes namespace name (lower-case letters, digits and -)', description);

export const DEFAULT_NODE_LOCAL_DNS_IMAGE = 'registry.k8s.io/dns/k8s-dns-node-cache:1.26.4';
export const DEFAULT_NODE_LOCAL_DNS_IP = '169.254.20.10';
/** EKS's kube-dns ClusterIP in a VPC within 10.0.0.0/8 (10.100.0.10 otherwise). */
export const DEFAULT_KUBE_DNS_IP = '172.20.0.10';

/** Keys some add-ons have besides enabled, chartVersion and namespace. */
const ADDON_EXTRAS: Partial<Record<AddonName, v.ObjectEntries>> = {
  linkerd: {
    crdsChartVersion: chartVersion('the version of the linkerd-crds chart, installed before linkerd-control-plane'),
    trustAnchorsFile: v.optional(
      v.pipe(
        v.string('expected a file path'),
        v.minLength(1, 'expected a file path'),
        v.description('PEM of the Linkerd trust anchor (the root certificate, not its key), relative to this file: identityTrustAnchorsPEM'),
      ),
    ),
  },
};

const ipv4 = (description: string) => v.optional(str(IPV4, 'an IPv4 address like 172.20.0.10', description));

/** NodeLocal DNSCache has no chart: bascule writes the upstream manifest, placeholders filled. */
const NodeLocalDnsSchema = v.pipe(
  v.strictObject(
    {
      enabled: bool('deploy it (default false)', false),
      image: v.optional(str(IMAGE, 'a container image reference', 'the node-cache image'), DEFAULT_NODE_LOCAL_DNS_IMAGE),
      localIp: v.optional(str(IPV4, 'an IPv4 address like 169.254.20.10', 'the link-local address node-local-dns listens on (__PILLAR__LOCAL__DNS__)'), DEFAULT_NODE_LOCAL_DNS_IP),
      kubeDnsIp: ipv4('the ClusterIP of the kube-dns Service (__PILLAR__DNS__SERVER__); EKS picks 172.20.0.10 in VPCs within 10.0.0.0/8, else 10.100.0.10: check with kubectl -n kube-system get svc kube-dns (default 172.20.0.10)'),
      clusterDomain: v.optional(str(DOMAIN, 'a DNS domain like cluster.local', 'the cluster DNS domain (__PILLAR__DNS__DOMAIN__)'), 'cluster.local'),
    },
    'expected a mapping with enabled, image, localIp, kubeDnsIp and clusterDomain',
  ),
  v.description('NodeLocal DNSCache (the upstream manifest, placeholders filled; no chart)'),
);

const addonKeysText = (keys: string[]) => `expected a mapping with ${keys.slice(0, -1).join(', ')} and ${keys[keys.length - 1]}`;

const AddonSchema = (name: AddonName) => {
  const entries = {
    enabled: bool('deploy it (default false)', false),
    chartVersion: chartVersion('the Helm chart version to install (required when enabled: every release is pinned)'),
    namespace: v.optional(namespaceName('the namespace to install into (default: the chart\'s usual one)')),
    ...ADDON_EXTRAS[name],
  };
  return v.pipe(v.strictObject(entries, addonKeysText(Object.keys(entries))), v.description(ADDON_TITLES[name]));
};

const ClusterAddonSchema = (name: AddonName) => {
  const entries: v.ObjectEntries =
    name === 'nodeLocalDns'
      ? {
          enabled: v.optional(v.pipe(v.boolean('expected true or false'), v.description('override addons.nodeLocalDns.enabled on this cluster'))),
          kubeDnsIp: ipv4('override addons.nodeLocalDns.kubeDnsIp on this cluster (its kube-dns ClusterIP)'),
        }
      : {
          enabled: v.optional(v.pipe(v.boolean('expected true or false'), v.description('override addons.<name>.enabled on this cluster'))),
          chartVersion: chartVersion('override addons.<name>.chartVersion on this cluster (e.g. the upgrade tried on green)'),
          roleArn: v.optional(roleArn('the IRSA role of the add-on on this cluster')),
        };
  return v.pipe(v.strictObject(entries, addonKeysText(Object.keys(entries))), v.description(`${ADDON_TITLES[name]} on this cluster`));
};

const entriesOf = <T>(make: (name: AddonName) => T) => Object.fromEntries(ADDONS.map((name) => [name, make(name)])) as Record<AddonName, T>;

const AddonsSchema = v.strictObject(
  entriesOf((name) => v.optional(name === 'nodeLocalDns' ? NodeLocalDnsSchema : AddonSchema(name))),
  `expected a mapping of add-ons (${ADDONS.join(', ')})`,
);
const ClusterAddonsSchema = v.strictObject(
  entriesOf((name) => v.optional(ClusterAddonSchema(name))),
  `expected a mapping of add-ons (${ADDONS.join(', ')})`,
);

const ClusterSchema = v.strictObject(
  {
    name: word(CLUSTER_NAME, clusterNameProblem, 'an EKS cluster name (1-100 letters, digits, - and _, starting with a letter or digit)', 'the EKS cluster name'),
    endpoint: v.optional(httpsUrl("the cluster's own API endpoint (DescribeCluster's endpoint); omit it to use --fetch")),
    ca: v.optional(CaSchema),
    tlsServerName: v.optional(
      str(DOMAIN, 'a DNS name like kubernetes.default.svc', 'the name to verify the endpoint\'s certificate against, when the endpoint is not a name the certificate holds (e.g. an IP address)'),
    ),
    vpcId: v.optional(str(VPC_ID, 'a VPC id like vpc-0123456789abcdef0', "the cluster's VPC (AWS Load Balancer Controller)")),
    nodeRoleArns: v.optional(
      v.pipe(
        v.array(roleArn('an IAM role of this cluster\'s nodes'), 'expected a list of IAM role ARNs'),
        v.description("IAM roles of this cluster's nodes: aws-auth.yaml maps them (system:bootstrappers, system:nodes), or nodes that join through aws-auth would be locked out when it is applied"),
      ),
    ),
    apiRecord: v.optional(
      str(RECORD_NAME, 'a lower-case DNS name', "this colour's API record, a CNAME to the cluster endpoint's host name (default api.<cluster private domain>)"),
    ),
    domains: v.optional(
      v.pipe(
        v.strictObject(
          {
            private: v.optional(v.pipe(DomainSchema, v.description("this cluster's private sub-domain (default <cluster name>.<private domain>, in the shared zone)"))),
            public: v.optional(v.pipe(DomainSchema, v.description("this cluster's public sub-domain (default <cluster name>.<public domain>, in the shared zone)"))),
          },
          'expected a mapping with private and/or public',
        ),
        v.description("this cluster's own domains"),
      ),
    ),
    externalDns: v.optional(ClusterExternalDnsSchema),
    addons: v.optional(ClusterAddonsSchema),
  },
  'expected a mapping describing one EKS cluster',
);

/** A value checked by one of the vocabulary's rules (no pattern for editors: STS's characters need Unicode classes). */
const ruled = (problem: (value: string) => string | undefined, expects: string, description: string) =>
  v.pipe(
    v.string(`expected ${expects}`),
    v.rawCheck<string>(({ dataset, addIssue }) => {
      const why = dataset.typed ? problem(dataset.value) : undefined;
      if (why) addIssue({ message: `expected ${expects}: ${JSON.stringify(escapeControl(dataset.value as string))} ${why}` });
    }),
    v.description(description),
  );

const sessionTags = () =>
  v.pipe(
    v.record(
      ruled(tagKeyProblem, 'a session tag key', 'a session tag key'),
      ruled(tagValueProblem, 'a session tag value (quote numbers and booleans: "42")', 'its value'),
      'expected a mapping of session tags (key: value)',
    ),
    v.maxEntries(SESSION_TAG_LIMITS.tags, `expected at most ${SESSION_TAG_LIMITS.tags} session tags (STS's limit)`),
    v.rawCheck(({ dataset, addIssue }) => {
      const keys = dataset.typed ? Object.keys(dataset.value) : [];
      const why = keys.length <= SESSION_TAG_LIMITS.tags ? tagSetProblem(keys) : undefined;
      if (why) addIssue({ message: `expected tag keys unique ignoring case: ${why}` });
    }),
    v.description(`session tags on the role session (--tag KEY=VALUE each): the role's policies and CloudTrail see them; the trust policy must allow sts:TagSession. ${TAG_RULE}`),
  );

const AccessSchema = v.strictObject(
  {
    name: str(DNS_LABEL, 'an access level name (lower-case letters, digits and -)', 'the access level, e.g. admin; names the kubeconfig context <platform>-<name>'),
    roleArn: roleArn('the IAM role kubectl users assume for this level'),
    groups: v.pipe(groups('the Kubernetes groups the role maps to (aws-auth)'), v.minLength(1, 'expected at least one group')),
    username: v.optional(str(K8S_USERNAME, 'a Kubernetes user name (no spaces)', 'the Kubernetes user name of the role (default kubernetes-<name>)')),
    accessPolicies: v.optional(
      v.pipe(
        v.array(str(ACCESS_POLICY, 'an EKS access policy name like AmazonEKSClusterAdminPolicy, or its ARN', 'an EKS access policy'), 'expected a list of EKS access policies'),
        v.description('EKS access policies for the access entry, cluster-wide (default: AmazonEKSClusterAdminPolicy when groups hold system:masters, else none)'),
      ),
    ),
    profile: v.optional(str(PROFILE, 'an AWS profile name', 'AWS_PROFILE for the credential plugin (default: none, the ambient credentials)')),
    mfa: bool('the profile asks for an MFA code: the plugin may prompt (interactiveMode IfAvailable)', false),
    sourceIdentity: v.optional(
      word(SOURCE_IDENTITY, sourceIdentityProblem, 'an STS source identity (2-64 letters, digits and +=,.@_-)', "the role session's STS SourceIdentity (--source-identity): CloudTrail shows it on every call of the session, and of sessions chained from it; the trust policy must allow sts:SetSourceIdentity"),
    ),
    tags: v.optional(sessionTags()),
  },
  'expected a mapping with name, roleArn and groups',
);

const NamespaceSchema = v.strictObject(
  {
    name: namespaceName('the namespace'),
    readwriteGroups: v.optional(groups('override rbac.readwriteGroups in this namespace')),
    debugGroups: v.optional(groups('override rbac.debugGroups in this namespace')),
  },
  'expected a mapping with name',
);

export const AUTH_MODES = ['aws-auth', 'access-entries', 'both'] as const;
export type AuthMode = (typeof AUTH_MODES)[number];

export const DEFAULT_EXTERNAL_DNS_IMAGE = 'registry.k8s.io/external-dns/external-dns:v0.22.0';
export const DEFAULT_TLS_SERVER_NAME = 'kubernetes.default.svc';
export const DEFAULT_EXTERNAL_DNS_ANNOTATION_PREFIX = 'external-dns.kubernetes.io/';

const ExternalDnsSchema = v.strictObject(
  {
    enabled: bool('deploy the four ExternalDNS per cluster', true),
    image: v.optional(str(IMAGE, 'a container image reference', 'the ExternalDNS image'), DEFAULT_EXTERNAL_DNS_IMAGE),
    namespace: v.optional(namespaceName('where the ExternalDNS Deployments run'), 'kube-system'),
    policy: v.optional(v.pipe(v.picklist(['upsert-only', 'sync', 'create-only'], 'expected upsert-only, sync or create-only'), v.description('--policy (required since v0.22)')), 'upsert-only'),
    sources: v.optional(
      v.pipe(
        v.array(v.picklist(['service', 'ingress'], 'expected service or ingress'), 'expected a list of sources'),
        v.minLength(1, 'expected at least one source'),
        v.description('--source flags'),
      ),
      ['service', 'ingress'],
    ),
    annotationPrefix: v.optional(
      str(ANNOTATION_PREFIX, 'an annotation prefix ending in / (e.g. external-dns.kubernetes.io/)', '--annotation-prefix: where ExternalDNS reads its own annotations (ttl, aws-weight, set-identifier...); the default since v0.22'),
      DEFAULT_EXTERNAL_DNS_ANNOTATION_PREFIX,
    ),
    resources: v.optional(
      v.strictObject(
        {
          requests: v.optional(
            v.strictObject(
              {
                cpu: v.optional(str(QUANTITY, 'a CPU quantity like 50m', 'CPU request of each ExternalDNS'), '50m'),
                memory: v.optional(str(QUANTITY, 'a memory quantity like 64Mi', 'memory request of each ExternalDNS'), '64Mi'),
              },
              'expected a mapping with cpu and memory',
            ),
            {},
          ),
          limits: v.optional(
            v.strictObject(
              {
                cpu: v.optional(str(QUANTITY, 'a CPU quantity like 200m', 'CPU limit of each ExternalDNS (default none)')),
                memory: v.optional(str(QUANTITY, 'a memory quantity like 128Mi', 'memory limit of each ExternalDNS'), '128Mi'),
              },
              'expected a mapping with cpu and memory',
            ),
            {},
          ),
        },
        'expected a mapping with requests and limits',
      ),
      {},
    ),
    annotations: v.optional(
      v.strictObject(
        {
          private: v.optional(str(ANNOTATION, 'an annotation name', 'annotation naming a private host (--fqdn-template, --annotation-filter)'), 'PrivateDNSName'),
          public: v.optional(str(ANNOTATION, 'an annotation name', 'annotation naming a public host'), 'PublicDNSName'),
        },
        'expected a mapping with private and public',
      ),
      {},
    ),
  },
  'expected a mapping of ExternalDNS settings',
);

// --- The file ---------------------------------------------------------------

export const PlatformSchema = v.strictObject(
  {
    $schema: v.optional(v.pipe(v.string('expected a string'), v.description('the JSON Schema of this file, for editors'))),
    name: str(DNS_LABEL, 'a short lower-case name (letters, digits and -)', 'the platform name: prefix of every kubeconfig entry bascule writes (devinfra -> devinfra-admin)'),
    aws: v.strictObject(
      {
        accountId: v.pipe(
          v.string('expected the 12-digit account id as a quoted string ("012345678901")'),
          v.regex(ACCOUNT_ID, 'expected a 12-digit AWS account id'),
          v.description('the AWS account of both clusters'),
        ),
        region: word(REGION, regionProblem, 'an AWS region like eu-west-3', 'the AWS region of both clusters'),
      },
      'expected a mapping with accountId and region',
    ),
    api: v.pipe(
      v.strictObject(
        {
          record: str(RECORD_NAME, 'a lower-case DNS name like api.devinfra.local', 'the stable API name: a CNAME the switch points at the live cluster'),
          server: v.optional(httpsUrl('the server URL kubeconfigs use (default https://<record>)')),
          tlsServerName: v.optional(
            str(DOMAIN, 'a DNS name', 'the name both clusters\' serving certificates hold, verified behind the stable name'),
            DEFAULT_TLS_SERVER_NAME,
          ),
          zoneId: zoneId('the Route53 hosted zone of the record (for the switch)'),
          ttl: ttl('TTL of the record, in seconds (for the switch)'),
        },
        'expected a mapping with record (and server, tlsServerName, zoneId, ttl)',
      ),
      v.description('the stable API name kubeconfigs use'),
    ),
    clusterNameRecord: v.pipe(
      v.strictObject(
        {
          name: str(RECORD_NAME, 'a lower-case DNS name like eks.devinfra.info', 'the TXT record whose value is the live cluster name (bascule token -i)'),
          zoneId: zoneId('the Route53 hosted zone of the TXT record (for the switch)'),
          ttl: ttl('TTL of the TXT record, in seconds (for the switch)'),
          dnsServer: v.optional(word(HOST_PORT, dnsServerProblem, 'an IP address with optional port, like 10.0.0.2, 127.0.0.1:5353 or [::1]:53', 'resolver the plugin asks for the TXT record (--dns-server)')),
        },
        'expected a mapping with name (and zoneId, ttl, dnsServer)',
      ),
      v.description('the TXT record that holds the live cluster name'),
    ),
    live: v.pipe(v.picklist(COLOURS, 'expected blue or green (a colour defined under clusters)'), v.description('the colour that serves production now')),
    domains: v.pipe(DomainsSchema, v.description('the shared (production) domains')),
    clusters: v.pipe(
      v.strictObject(
        {
          blue: v.pipe(ClusterSchema, v.description('the blue cluster')),
          green: v.pipe(ClusterSchema, v.description('the green cluster')),
        },
        'expected a mapping with blue and green',
      ),
      v.description('the two clusters'),
    ),
    access: v.pipe(
      v.array(AccessSchema, 'expected a list of access levels'),
      v.minLength(1, 'expected at least one access level'),
      v.description('access levels: IAM role -> Kubernetes groups, one kubeconfig context each'),
    ),
    authMode: v.optional(
      v.pipe(
        v.picklist(AUTH_MODES, 'expected aws-auth, access-entries or both'),
        v.description('how roles map to Kubernetes: the aws-auth ConfigMap (deprecated), EKS access entries, or both during a migration'),
      ),
      'access-entries',
    ),
    rbac: v.optional(
      v.strictObject(
        {
          readonlyGroups: v.optional(groups('bound to ClusterRole view, cluster-wide'), ['readonly']),
          readwriteGroups: v.optional(groups('per namespace: ClusterRole edit and Role readwrite-secrets'), ['readwrite']),
          debugGroups: v.optional(groups('per namespace: Role debug-mode (pods, port-forward, exec)'), ['debugmode']),
        },
        'expected a mapping with readonlyGroups, readwriteGroups and debugGroups',
      ),
      {},
    ),
    namespaces: v.optional(v.pipe(v.array(NamespaceSchema, 'expected a list of namespaces'), v.description('application namespaces, with their RBAC')), []),
    externalDns: v.optional(ExternalDnsSchema, {}),
    addons: v.optional(v.pipe(AddonsSchema, v.description('cluster add-ons, each off unless enabled')), {}),
  },
  'expected a mapping (the platform description)',
);

export type PlatformInput = v.InferInput<typeof PlatformSchema>;
export type PlatformFile = v.InferOutput<typeof PlatformSchema>;
