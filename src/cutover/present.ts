/**
 * The cut-over's events as the lines an operator reads (pure): one place
 * phrases what both cut-overs did, so the same action reads the same way.
 */
import { describeSet } from '../production/records.js';
import type { CutoverEvent } from './events.js';
import { formatMs } from './options.js';

const I = '      ';

export function phrase(e: CutoverEvent): string {
  switch (e.kind) {
    case 'step-started':
      return `[${e.index}/${e.total}] ${e.title}`;
    case 'step-done':
      return `${I}ok (${formatMs(e.elapsedMs)})`;
    case 'step-failed':
      return `${I}FAILED`;
    case 'api-answers':
      return `${I}${e.colour}: the API answers (${e.version}) with a token for ${e.clusterName}`;
    case 'live-checked':
      return `${I}${e.to}'s live ExternalDNS are at 0; both colours' run what \`bascule manifests\` generates`;
    case 'scaled':
      return `${I}${e.colour}: ${e.deployment} scaled to ${e.replicas}`;
    case 'migration':
      return `${I}${e.colour}: ${e.deployment} ${e.from === undefined ? 'runs without --migrate-from-txt-owner' : `takes over ${e.from}'s records (--migrate-from-txt-owner=${e.from})`}`;
    case 'scaled-all':
      return `${I}${e.colour}: ${e.stopped ? 'no pod left' : 'ready'}`;
    case 'batch':
      return e.changes.map((c) => `${I}zone ${e.zoneId}: ${c.action} ${describeSet(c.set)}, change ${e.changeId}`).join('\n');
    case 'insync':
      return `${I}Route53: INSYNC`;
    case 'txt-in-route53':
      return `${I}Route53: TXT ${e.name} names ${e.clusterName}`;
    case 'dns-follows':
      return `${I}${e.record} -> ${e.value} via ${e.where}`;
    case 'production-follows':
      return `${I}Route53: ${e.names.join(', ')} target ${e.colour}'s load balancers, owned by ${e.colour}'s live ExternalDNS`;
    case 'token-accepted':
      return `${I}a token for ${e.txtName} is signed for ${e.clusterName}; ${e.colour}'s API accepts it (${e.version})`;
    case 'live-written':
      if (e.result.kind === 'written') return `${I}${e.result.path} line ${e.result.line}: live: ${e.live}`;
      if (e.result.kind === 'unchanged') return `${I}${e.result.path} already says live: ${e.live}`;
      return `${I}${e.result.instruction}`;
    case 'table':
      return e.text.trimEnd().replace(/^/gm, I);
    case 'note':
      return `${I}note: ${e.text}`;
  }
}
