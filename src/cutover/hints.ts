/**
 * The command lines bascule tells an operator to run next (continue, undo,
 * recover), with the flags that matter for the platform at hand. One place,
 * for both cut-overs.
 */
import type { CommonInput } from './options.js';

export type Verb = '--resume' | '--rollback' | `--to ${string}`;

/** The command that continues (or undoes) this operation: `bascule switch --resume --config platform.yaml --access admin`. */
export function commandLine(input: CommonInput & { readonly journal?: string | undefined }, verb: Verb, extra: readonly string[] = []): string {
  const parts = ['bascule switch', verb, ...extra, '--config', input.config];
  if (input.identity.access) parts.push('--access', input.identity.access);
  if (input.identity.roleArn) parts.push('--role', input.identity.roleArn);
  if (input.identity.profile) parts.push('--profile', input.identity.profile);
  if (input.dnsServer) parts.push('--dns-server', input.dnsServer);
  if (input.fetch) parts.push('--fetch');
  if (input.journal) parts.push('--journal', input.journal);
  return parts.join(' ');
}
