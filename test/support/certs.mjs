// @ts-check
/**
 * Test PKI with openssl: a CA per "cluster", and serving certificates shaped
 * like EKS's (the in-cluster names kubernetes.default.svc & co, optionally the
 * cluster's own endpoint name; no IP SAN unless asked).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir } from './temp.mjs';

export const IN_CLUSTER_NAMES = ['kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local'];

/** @param {string[]} args @param {string} cwd */
function openssl(args, cwd) {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

/**
 * @param {string} name
 * @returns {{ dir: string, certPem: string, keyPem: string, certFile: string, keyFile: string }}
 */
export function makeCa(name) {
  const dir = makeTempDir(`ca-${name}-`);
  openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt',
    '-days', '2', '-subj', `/CN=${name}-ca`, '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'], dir);
  return {
    dir,
    certPem: readFileSync(join(dir, 'ca.crt'), 'utf8'),
    keyPem: readFileSync(join(dir, 'ca.key'), 'utf8'),
    certFile: join(dir, 'ca.crt'),
    keyFile: join(dir, 'ca.key'),
  };
}

/**
 * A serving certificate signed by `ca`.
 * @param {ReturnType<typeof makeCa>} ca
 * @param {{ dnsNames?: string[], ips?: string[], cn?: string }} [options]
 * @returns {{ certPem: string, keyPem: string }}
 */
export function makeServerCert(ca, options = {}) {
  const dnsNames = options.dnsNames ?? IN_CLUSTER_NAMES;
  const ips = options.ips ?? [];
  const dir = makeTempDir('cert-');
  const san = [...dnsNames.map((n) => `DNS:${n}`), ...ips.map((ip) => `IP:${ip}`)].join(',');
  writeFileSync(join(dir, 'ext.cnf'), `subjectAltName=${san}\nextendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature\nbasicConstraints=CA:FALSE\n`);
  openssl(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', 'server.key', '-out', 'server.csr',
    '-subj', `/CN=${options.cn ?? 'kube-apiserver'}`], dir);
  openssl(['x509', '-req', '-in', 'server.csr', '-CA', ca.certFile, '-CAkey', ca.keyFile, '-CAcreateserial', '-out', 'server.crt',
    '-days', '2', '-extfile', 'ext.cnf'], dir);
  const pems = { certPem: readFileSync(join(dir, 'server.crt'), 'utf8'), keyPem: readFileSync(join(dir, 'server.key'), 'utf8') };
  rmSync(dir, { recursive: true, force: true }); // the PEMs are all a caller gets: nothing left in /tmp
  return pems;
}
