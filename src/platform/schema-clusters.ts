/**
 * One colour's cluster in the platform file, and the domains both the
 * platform and each cluster name: the EKS cluster (name, endpoint, CA, TLS
 * server name), its API record, its own domains, its four ExternalDNS
 * instances (roles, owner ids) and its add-on overrides.
 */
import * as v from 'valibot';
import { clusterNameProblem } from '../vocabulary.js';
import { ClusterAddonsSchema } from './schema-addons.js';
import { CLUSTER_NAME, DOMAIN, httpsUrl, OWNER_ID, RECORD_NAME, roleArn, str, VPC_ID, word, zoneId } from './schema-values.js';

const DomainSchema = v.strictObject(
  {
    name: str(DOMAIN, 'a lower-case DNS domain like devinfra.local (no trailing dot)', 'the DNS domain'),
    zoneId: zoneId('the Route53 hosted zone that holds the domain (ExternalDNS, the switch)'),
  },
  'expected a mapping with name (and zoneId)',
);

export const DomainsSchema = v.strictObject(
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

export const ClusterSchema = v.strictObject(
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
