import { LicensingClient } from '@licensing/client';
const client = new LicensingClient({ url: process.env.LICENSING_URL ?? 'http://127.0.0.1:4003', keyCode: process.env.LICENSE_KEY, productCode: 'PBX-CORE' });
const lease = await client.acquire(); // no seat: LicensingError 1051; no license in force: 2008
lease.on('lost', ({ reason }) => { console.error(`license lost: ${reason}`); process.exit(1); });
console.log(`licensed until ${lease.expiresAt.toISOString()}, check ${(await client.check()).requestId}`);
