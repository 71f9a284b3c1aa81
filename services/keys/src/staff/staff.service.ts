import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { isUniqueViolation } from '@licensing/database';
import { ConflictError, DomainError, ErrorCode } from '@licensing/graphql';
import { issueAccessToken } from '@licensing/identity';
import { FailureThrottleService, ThrottleScope } from '../common/failure-throttle.service';
import { InjectKeysConfig, KeysConfig } from '../config';
import { Vendor } from '../vendor/vendor.entity';
import { VendorService } from '../vendor/vendor.service';
import { CreateStaffInput, LoginInput, LoginPayload } from './dto/staff.inputs';
import { decoyHash, hashPassword, verifyPassword } from './password';
import { Staff } from './staff.entity';
import { StaffRepository } from './staff.repository';

@Injectable()
export class StaffService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly staff: StaffRepository,
    private readonly vendors: VendorService,
    private readonly throttle: FailureThrottleService,
    @InjectKeysConfig() private readonly config: KeysConfig,
  ) {}

  list(vendorId: string): Promise<Staff[]> {
    return this.staff.findAll(vendorId);
  }

  /** `vendorId` undefined: any vendor's, for federation references. */
  findById(vendorId: string | undefined, id: string, manager?: EntityManager): Promise<Staff | null> {
    return this.staff.findById(vendorId, id, manager);
  }

  vendorOf(staff: Staff): Promise<Vendor | null> {
    return this.vendors.findById(staff.vendorId);
  }

  async create(vendorId: string, input: CreateStaffInput): Promise<Staff> {
    const passwordHash = await hashPassword(input.password);
    try {
      return await this.dataSource.transaction((manager) =>
        this.staff.insert(vendorId, { email: input.email, name: input.name, role: input.role, passwordHash }, manager),
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
    const found = await this.staff.findLogin(input.email);
    const ok = await verifyPassword(found?.passwordHash ?? (await decoyHash()), input.password);
    if (!found || !ok) {
      await this.throttle.recordFailure(scopes);
      throw new DomainError(ErrorCode.UNAUTHENTICATED, 'Wrong e-mail or password');
    }
    const { staff } = found;
    const { token, expiresAt } = issueAccessToken(
      this.config.ACCESS_TOKEN_SECRET,
      { kind: 'staff', vendorId: staff.vendorId, staffId: staff.id, role: staff.role },
      this.config.ACCESS_TOKEN_TTL_SECONDS,
    );
    return { token, expiresAt, staff };
  }
}
