// Bearer tokens from the organisation's OpenID Connect identity provider, configured once by its issuer and
// JWKS URL (docs/operations.md). jose's remote JWK set fetches the provider's keys, caches them and fetches
// again when a token names a key it does not hold (key rotation), at most once per cooldown.
//
// A token is accepted when its signature verifies with one of those keys under an asymmetric algorithm of the
// configured list (never `none`, never HMAC: a public key used as an HMAC secret is the classic confusion),
// `iss` is the issuer, `aud` includes the audience, and `exp` / `nbf` hold (5 s tolerance, injected clock).
// Claims map to Switchboard's identities:
//   account  the claim `accountClaim` (default `switchboard_account_sid`), else the configured default account;
//            it must be an active account of this server
//   user     the claim `userClaim` (default `sub`): CurrentUser in guards, the user tasks record
import { createRemoteJWKSet, jwtVerify } from 'jose';
import type { Repository } from '../core/repository.ts';
import { isSid } from '../core/sid.ts';
import { refuse } from './tokens.ts';
import { USER_ID, type UserIdentity } from './userTokens.ts';

export interface OidcConfig {
  issuer: string;
  jwksUrl: string;
  audience: string;
  /** The claim naming the AccountSid. */
  accountClaim?: string;
  /** The account for tokens without that claim (one organisation, one account). */
  defaultAccountSid?: string;
  /** The claim naming the user (`sub`, `preferred_username`, `email`, ...). */
  userClaim?: string;
  /** Accepted signature algorithms (asymmetric only). */
  algorithms?: string[];
  /** Least time between two fetches of the JWKS (jose's cooldown); default 30 s. */
  jwksCooldownMs?: number;
}

export const DEFAULT_OIDC_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];


export class OidcVerifier {
  readonly issuer: string;
  private readonly config: OidcConfig;
  private readonly algorithms: string[];
  private readonly keys: ReturnType<typeof createRemoteJWKSet>;

  constructor(config: OidcConfig) {
    const algorithms = config.algorithms ?? DEFAULT_OIDC_ALGORITHMS;
    const symmetric = algorithms.find((a) => !DEFAULT_OIDC_ALGORITHMS.includes(a));
    if (symmetric) throw new Error(`OpenID Connect: algorithm ${symmetric} is not accepted (asymmetric algorithms only: ${DEFAULT_OIDC_ALGORITHMS.join(', ')})`);
    if (!/^https?:\/\//.test(config.jwksUrl)) throw new Error(`OpenID Connect: the JWKS URL must be http(s): ${config.jwksUrl}`);
    this.config = config;
    this.issuer = config.issuer;
    this.algorithms = algorithms;
    this.keys = createRemoteJWKSet(new URL(config.jwksUrl), { cooldownDuration: config.jwksCooldownMs ?? 30_000, timeoutDuration: 5_000 });
  }

  /** Verifies the token (its `iss` is this issuer; the caller checked) and maps its claims; `read` looks up the
   *  account once the signature holds (after an await: a read of its own through the store's replay). */
  async verify(read: <T>(work: (repo: Repository) => T) => Promise<T>, token: string, nowMs: number): Promise<UserIdentity> {
    let claims: Record<string, unknown>;
    try {
      claims = (await jwtVerify(token, this.keys, { issuer: this.issuer, audience: this.config.audience, algorithms: this.algorithms, currentDate: new Date(nowMs), clockTolerance: 5 }))
        .payload as Record<string, unknown>;
    } catch (err) {
      const code = (err as { code?: string }).code;
      const reasons: Record<string, string> = {
        ERR_JWT_EXPIRED: 'expired',
        ERR_JWS_NO_MATCHING_KEY: 'no key of the identity provider matches',
        ERR_JWKS_NO_MATCHING_KEY: 'no key of the identity provider matches',
        ERR_JOSE_ALG_NOT_ALLOWED: 'algorithm is not accepted',
        ERR_JWS_SIGNATURE_VERIFICATION_FAILED: 'signature does not verify',
        ERR_JWKS_TIMEOUT: 'the identity provider did not answer',
      };
      const claim = (err as { claim?: string }).claim;
      refuse(reasons[code ?? ''] ?? (code === 'ERR_JWT_CLAIM_VALIDATION_FAILED' ? `${claim ?? 'a claim'} is not valid` : `not accepted (${code ?? 'malformed'})`));
    }
    if (typeof claims.exp !== 'number') refuse('exp is required');
    const user = claims[this.config.userClaim ?? 'sub'];
    if (typeof user !== 'string' || !USER_ID.test(user)) refuse(`the claim ${this.config.userClaim ?? 'sub'} must name the user`);
    const fromClaim = claims[this.config.accountClaim ?? 'switchboard_account_sid'];
    const accountSid = fromClaim ?? this.config.defaultAccountSid;
    if (!isSid(accountSid, 'AC')) refuse(`the claim ${this.config.accountClaim ?? 'switchboard_account_sid'} must name an account (no default account is configured)`);
    const account = await read((repo) => repo.get('account', accountSid));
    if (!account || account.status !== 'active') refuse('the account is not active');
    return { accountSid, userId: user, expiresAt: claims.exp * 1000 };
  }
}
