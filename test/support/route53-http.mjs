// @ts-check
/**
 * The HTTP edges the validating proxy (route53-proxy.mjs) and the recording
 * (route53-recording.mjs) share: Route53's XML answers and errors, a
 * ChangeResourceRecordSets body read, requests counted per API action and
 * access key. No SDK here: the recording starts without loading one.
 */
import { randomBytes } from 'node:crypto';
import { child, children, errorXml, parseXml, recordSetFromXml, Route53Refusal, textOf } from './route53-rules.mjs';

/** @param {import('node:http').ServerResponse} res @param {number} code @param {string} body */
export function sendXml(res, code, body) {
  const xml = `<?xml version="1.0" encoding="UTF-8"?>\n${body}`;
  res.writeHead(code, { 'content-type': 'text/xml', 'content-length': Buffer.byteLength(xml), 'x-amzn-requestid': randomBytes(8).toString('hex') });
  res.end(xml);
}
/** @param {import('node:http').ServerResponse} res @param {number} code @param {string} errorCode @param {string} message */
export const sendError = (res, code, errorCode, message) => sendXml(res, code, errorXml(errorCode, message));
/** @param {import('node:http').ServerResponse} res @param {unknown} error */
export function sendFailure(res, error) {
  if (error instanceof Route53Refusal) return sendError(res, error.status, error.code, error.message);
  const e = /** @type {any} */ (error);
  return sendError(res, e?.$metadata?.httpStatusCode ?? 500, e?.name ?? 'InternalFailure', e?.message ?? String(error));
}
/** @param {import('node:http').IncomingMessage} req @returns {Promise<string>} */
export const readBody = (req) =>
  new Promise((resolve, reject) => {
    /** @type {Buffer[]} */
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
/** The changes of a ChangeResourceRecordSets body, and its comment. @param {string} text */
export function parseChangeBatch(text) {
  const batch = child(child(parseXml(text), 'ChangeResourceRecordSetsRequest'), 'ChangeBatch');
  const changes = children(child(batch, 'Changes'), 'Change').map((c) => {
    const set = child(c, 'ResourceRecordSet');
    return { Action: textOf(c, 'Action') ?? '', ResourceRecordSet: set ? recordSetFromXml(set) : { Name: '', Type: '' } };
  });
  return { changes, comment: textOf(batch, 'Comment') };
}

/** Requests counted per access key and action. */
export function requestCounter() {
  /** @type {Map<string, Map<string, number>>} */
  let counts = new Map();
  return {
    /** @param {string} action @param {string | undefined} accessKeyId */
    count(action, accessKeyId) {
      const key = accessKeyId ?? '';
      let byAction = counts.get(key);
      if (!byAction) counts.set(key, (byAction = new Map()));
      byAction.set(action, (byAction.get(action) ?? 0) + 1);
    },
    /**
     * Requests per action since the last reset, of one access key (or of all).
     * @param {{ accessKeyId?: string }} [filter] @returns {Record<string, number>}
     */
    requests(filter = {}) {
      /** @type {Record<string, number>} */
      const out = {};
      for (const [key, byAction] of counts) {
        if (filter.accessKeyId !== undefined && key !== filter.accessKeyId) continue;
        for (const [action, n] of byAction) out[action] = (out[action] ?? 0) + n;
      }
      return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : 1)));
    },
    reset() {
      counts = new Map();
    },
  };
}

