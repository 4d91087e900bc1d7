/**
 * The manifests' entry in the commands chunk (dist/bascule-commands.js, see
 * CHUNKS in scripts/chunks.mjs): the builders and kubernetes-models' validators are
 * reached only from here, so neither the token path nor the other
 * generators parse them.
 */
import type { Io } from '../io.js';
import { manifestsCommand, type ManifestsFlags } from './command.js';

export function manifestsAction(flags: ManifestsFlags, io: Io): void {
  manifestsCommand(flags, io);
}
