import { KeyObject, sign as ed25519Sign } from 'node:crypto';
import type { JWTPayload } from 'jose';
import { SIGNING_ALGORITHM } from './jwks';

/**
 * Compact JWS (RFC 7515) with EdDSA over Ed25519 (RFC 8037), signed synchronously with
 * node:crypto. A heartbeat signs a new lease every time, so this sits on the runtime's hot
 * path: jose's SignJWT signs through WebCrypto, whose every call is a promise and a trip to
 * libuv's thread pool; here a signature is one call on the event loop (bench/sessions/signing).
 * What it produces is verified by jose (compact-jws.spec.ts and the SDK's tests).
 */
export class CompactJwsSigner {
  /** base64url of the protected header, per `typ`: the same few headers are signed all day. */
  private readonly headers = new Map<string, string>();

  constructor(
    readonly kid: string,
    private readonly privateKey: KeyObject,
  ) {
    if (privateKey.type !== 'private' || privateKey.asymmetricKeyType !== 'ed25519') {
      throw new Error('A compact JWS signer needs an Ed25519 private key');
    }
  }

  sign(claims: JWTPayload, typ: string): string {
    let header = this.headers.get(typ);
    if (header === undefined) {
      header = base64url(JSON.stringify({ alg: SIGNING_ALGORITHM, kid: this.kid, typ }));
      this.headers.set(typ, header);
    }
    const signingInput = `${header}.${base64url(JSON.stringify(claims))}`;
    const signature = ed25519Sign(null, Buffer.from(signingInput, 'ascii'), this.privateKey);
    return `${signingInput}.${signature.toString('base64url')}`;
  }
}

function base64url(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64url');
}
