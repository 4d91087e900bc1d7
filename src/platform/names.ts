/**
 * Names of the objects bascule puts in each cluster, shared by the manifest
 * generator (which creates them) and the switch (which scales and checks
 * them). The ExternalDNS names are the article's.
 */
import type { ExternalDnsInstance } from './schema.js';

export const EXTERNAL_DNS_DEPLOYMENTS: Readonly<Record<ExternalDnsInstance, string>> = {
  private: 'external-dns-private',
  public: 'external-dns-public',
  livePrivate: 'live-external-dns-private',
  livePublic: 'live-external-dns-public',
};

/** The two instances that write the shared (production) zones: one colour at a time. */
export const LIVE_EXTERNAL_DNS_INSTANCES = ['livePrivate', 'livePublic'] as const satisfies readonly ExternalDnsInstance[];

/** Label every object bascule generates carries, so it can find (and only touch) its own. */
export const MANAGED_BY_LABEL = { 'app.kubernetes.io/managed-by': 'bascule' } as const;
