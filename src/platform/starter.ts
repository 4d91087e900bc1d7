/**
 * The commented starter `bascule init` writes. A fixed text (the comments are
 * the point), not a template: nothing is substituted into it. A test loads it
 * with the schema, so it stays valid.
 */
export const STARTER = `# yaml-language-server: $schema=./platform.schema.json
#
# A bascule platform: two EKS clusters (blue and green) behind one stable API
# name. Replace every example value, then:
#   bascule kubeconfig --config platform.yaml --fetch     endpoints and CAs from EKS
#   bascule kubeconfig --config platform.yaml --merge     into ~/.kube/config
# The whole format, with every default: \`bascule schema\`, a JSON Schema; save it
# beside this file (bascule schema > platform.schema.json) for completion in editors.

# Prefix of every kubeconfig entry bascule writes (<name>-admin, <name>-blue-admin...).
name: myplatform

aws:
  accountId: "123456789012"        # quoted: account ids may start with 0
  region: eu-west-1

# The stable API name kubeconfigs use: a CNAME to the live cluster's endpoint.
api:
  record: api.example.internal
  # server: https://api.example.internal    default https://<record>
  # tlsServerName: kubernetes.default.svc   default; every EKS serving certificate holds it
  # zoneId: Z0123456789ABCDEFGHIJ           Route53 zone of the record (for the switch)
  # ttl: 60

# The TXT record whose value is the live cluster's name (bascule token reads it).
clusterNameRecord:
  name: eks.example.internal
  # zoneId: Z0123456789ABCDEFGHIJ
  # ttl: 60
  # dnsServer: 10.0.0.2                     default: the system resolver

# The colour serving production now: blue or green.
live: blue

# Shared (production) domains. Each cluster also has its own sub-domains,
# by default <cluster name>.<domain>.
domains:
  private:
    name: example.internal
    # zoneId: Z0123456789ABCDEFGHIJ
  public:
    name: example.com
    # zoneId: Z0123456789ABCDEFGHIJ

clusters:
  blue:
    name: eks-blue
    # Leave endpoint and ca out to read them from EKS (--fetch), or set them:
    # endpoint: https://0123456789ABCDEF0123456789ABCDEF.gr7.eu-west-1.eks.amazonaws.com
    # ca:
    #   file: ca/eks-blue.crt               PEM file, relative to this file
    #   data: LS0tLS1CRUdJTi...             or base64 of the PEM (describe-cluster's certificateAuthority.data)
    #   pem: |                              or the PEM itself
    # vpcId: vpc-0123456789abcdef0
    # apiRecord: api.eks-blue.example.internal   default api.<cluster private domain>
    # externalDns:
    #   roleArn: arn:aws:iam::123456789012:role/eks-blue-external-dns
    # addons:
    #   awsLoadBalancerController:
    #     roleArn: arn:aws:iam::123456789012:role/eks-blue-aws-load-balancer-controller
  green:
    name: eks-green

# Who may do what: an IAM role, the Kubernetes groups it maps to. Each level
# gets a kubeconfig context on the live cluster and one per colour.
access:
  - name: admin
    roleArn: arn:aws:iam::123456789012:role/k8s-admin
    groups: [system:masters]
    # profile: my-aws-profile               AWS_PROFILE for the plugin
    # mfa: true                             the profile asks for an MFA code
    # sourceIdentity: platform-oncall       STS SourceIdentity of the role session (trust policy: sts:SetSourceIdentity)
    # tags: {team: platform}                session tags (trust policy: sts:TagSession)
  - name: readwrite
    roleArn: arn:aws:iam::123456789012:role/k8s-readwrite
    groups: [readwrite, readonly, debugmode]
  - name: readonly
    roleArn: arn:aws:iam::123456789012:role/k8s-readonly
    groups: [readonly, debugmode]

# aws-auth, access-entries (default) or both.
# authMode: access-entries

# Application namespaces (RoleBindings for the readwrite and debugmode groups).
namespaces:
  - name: my-app

# ExternalDNS (four per cluster) and add-ons: see \`bascule schema\`.
# addons:
#   metricsServer: { enabled: true, chartVersion: 3.12.1 }
`;
