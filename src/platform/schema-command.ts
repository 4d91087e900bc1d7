/** `bascule schema`: prints the JSON Schema of platform.yaml. */
import type { Io } from '../io.js';
import { platformJsonSchemaText } from './json-schema.js';

export function schemaCommand(io: Io): void {
  io.stdout(platformJsonSchemaText());
}
