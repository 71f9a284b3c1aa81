import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { isUniqueViolation } from '@licensing/database';
import { createEvent, StaffCreated } from '@licensing/events';
import { ConflictError, DomainError, ErrorCode } from '@licensing/graphql';
import { issueAccessToken } from '@licensing/identity';
import { enqueue } from '@licensing/kafka';
import { LoginThrottleService } from '../common/login-throttle.service';
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
    private readonly throttle: LoginThrottleService,
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
      return await this.dataSource.transaction(async (manager) => {
        const staff = await this.staff.insert(
          vendorId,
          { email: input.email, name: input.name, role: input.role, passwordHash },
          manager,
        );
        // Other services learn the vendor's owners (where the platform writes to the vendor) from this.
        await enqueue(
          manager,
          createEvent(StaffCreated, {
            vendorId,
            subject: staff.id,
            data: { staffId: staff.id, email: staff.email, name: staff.name, role: staff.role },
          }),
        );
        return staff;
      });
    } catch (error) {
      if (isUniqueViolation(error, 'staff_email_key')) {
        throw new ConflictError(`A staff member with e-mail ${input.email} already exists`, 'input.email');
      }
      throw error;
    }
  }

  /**
   * Password login. The attempt is counted before the password is checked and given back
   * when it is right (LoginThrottleService: per address, per e-mail and address, and a
   * slowdown per e-mail); a wrong e-mail and a wrong password give the same answer after
   * the same work.
   */
  async login(input: LoginInput, clientIp: string): Promise<LoginPayload> {
    const attempt = await this.throttle.admitStaffLogin(input.email, clientIp);
    const found = await this.staff.findLogin(input.email);
    const ok = await verifyPassword(found?.passwordHash ?? (await decoyHash()), input.password);
    if (!found || !ok) throw new DomainError(ErrorCode.UNAUTHENTICATED, 'Wrong e-mail or password');
    await attempt.succeeded();
    const { staff } = found;
    const { token, expiresAt } = issueAccessToken(
      this.config.ACCESS_TOKEN_SECRET,
      { kind: 'staff', vendorId: staff.vendorId, staffId: staff.id, role: staff.role },
      this.config.ACCESS_TOKEN_TTL_SECONDS,
    );
    return { token, expiresAt, staff };
  }
}
