/**
 * The rules verify and doctor share with the rest of bascule (what a region's
 * partition is, what a cluster name and a duration look like). One file of
 * imports, so moving the vocabulary (to src/aws/, src/platform/) is a change
 * here only.
 */
export { partitionOf } from '../token/sts-endpoint.js';
export { isValidClusterName } from '../token/cluster-name.js';
export { parseDuration } from '../token/options.js';
