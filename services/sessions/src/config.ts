import { IsString, Matches } from 'class-validator';
import { ServiceConfig } from '@licensing/config';

export class SessionsConfig extends ServiceConfig {
  override PORT = 4003;

  @IsString()
  @Matches(/^postgres(ql)?:\/\//, { message: 'DATABASE_URL must be a postgres:// URL' })
  override DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/licensing_sessions';
}
