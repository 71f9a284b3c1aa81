import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ASYNCAPI_PATH, renderAsyncApiDocument } from '@licensing/events';

const root = process.cwd();
writeFileSync(join(root, ASYNCAPI_PATH), renderAsyncApiDocument());
console.log(`wrote ${ASYNCAPI_PATH}`);
