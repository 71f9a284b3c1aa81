import { Module } from '@nestjs/common';
import { SigningKeysRepository } from './signing-keys.repository';
import { SigningResolver } from './signing.resolver';
import { SigningService } from './signing.service';

/** The vendors' Ed25519 signing keys: signed leases and checks, and the JWKS that verifies them. */
@Module({
  providers: [SigningResolver, SigningService, SigningKeysRepository],
  exports: [SigningService],
})
export class SigningModule {}
