import { Args, Mutation, Parent, Query, ResolveField, Resolver, ResolveReference } from '@nestjs/graphql';
import { Allow, CurrentIdentity, CurrentRequest, Identity, RequestContext, requireVendorId } from '@licensing/identity';
import { Vendor } from '../vendor/vendor.entity';
import { CreateStaffInput, LoginInput, LoginPayload } from './dto/staff.inputs';
import { Staff } from './staff.entity';
import { StaffService } from './staff.service';

@Resolver(() => Staff)
export class StaffResolver {
  constructor(private readonly staffService: StaffService) {}

  @Allow('vendor-owner')
  @Mutation(() => Staff, { description: 'Adds a staff member to the caller’s vendor (API key or OWNER only).' })
  createStaff(
    @CurrentIdentity() identity: Identity,
    @Args('input', { description: "The new staff member's e-mail, name, role and password." }) input: CreateStaffInput,
  ): Promise<Staff> {
    return this.staffService.create(requireVendorId(identity), input);
  }

  @Allow('vendor')
  @Query(() => [Staff], { description: 'The caller vendor’s staff.' })
  staff(@CurrentIdentity() identity: Identity): Promise<Staff[]> {
    return this.staffService.list(requireVendorId(identity));
  }

  @Allow('public')
  @Mutation(() => LoginPayload, { description: 'Staff login; returns a short-lived access token for the cabinet.' })
  login(
    @CurrentRequest() request: RequestContext,
    @Args('input', { description: "The staff member's e-mail and password." }) input: LoginInput,
  ): Promise<LoginPayload> {
    return this.staffService.login(input, request.clientIp);
  }

  @ResolveField(() => Vendor, { description: 'The vendor the staff member works for.' })
  vendor(@Parent() staff: Staff): Promise<Vendor | null> {
    return this.staffService.vendorOf(staff);
  }

  @ResolveReference()
  resolveReference(ref: { id: string }): Promise<Staff | null> {
    return this.staffService.findById(undefined, ref.id);
  }
}
