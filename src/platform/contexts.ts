/**
 * The kubeconfig context names a platform implies: `bascule kubeconfig`
 * writes them, and the manifests name them (the Apply line of each colour,
 * helmfile's kubeContext), so a context named in one is the context the
 * other wrote.
 */
import type { Colour, Platform } from './model.js';

/** The stable name: whichever colour is live. */
export const liveContextName = (platform: Pick<Platform, 'name'>, access: string) => `${platform.name}-${access}`;
/** One colour's cluster, whatever is live. */
export const colourContextName = (platform: Pick<Platform, 'name'>, colour: Colour, access: string) => `${platform.name}-${colour}-${access}`;
