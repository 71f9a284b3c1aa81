import {
  Body,
  Controller,
  HttpCode,
  NotFoundException,
  Post,
  UseGuards,
  BadRequestException,
  Injectable,
  CanActivate,
  ExecutionContext,
  Inject,
  UnauthorizedException,
} from '@nestjs/common';
import type { Request } from 'express';
import { ServiceConfig } from '@licensing/config';
import { Allow, IDENTITY_HEADER, verifyIdentityHeader } from '@licensing/identity';
import { SERVICE_CONFIG } from '@licensing/platform';
import { VendorService } from './vendor.service';

/** Only the gateway (signing as the operator) may resolve API keys. */
@Injectable()
class GatewayOnlyGuard implements CanActivate {
  constructor(@Inject(SERVICE_CONFIG) private readonly config: ServiceConfig) {}

  canActivate(context: ExecutionContext): boolean {
    const req = context.switchToHttp().getRequest<Request>();
    try {
      const { identity } = verifyIdentityHeader(this.config.IDENTITY_SIGNING_SECRET, req.header(IDENTITY_HEADER));
      return identity.kind === 'operator';
    } catch {
      throw new UnauthorizedException();
    }
  }
}

/** Internal endpoint the gateway calls to turn a vendor API key into an identity. */
@Controller('internal/api-keys')
export class ApiKeyController {
  constructor(private readonly vendors: VendorService) {}

  @Post('resolve')
  @HttpCode(200)
  @Allow('public')
  @UseGuards(GatewayOnlyGuard)
  async resolve(@Body() body: { apiKey?: unknown }): Promise<{ vendorId: string; apiKeyId: string }> {
    if (typeof body?.apiKey !== 'string' || body.apiKey.length < 8 || body.apiKey.length > 200) {
      throw new BadRequestException('apiKey must be a string');
    }
    const found = await this.vendors.resolveApiKey(body.apiKey);
    if (!found) throw new NotFoundException();
    return found;
  }
}
