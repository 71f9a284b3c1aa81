import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { ConflictError, DomainError, ErrorCode } from '@licensing/graphql';
import { issueAccessToken } from '@licensing/identity';
import { FailureThrottle, ThrottleScope } from '../common/failure-throttle';
import { isUniqueViolation } from '@licensing/database';
import { KeysConfig } from '../config';
import { CreateStaffInput, LoginInput, LoginPayload } from './dto/staff.inputs';
import { decoyHash, hashPassword, verifyPassword } from './password';
import { Staff } from './staff.entity';
import { StaffRepository } from './staff.repository';

@Injectable()
export class StaffService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly staff: StaffRepository,
    private readonly throttle: FailureThrottle,
    private readonly config: KeysConfig,
  ) {}

  list(vendorId: string): Promise<Staff[]> {
    return this.staff.list(vendorId);
  }

  findById(vendorId: string | undefined, id: string): Promise<Staff | null> {
    return this.staff.findById(vendorId, id);
  }

  async create(vendorId: string, input: CreateStaffInput): Promise<Staff> {
    const passwordHash = await hashPassword(input.password);
    try {
      return await this.dataSource.transaction((manager) =>
        this.staff.insert(manager, { vendorId, email: input.email, name: input.name, role: input.role, passwordHash }),
      );
    } catch (error) {
      if (isUniqueViolation(error, 'staff_email_key')) {
        throw new ConflictError(`A staff member with e-mail ${input.email} already exists`, 'input.email');
      }
      throw error;
    }
  }

  /**
   * Password login. Failures are counted per e-mail and per client address; a wrong e-mail
   * and a wrong password give the same answer after the same work.
   */
  async login(input: LoginInput, clientIp: string): Promise<LoginPayload> {
    const scopes: ThrottleScope[] = [
      { name: `login:email:${input.email}`, limit: this.config.LOGIN_FAILURES_PER_EMAIL, windowSeconds: 900 },
      { name: `login:ip:${clientIp || 'unknown'}`, limit: this.config.LOGIN_FAILURES_PER_ADDRESS, windowSeconds: 900 },
    ];
    await this.throttle.assertAllowed(scopes);
    const found = await this.staff.findForLogin(input.email);
    const ok = await verifyPassword(found?.passwordHash ?? (await decoyHash()), input.password);
    if (!found || !ok) {
      await this.throttle.recordFailure(scopes);
      throw new DomainError(ErrorCode.UNAUTHENTICATED, 'Wrong e-mail or password');
    }
    const { token, expiresAt } = issueAccessToken(
      this.config.ACCESS_TOKEN_SECRET,
      { kind: 'staff', vendorId: found.vendorId, staffId: found.id, role: found.role },
      this.config.ACCESS_TOKEN_TTL_SECONDS,
    );
    const { passwordHash: _hash, ...staff } = found;
    return { token, expiresAt, staff: staff as Staff };
  }
}
