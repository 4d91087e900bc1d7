/**
 * Where the cluster's API is, for the mapping link (aws-auth) and the API
 * link: the kubeconfig's cluster, else the platform file's entry for that
 * cluster (its endpoint and CA). Not a link of its own.
 */
import type { ContextView } from '../kubeconfig.js';
import type { ApiAnswer, ApiTarget, DoctorPorts } from '../ports.js';
import type { PlatformReading } from './platform.js';

/** The cluster's API, reached with the identity's token; the review is asked once (the mapping link reads it too). */
export interface Api {
  readonly target: ApiTarget;
  awsAuth(): Promise<ApiAnswer>;
  review(): Promise<ApiAnswer>;
}

/** The API target: the kubeconfig's, else the platform's for that cluster; undefined: no endpoint known. */
export function reachApi(view: ContextView | undefined, { plat }: PlatformReading, clusterName: string, token: string, ports: Pick<DoctorPorts, 'kube' | 'readFile'>): Api | undefined {
  let target: ApiTarget | undefined;
  if (view) target = view.cluster;
  else if (plat) {
    const c = (['blue', 'green'] as const).map((colour) => plat.clusters[colour]).find((x) => x.name === clusterName);
    if (c?.endpoint) {
      let caPem: string | undefined;
      try {
        caPem = c.ca?.kind === 'pem' ? c.ca.pem : c.ca?.kind === 'file' ? ports.readFile(c.ca.file) : undefined;
      } catch {
        caPem = undefined; // the API link then says the certificate does not verify
      }
      target = { server: c.endpoint, caPem, tlsServerName: c.tlsServerName, insecure: false };
    }
  }
  if (!target) return undefined;
  const kube = ports.kube(target);
  let review: Promise<ApiAnswer> | undefined;
  return { target, awsAuth: () => kube.awsAuth(token), review: () => (review ??= kube.selfSubjectReview(token)) };
}
