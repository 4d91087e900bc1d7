/**
 * The platform description (`platform.yaml`): one valibot schema, the single
 * source of the format. The loader validates with it, `bascule schema` turns
 * it into a JSON Schema for editors, and the types below are what every
 * generator reads (after `resolvePlatform` fills in the derived defaults).
 * Its parts: the values (./schema-values.ts), a cluster and the domains
 * (./schema-clusters.ts), the add-ons (./schema-addons.ts); here, the file.
 *
 * Every object is strict (unknown keys are errors). Every check carries the
 * text of what is expected, which the loader prints after the key path:
 * "clusters.green.endpoint (line 31): expected an https:// URL ...".
 */
import * as v from 'valibot';
import { dnsServerProblem, regionProblem, SESSION_TAG_LIMITS, sourceIdentityProblem, TAG_RULE, tagKeyProblem, tagSetProblem, tagValueProblem } from '../vocabulary.js';
import { AddonsSchema } from './schema-addons.js';
import { ClusterSchema, DomainsSchema } from './schema-clusters.js';
import {
  ACCOUNT_ID,
  ANNOTATION,
  ANNOTATION_PREFIX,
  ACCESS_POLICY,
  bool,
  DNS_LABEL,
  DOMAIN,
  groups,
  HOST_PORT,
  httpsUrl,
  IMAGE,
  K8S_USERNAME,
  namespaceName,
  PROFILE,
  QUANTITY,
  RECORD_NAME,
  REGION,
  roleArn,
  ruled,
  SOURCE_IDENTITY,
  str,
  ttl,
  word,
  zoneId,
} from './schema-values.js';

// The parts, each in its file; what the rest of bascule reads of them, from here.
export { ADDONS, DEFAULT_KUBE_DNS_IP, DEFAULT_NODE_LOCAL_DNS_IMAGE, DEFAULT_NODE_LOCAL_DNS_IP, type AddonName } from './schema-addons.js';
export { EXTERNAL_DNS_INSTANCES, type ExternalDnsInstance } from './schema-clusters.js';
export { DNS_LABEL, DOMAIN, isHttpsBaseUrl } from './schema-values.js';

// --- Colours, access levels, namespaces --------------------------------------

export const COLOURS = ['blue', 'green'] as const;
export type Colour = (typeof COLOURS)[number];

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
