import { BadRequestException, Body, Controller, HttpCode, NotFoundException, Post } from '@nestjs/common';
import { Allow } from '@licensing/identity';
import { VendorService } from './vendor.service';

/**
 * Internal endpoint the gateway calls to turn a vendor API key into an identity. Like every
 * subgraph route it answers only requests the gateway signed; the gateway signs these as
 * the operator.
 */
@Controller('internal/api-keys')
export class ApiKeyController {
  constructor(private readonly vendors: VendorService) {}

  @Post('resolve')
  @HttpCode(200)
  @Allow('operator')
  async resolve(@Body() body: { apiKey?: unknown }): Promise<{ vendorId: string; apiKeyId: string }> {
    if (typeof body?.apiKey !== 'string' || body.apiKey.length < 8 || body.apiKey.length > 200) {
      throw new BadRequestException('apiKey must be a string');
    }
    const found = await this.vendors.resolveApiKey(body.apiKey);
    if (!found) throw new NotFoundException();
    return found;
  }
}
