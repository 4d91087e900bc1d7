/**
 * Cluster CA certificates: parse, check and normalise PEM bundles (pure).
 * A CA goes into a kubeconfig only if every block is an X.509 CA certificate;
 * the output is canonical PEM (64-column base64, no comments), so the same
 * certificates always give the same bytes.
 */
import { X509Certificate } from 'node:crypto';

export type CaCheck = { readonly ok: true; readonly pem: string; readonly count: number } | { readonly ok: false; readonly reason: string };

const BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END ([A-Z0-9 ]+)-----/g;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

export function derToPem(der: Buffer): string {
  const b64 = der.toString('base64');
  const lines = b64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`;
}

/** Checks a PEM bundle of CA certificates; never echoes its content (it could be a private key). */
export function checkCaPem(text: string): CaCheck {
  const blocks = [...text.matchAll(BLOCK)];
  if (blocks.length === 0) return { ok: false, reason: 'holds no PEM certificate (no -----BEGIN CERTIFICATE----- block)' };
  const seen = new Set<string>();
  const pems: string[] = [];
  for (const [i, block] of blocks.entries()) {
    const label = block[1] as string;
    const n = blocks.length > 1 ? `block ${i + 1}` : 'the PEM block';
    if (label !== 'CERTIFICATE' || block[3] !== label) {
      return { ok: false, reason: `${n} is a ${label} block; a CA bundle holds only CERTIFICATE blocks` };
    }
    const body = (block[2] as string).replace(/\s+/g, '');
    if (!BASE64.test(body) || body.length % 4 !== 0) return { ok: false, reason: `${n} is not valid base64` };
    const der = Buffer.from(body, 'base64');
    let cert: X509Certificate;
    try {
      cert = new X509Certificate(der);
    } catch {
      return { ok: false, reason: `${n} is not a valid X.509 certificate` };
    }
    if (!cert.ca) return { ok: false, reason: `${n} (${cert.subject.replace(/\n/g, ', ')}) is not a CA certificate (basicConstraints CA:FALSE)` };
    const key = der.toString('base64');
    if (seen.has(key)) continue;
    seen.add(key);
    pems.push(derToPem(der));
  }
  return { ok: true, pem: pems.join(''), count: pems.length };
}

/** base64 of a PEM bundle, as kubeconfigs and EKS DescribeCluster carry it. */
export function checkCaData(data: string): CaCheck {
  const compact = data.replace(/\s+/g, '');
  if (compact === '' || !BASE64.test(compact) || compact.length % 4 !== 0) {
    return { ok: false, reason: 'is not base64 (expected base64 of a PEM certificate, as certificateAuthority.data)' };
  }
  const text = Buffer.from(compact, 'base64').toString('latin1');
  if (!text.includes('-----BEGIN')) return { ok: false, reason: 'is base64, but not of a PEM certificate (no -----BEGIN CERTIFICATE----- inside)' };
  return checkCaPem(text);
}
