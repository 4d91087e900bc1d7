/** `bascule token` / `bascule eks get-token`: typed input, then the use case with its adapters. */
import { usageError } from '../errors.js';
import type { Io } from '../io.js';
import type { FastParse } from './flags.js';
import { lookupTxt } from '../dns/resolver.js';
import { awsPort } from './aws-port.js';
import { diskTokenCache } from './cache.js';
import { getToken } from './get-token.js';
import { parseTokenInput } from './options.js';

export async function tokenCommand({ flags, globals }: FastParse, io: Io): Promise<void> {
  if (flags.output !== undefined && flags.output !== 'json') {
    throw usageError(`--output ${flags.output} is not supported`, 'bascule prints JSON (an ExecCredential); use --token-only for the bare token');
  }
  const input = parseTokenInput({ ...flags, region: flags.region ?? globals.region, profile: flags.profile ?? globals.profile }, io.env);
  if (io.verbose) {
    if (input.dnsServer) io.verbose(`DNS server ${input.dnsServer} (from ${flags.dnsServer ? '--dns-server' : 'BASCULE_DNS_SERVER'})`);
    if (!input.cache) io.verbose(`token cache: skipped (${flags.cache === false ? '--no-cache' : `BASCULE_NO_CACHE=${io.env.BASCULE_NO_CACHE}`})`);
  }
  const cache = input.cache ? diskTokenCache(io) : undefined;
  await getToken(input, {
    env: io.env,
    now: io.now,
    // The token's lookup is all the process does while it waits: it may block (libc's sockets, src/dns/udp.ts).
    lookupTxt: (name, options) => lookupTxt(name, { ...options, mayBlock: true }),
    stdout: io.stdout,
    stderr: io.stderr,
    prompt: io.prompt,
    stdinIsTTY: io.stdinIsTTY,
    aws: awsPort(io.env),
    ...(io.verbose ? { verbose: io.verbose } : {}),
    ...(cache ? { cache } : {}),
  });
}
