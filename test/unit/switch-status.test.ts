/**
 * `bascule status` judged (pure): an observation in, the live colour and
 * every check out, as a table of situations.
 */
import { describe, expect, it } from 'vitest';
import { evaluateStatus, formatStatusTable, statusJson, type StatusObservation } from '../../src/status/status.js';

const targets = {
  blue: { clusterName: 'eks-blue', endpointHost: 'blue.eks.example.com', apiRecord: 'api.eks-blue.devinfra.local' },
  green: { clusterName: 'eks-green', endpointHost: 'green.eks.example.com', apiRecord: 'api.eks-green.devinfra.local' },
};
const LIVE = ['live-external-dns-private', 'live-external-dns-public'];
const eds = (desired: number, ready = desired) => LIVE.map((name) => ({ name, desired, ready }));

function observation(change: (o: Mutable) => void = () => undefined): StatusObservation {
  const o: Mutable = {
    platform: 'devinfra',
    file: 'platform.yaml',
    liveInFile: 'blue',
    resolver: 'DNS server 10.0.0.2',
    txt: { name: 'eks.devinfra.info', values: ['eks-blue'], clusterName: 'eks-blue' },
    api: { name: 'api.devinfra.local', target: 'blue.eks.example.com' },
    namespace: 'kube-system',
    clusters: {
      blue: { name: 'eks-blue', endpoint: 'https://blue.eks.example.com', api: { version: 'v1.32.1' }, externalDns: eds(1) },
      green: { name: 'eks-green', endpoint: 'https://green.eks.example.com', api: { version: 'v1.33.0' }, externalDns: eds(0) },
    },
  };
  change(o);
  return o as StatusObservation;
}
type Mutable = { -readonly [K in keyof StatusObservation]: any };

interface Case {
  name: string;
  change: (o: Mutable) => void;
  live: 'blue' | 'green' | null;
  failed: string[];
  says?: string;
}

const cases: Case[] = [
  { name: 'blue live, all agree', change: () => undefined, live: 'blue', failed: [] },
  {
    name: 'green live after a switch, all agree',
    change: (o) => {
      o.liveInFile = 'green';
      o.txt = { ...o.txt, values: ['eks-green'], clusterName: 'eks-green' };
      o.api = { ...o.api, target: 'api.eks-green.devinfra.local' };
      o.clusters.blue.externalDns = eds(0);
      o.clusters.green.externalDns = eds(1);
    },
    live: 'green',
    failed: [],
  },
  { name: 'the records disagree', change: (o) => (o.txt = { ...o.txt, clusterName: 'eks-green' }), live: null, failed: ['dns-agree'], says: 'the TXT record says green but the API record says blue' },
  { name: 'the file is behind DNS', change: (o) => (o.liveInFile = 'green'), live: 'blue', failed: ['platform-file'], says: 'platform.yaml says live: green, but DNS says blue' },
  { name: 'the TXT lookup failed', change: (o) => (o.txt = { name: 'eks.devinfra.info', error: 'no answer within 2000 ms' }), live: null, failed: ['txt'], says: 'TXT eks.devinfra.info: no answer within 2000 ms' },
  { name: 'the TXT names a third cluster', change: (o) => (o.txt = { ...o.txt, clusterName: 'eks-red' }), live: null, failed: ['txt'], says: 'names eks-red, which is neither eks-blue nor eks-green' },
  { name: 'the API record points elsewhere', change: (o) => (o.api = { ...o.api, target: 'old.example.com' }), live: 'blue', failed: ['api-record'], says: 'not one colour\'s endpoint' },
  { name: 'no API record', change: (o) => (o.api = { name: 'api.devinfra.local', error: 'no CNAME (NXDOMAIN)' }), live: 'blue', failed: ['api-record'] },
  {
    name: "the old colour's live ExternalDNS revived",
    change: (o) => (o.clusters.green.externalDns = eds(1)),
    live: 'blue',
    failed: ['live-external-dns'],
    says: "the old colour's live ExternalDNS run again (green: live-external-dns-private, green: live-external-dns-public) while blue is live",
  },
  { name: 'live ExternalDNS in no colour', change: (o) => (o.clusters.blue.externalDns = eds(0)), live: 'blue', failed: ['live-external-dns'], says: 'run in no colour' },
  { name: 'live ExternalDNS in the other colour', change: (o) => {
      o.clusters.blue.externalDns = eds(0);
      o.clusters.green.externalDns = eds(1);
    }, live: 'blue', failed: ['live-external-dns'], says: 'run in green, but blue is live' },
  { name: 'live ExternalDNS not ready', change: (o) => (o.clusters.blue.externalDns = eds(1, 0)), live: 'blue', failed: ['live-external-dns'], says: 'live-external-dns-private, live-external-dns-public are not ready' },
  {
    name: 'a cluster unreachable',
    change: (o) => (o.clusters.green = { ...o.clusters.green, api: { error: 'connection refused' }, externalDns: LIVE.map((name) => ({ name, error: 'API unreachable' })) }),
    live: 'blue',
    failed: ['live-external-dns', 'api-green'],
    says: "green's API (eks-green): connection refused",
  },
  {
    name: 'an unfinished switch',
    change: (o) => (o.journal = { path: '/s/switch-devinfra.json', description: 'switch blue -> green stopped at step dns (failed)', unfinished: true }),
    live: 'blue',
    failed: ['switch'],
    says: 'switch blue -> green stopped at step dns (failed) (journal /s/switch-devinfra.json)',
  },
];

