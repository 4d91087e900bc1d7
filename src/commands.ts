/**
 * The program's table of the platform file's commands (init, schema,
 * kubeconfig) and the diagnostics (verify, doctor): their entry in the
 * commands chunk (dist/bascule-commands.js, see CHUNKS in scripts/chunks.mjs).
 * Everything they need (yaml, valibot, the EKS client) is reached from here,
 * so `bascule token` never parses it. It sits with the program, above every
 * room: no room imports it.
 */
export { initCommand } from './platform/init-command.js';
export { schemaCommand } from './platform/schema-command.js';
export { kubeconfigCommand } from './kubeconfig/command.js';
// verify and doctor: diagnostics, cold like the generators (they share yaml and the EKS client).
export { verifyCommand } from './verify/command.js';
export { doctorCommand } from './doctor/command.js';
