/**
 * Platform files of a fleet, one per name: each platform its own domains
 * under shared zones (`<name>.devinfra.local`, `<name>.devinfra.fr`), its own
 * cluster-name record and API record beside them (`eks-<name>.devinfra.info`,
 * `api-<name>.devinfra.local`), clusters `<name>-blue` and `<name>-green`:
 * a fleet `bascule fleet check` accepts. Options change one field at a time
 * to make each clash.
 */
export interface FleetPlatform {
  name: string;
  account?: string;
  /** Shared domains and records (defaults from the name). */
  private?: string;
  public?: string;
  txt?: string;
  api?: string;
  /** Zone ids (omitted: not set). */
  zones?: { private?: string; public?: string; txt?: string; api?: string; bluePrivate?: string; greenPrivate?: string };
  clusters?: { blue?: string; green?: string };
  /** Cluster sub-domains (default <cluster name>.<domain>). */
  clusterDomains?: { blue?: { private?: string; public?: string }; green?: { private?: string; public?: string } };
  endpoints?: { blue: string; green: string };
  /** Each colour's CA: a file beside the platform file, or base64 PEM data. */
  ca?: { blue: { file: string } | { data: string }; green: { file: string } | { data: string } };
  tlsServerName?: string;
  dnsServer?: string;
  live?: 'blue' | 'green';
  /** Owner ids by colour and instance, e.g. { blue: { livePrivate: 'x' } }. */
  ownerIds?: Partial<Record<'blue' | 'green', Partial<Record<'private' | 'public' | 'livePrivate' | 'livePublic', string>>>>;
  externalDns?: boolean;
}

const domain = (name: string, zoneId: string | undefined) => `{ name: ${name}${zoneId ? `, zoneId: ${zoneId}` : ''} }`;

function clusterLines(p: FleetPlatform, colour: 'blue' | 'green'): string[] {
  const name = p.clusters?.[colour] ?? `${p.name}-${colour}`;
  const ca = p.ca?.[colour];
  const own = p.clusterDomains?.[colour];
  const owners = p.ownerIds?.[colour] ?? {};
  const zone = colour === 'blue' ? p.zones?.bluePrivate : p.zones?.greenPrivate;
  return [
    `  ${colour}:`,
    `    name: ${name}`,
    `    endpoint: ${p.endpoints?.[colour] ?? `https://${colour}.${p.name}.eks.example.com`}`,
    ...(p.tlsServerName ? [`    tlsServerName: ${p.tlsServerName}`] : []),
    ...(ca ? ['    ca:', 'file' in ca ? `      file: ${ca.file}` : `      data: ${ca.data}`] : []),
    ...(own || zone
      ? [
          '    domains:',
          ...(own?.private || zone ? [`      private: ${domain(own?.private ?? `${name}.${p.private ?? `${p.name}.devinfra.local`}`, zone)}`] : []),
          ...(own?.public ? [`      public: { name: ${own.public} }`] : []),
        ]
      : []),
    ...(Object.keys(owners).length > 0 ? ['    externalDns:', ...Object.entries(owners).map(([i, id]) => `      ${i}: { ownerId: ${id} }`)] : []),
  ];
}

/** The platform file's text. */
export function fleetPlatformText(p: FleetPlatform): string {
  const z = p.zones ?? {};
  return [
    `name: ${p.name}`,
    'aws:',
    `  accountId: "${p.account ?? '111111111111'}"`,
    '  region: eu-west-3',
    'api:',
    `  record: ${p.api ?? `api-${p.name}.devinfra.local`}`,
    ...(z.api ? [`  zoneId: ${z.api}`] : []),
    '  ttl: 5',
    'clusterNameRecord:',
    `  name: ${p.txt ?? `eks-${p.name}.devinfra.info`}`,
    ...(z.txt ? [`  zoneId: ${z.txt}`] : []),
    '  ttl: 5',
    ...(p.dnsServer ? [`  dnsServer: ${p.dnsServer}`] : []),
    `live: ${p.live ?? 'blue'}`,
    'domains:',
    `  private: ${domain(p.private ?? `${p.name}.devinfra.local`, z.private)}`,
    `  public: ${domain(p.public ?? `${p.name}.devinfra.fr`, z.public)}`,
    'clusters:',
    ...clusterLines(p, 'blue'),
    ...clusterLines(p, 'green'),
    ...(p.externalDns === false ? ['externalDns:', '  enabled: false'] : []),
    'access:',
    '  - name: admin',
    `    roleArn: arn:aws:iam::${p.account ?? '111111111111'}:role/k8s-admin`,
    '    groups: [system:masters]',
    '',
  ].join('\n');
}
