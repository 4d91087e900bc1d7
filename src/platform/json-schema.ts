/**
 * The JSON Schema of `platform.yaml`, derived from the valibot schema (the
 * single source), for editors: completion, descriptions, defaults, and
 * unknown-key warnings. Committed as schema/platform.schema.json; a test keeps
 * the file in sync.
 */
import { toJsonSchema } from '@valibot/to-json-schema';
import { PlatformSchema } from './schema.js';

export function platformJsonSchema(): Record<string, unknown> {
  // Checks that span keys (v.check) have no JSON Schema form: the loader still runs them.
  const generated = toJsonSchema(PlatformSchema, { target: 'draft-07', errorMode: 'ignore', typeMode: 'input' }) as Record<string, unknown>;
  const { $schema, ...rest } = generated;
  return {
    $schema,
    title: 'bascule platform description (platform.yaml)',
    description:
      'Two EKS clusters (blue and green) behind one stable API name: the file bascule reads to generate kubeconfigs and manifests and to switch. Editors: add "# yaml-language-server: $schema=<path to this file>" at the top of platform.yaml.',
    ...rest,
  };
}

/** The committed file's bytes: 2-space JSON and a final newline. */
export const platformJsonSchemaText = (): string => `${JSON.stringify(platformJsonSchema(), null, 2)}\n`;
