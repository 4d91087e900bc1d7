/**
 * The platform file, as the links read it: the cluster name link checks the
 * TXT record names one of its clusters, the API falls back on its endpoint,
 * the mapping reads its access levels. One that cannot be read breaks only
 * the mapping link (which says why).
 */
import type { Platform } from '../../platform/model.js';
import type { DoctorPorts } from '../ports.js';
import { errText } from './link.js';

export interface PlatformReading {
  /** The platform file, when one is named or found and reads. */
  readonly plat: Platform | undefined;
  /** Why the named platform file cannot be read (its first line). */
  readonly error: string | undefined;
}

export function readPlatformFile(ports: Pick<DoctorPorts, 'platform'>): PlatformReading {
  try {
    return { plat: ports.platform(), error: undefined };
  } catch (error) {
    return { plat: undefined, error: errText(error).split('\n')[0] as string };
  }
}
