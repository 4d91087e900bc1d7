/**
 * The platform as the generators read it: the validated file with every
 * derived default filled in (per-cluster domains, API records, owner ids,
 * merged add-on settings). Generators (kubeconfig, manifests, the switch) read
 * only this, never the raw file, so a default is decided in one place.
 */
import type { AddonName, AuthMode, Colour, ExternalDnsInstance } from './schema.js';

export interface Domain {
  readonly name: string;
  /** Route53 hosted zone id, when known. */
  readonly zoneId: string | undefined;
}

/** Where a cluster CA comes from, before any file is read. */
export type CaSource =
  | { readonly kind: 'pem'; readonly pem: string; readonly path: string }
  | { readonly kind: 'file'; readonly file: string; readonly path: string };

export interface ExternalDnsInstanceSettings {
  readonly roleArn: string | undefined;
  readonly ownerId: string;
}

export interface AddonSettings {
  readonly enabled: boolean;
  readonly chartVersion: string | undefined;
  readonly namespace: string | undefined;
}

export interface ClusterAddonSettings extends AddonSettings {
  readonly roleArn: string | undefined;
}

/** NodeLocal DNSCache: the values of the upstream manifest's placeholders. */
export interface NodeLocalDnsSettings {
  readonly image: string;
  /** __PILLAR__LOCAL__DNS__ */
  readonly localIp: string;
  /** __PILLAR__DNS__SERVER__: the kube-dns Service's ClusterIP. */
  readonly kubeDnsIp: string;
  /** __PILLAR__DNS__DOMAIN__ */
  readonly clusterDomain: string;
}

export interface Cluster {
  readonly colour: Colour;
  /** EKS cluster name. */
  readonly name: string;
  /** https://host[:port], no trailing slash; undefined until fetched. */
  readonly endpoint: string | undefined;
  readonly ca: CaSource | undefined;
  readonly tlsServerName: string | undefined;
  readonly vpcId: string | undefined;
  /** IAM roles of the nodes (aws-auth maps them to system:bootstrappers, system:nodes). */
  readonly nodeRoleArns: readonly string[];
  /** This colour's API record (CNAME -> endpoint host). */
  readonly apiRecord: string;
  readonly domains: { readonly private: Domain; readonly public: Domain };
  readonly externalDns: Readonly<Record<ExternalDnsInstance, ExternalDnsInstanceSettings>>;
  /** Global add-on settings with this cluster's overrides applied. */
  readonly addons: Readonly<Record<AddonName, ClusterAddonSettings>>;
  /** addons.nodeLocalDns with this cluster's kubeDnsIp. */
  readonly nodeLocalDns: NodeLocalDnsSettings;
}

export interface AccessLevel {
  readonly name: string;
  readonly roleArn: string;
  readonly groups: readonly string[];
  readonly username: string;
  readonly accessPolicies: readonly string[];
  readonly profile: string | undefined;
  readonly mfa: boolean;
  /** The role session's STS SourceIdentity (the kubeconfig passes it as --source-identity). */
  readonly sourceIdentity: string | undefined;
  /** Session tags [key, value], in the file's order (the kubeconfig passes each as --tag KEY=VALUE). */
  readonly tags: readonly (readonly [string, string])[];
}

export interface Namespace {
  readonly name: string;
  readonly readwriteGroups: readonly string[];
  readonly debugGroups: readonly string[];
}

export interface Platform {
  /** The platform file as the user named it (for messages; generated files carry sourceName()). */
  readonly source: string;
  readonly name: string;
  readonly aws: { readonly accountId: string; readonly region: string };
  readonly api: {
    readonly record: string;
    readonly server: string;
    readonly tlsServerName: string;
    readonly zoneId: string | undefined;
    readonly ttl: number;
  };
  readonly clusterNameRecord: {
    readonly name: string;
    readonly zoneId: string | undefined;
    readonly ttl: number;
    readonly dnsServer: string | undefined;
  };
  readonly live: Colour;
  readonly domains: { readonly private: Domain; readonly public: Domain };
  readonly clusters: Readonly<Record<Colour, Cluster>>;
  readonly access: readonly AccessLevel[];
  readonly authMode: AuthMode;
  readonly rbac: {
    readonly readonlyGroups: readonly string[];
    readonly readwriteGroups: readonly string[];
    readonly debugGroups: readonly string[];
  };
  readonly namespaces: readonly Namespace[];
  readonly externalDns: {
    readonly enabled: boolean;
    readonly image: string;
    readonly namespace: string;
    readonly policy: 'upsert-only' | 'sync' | 'create-only';
    readonly sources: readonly ('service' | 'ingress')[];
    /** --annotation-prefix, ending in "/". */
    readonly annotationPrefix: string;
    readonly resources: {
      readonly requests: { readonly cpu: string; readonly memory: string };
      readonly limits: { readonly cpu: string | undefined; readonly memory: string };
    };
    readonly annotations: { readonly private: string; readonly public: string };
  };
  readonly addons: Readonly<Record<AddonName, AddonSettings>>;
  /** Linkerd's own settings (addons.linkerd). */
  readonly linkerd: {
    readonly crdsChartVersion: string | undefined;
    /** Absolute path of the trust anchor PEM, and its key path for messages. */
    readonly trustAnchorsFile: { readonly file: string; readonly path: string } | undefined;
  };
}

/**
 * The platform file as generated files name it: its file name alone. The path
 * as typed (/home/ann/infra/platform.yaml) would put one machine's directories
 * into committed manifests, and make two runs from two places differ.
 */
export const sourceName = (platform: Pick<Platform, 'source'>): string => platform.source.replace(/^.*[\\/]/, '') || platform.source;

export type { AddonName, AuthMode, Colour, ExternalDnsInstance };
