// node --import ./test/support/register-ts.mjs some-file.ts
import { register } from 'node:module';

register('./ts-hooks.mjs', import.meta.url);