describe('status checks', () => {
  it.each(cases)('$name', (c) => {
    const report = evaluateStatus(observation(c.change), targets);
    expect(report.live).toBe(c.live);
    expect(report.checks.filter((x) => !x.ok).map((x) => x.name)).toEqual(c.failed);
    expect(report.ok).toBe(c.failed.length === 0);
    if (c.says) expect(report.checks.map((x) => x.message).join('\n')).toContain(c.says);
    // Both outputs carry every check.
    const table = formatStatusTable(report);
    for (const check of report.checks) expect(table).toContain(`${check.ok ? 'ok  ' : 'FAIL'}  ${check.message}`);
    expect(JSON.parse(statusJson(report)).checks).toEqual(report.checks);
  });

  it('endpoints sharing a host cannot tell the API record\'s colour, and say why', () => {
    const same = { blue: { ...targets.blue, endpointHost: '10.0.0.1' }, green: { ...targets.green, endpointHost: '10.0.0.1' } };
    const report = evaluateStatus(observation((o) => (o.api = { ...o.api, target: '10.0.0.1' })), same);
    expect(report.checks.find((c) => c.name === 'api-record')?.message).toContain("both clusters' endpoints share that host");
  });

  it('the table', () => {
    expect(formatStatusTable(evaluateStatus(observation(), targets))).toBe(
      [
        'devinfra (platform.yaml): blue is live; the file says live: blue',
        '',
        'DNS, via DNS server 10.0.0.2',
        '  TXT    eks.devinfra.info   "eks-blue"            blue',
        '  CNAME  api.devinfra.local  blue.eks.example.com  blue',
        '',
        'Clusters',
        '                                         blue (eks-blue) *live*  green (eks-green)',
        '  API                                    ok v1.32.1              ok v1.33.0',
        '  kube-system/live-external-dns-private  1/1 ready               stopped (0)',
        '  kube-system/live-external-dns-public   1/1 ready               stopped (0)',
        '',
        'Checks',
        '  ok    TXT eks.devinfra.info names eks-blue (blue)',
        '  ok    api.devinfra.local points at blue.eks.example.com (blue)',
        '  ok    the TXT and API records agree: blue is live',
        '  ok    platform.yaml says live: blue, as DNS does',
        '  ok    the live ExternalDNS run in exactly one colour: blue',
        "  ok    blue's API answers with a token for eks-blue (v1.32.1)",
        "  ok    green's API answers with a token for eks-green (v1.33.0)",
        '',
      ].join('\n'),
    );
  });
});
