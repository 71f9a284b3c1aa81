export { KnownKey, KnownVendor } from './keys-catalogue.entity';
export type { KnownKeyState } from './keys-catalogue.entity';
export { KeysCatalogueRepository } from './keys-catalogue.repository';
export { onVendorAndKeyEvents } from './keys-catalogue.handler';
export type { KeysCatalogueWriter } from './keys-catalogue.handler';
