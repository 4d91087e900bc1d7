/** The token cache's view of the EKS token's shapes (they live with the signer, in src/aws/). */
export { TOKEN_PREFIX, TOKEN_LIFETIME_MS, type EksToken } from '../aws/eks-token.js';
