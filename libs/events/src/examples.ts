/**
 * Ids and codes shared by the example messages of the catalogue, so that the examples tell
 * one consistent story: the demo vendor DEMO, its product PBX and one client's key.
 */
export const EXAMPLE = {
  vendorId: '5f0c6d1e-3b7a-4c41-9a0e-1f2d3c4b5a69',
  vendorPrefix: 'DEMO',
  productId: '9d2b1f44-6a3c-4e8e-b0f1-2c3d4e5f6a7b',
  productCode: 'PBX',
  moduleProductId: '2c41e7a9-5b8d-4f36-a1c2-7d9e0f1a2b3c',
  moduleProductCode: 'PBX-CRM',
  distributorId: 'c3e1a8f2-4d5b-4a6c-9e7f-0a1b2c3d4e5f',
  managerId: '7a8b9c0d-1e2f-4a3b-8c4d-5e6f7a8b9c0d',
  clientId: 'e4f5a6b7-c8d9-4e0f-a1b2-c3d4e5f6a7b8',
  keyId: '0b7c4a52-7f7e-4c7b-8d61-3a9f2e6c1d10',
  keyCode: 'DEMO-7GQ2M-K4XTB-9WZ3C-H8N1P',
  licenseId: 'f1e2d3c4-b5a6-4978-8a9b-0c1d2e3f4a5b',
  batchId: '3b4c5d6e-7f80-4192-a3b4-c5d6e7f8091a',
  couponId: '8d9e0f1a-2b3c-4d4e-9f5a-6b7c8d9e0f1a',
  couponCode: 'DEMOUPD-3MZ8Q-TV6KD-0XH4B-R2W9C',
  activationId: '4a5b6c7d-8e9f-4a0b-9c1d-2e3f4a5b6c7d',
  hostFingerprint: 'a3f1c9e04b7d2e68f0c1b5a9d3e7f214',
  company: 'Northwind Traders',
  contactName: 'Anna Petrova',
  email: 'anna@northwind.example',
} as const;
