// SIP Digest authentication (RFC 3261 §22, RFC 7616, RFC 8760): header parsing, H(A1) storage
// helpers, the server (challenge / verify) and the client (pick challenge / authorize).
export * from './errors.js';
export {
  isDigestScheme,
  parseChallenge,
  parseCredentials,
  quoteAuthParam,
  serializeChallenge,
  serializeCredentials,
  type AuthChallenge,
  type AuthCredentials,
  type AuthHeader,
} from './auth-header.js';
export {
  computeHa1,
  computeHa1Set,
  computeResponse,
  DIGEST_ALGORITHMS,
  DIGEST_HASHES,
  digestHash,
  digestHashOf,
  digestHexLength,
  isSessionAlgorithm,
  parseDigestAlgorithm,
  type ComputeHa1Options,
  type ComputeResponseOptions,
  type DigestAlgorithm,
  type DigestHashName,
  type DigestQop,
} from './digest-algorithm.js';
export {
  readDigestChallenge,
  readDigestCredentials,
  type DigestChallenge,
  type DigestCredentials,
} from './digest-params.js';
export { NonceIssuer, type NonceCheck, type NonceIssuerOptions } from './nonce-issuer.js';
export { NonceCountTracker, type NonceCountVerdict } from './nonce-count-tracker.js';
export {
  DigestServer,
  type CredentialLookup,
  type DigestFailureReason,
  type DigestServerOptions,
  type DigestVerifyFailure,
  type DigestVerifyRequest,
  type DigestVerifyResult,
  type DigestVerifySuccess,
} from './digest-server.js';
export {
  DigestClient,
  pickChallenge,
  type DigestAuthorizeOptions,
  type DigestClientOptions,
} from './digest-client.js';
