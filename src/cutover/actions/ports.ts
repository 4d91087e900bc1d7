/**
 * What the cut-over's actions reach the world through: each cluster's API,
 * Route53, DNS as clients see it, a clock. Built by the wiring (connect.ts),
 * faked in tests.
 */
import type { Route53Port } from '../../aws/route53.js';
import type { KubePort } from '../../kube/client.js';
import type { Colour } from '../../platform/model.js';
import type { DnsPort } from '../dns.js';
import type { Emit } from '../events.js';

/** A wait's progress (the terminal reporter decides how to show it). */
export interface ProgressEvent {
  readonly step: string;
  readonly state: string;
  readonly detail?: string;
}

export interface ActionPorts {
  readonly kube: Readonly<Record<Colour, KubePort>>;
  readonly route53: Route53Port;
  readonly dns: DnsPort;
  readonly now: () => Date;
  readonly sleep: (ms: number) => Promise<void>;
  readonly emit: Emit;
  readonly progress: (event: ProgressEvent) => void;
}
