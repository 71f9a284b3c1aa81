export { KnownKey, KnownProductColumns, KnownVendor } from './keys-catalogue.entity';
export type { KnownKeyState } from './keys-catalogue.entity';
export { KeysCatalogueRepository } from './keys-catalogue.repository';
export { onVendorAndKeyEvents, productIdentity } from './keys-catalogue.handler';
export type { KeysCatalogueWriter } from './keys-catalogue.handler';
