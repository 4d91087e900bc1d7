/**
 * The platform commands' entry in the commands chunk (dist/bascule-commands.js,
 * see CHUNKS in scripts/chunks.mjs): everything they need (yaml, valibot, the
 * EKS client) is reached from here, so `bascule token` never parses it.
 */
export { initCommand } from './init-command.js';
export { schemaCommand } from './schema-command.js';
export { kubeconfigCommand } from '../kubeconfig/command.js';
// verify and doctor: diagnostics, cold like the generators (they share yaml and the EKS client).
export { verifyCommand } from '../verify/command.js';
export { doctorCommand } from '../doctor/command.js';
