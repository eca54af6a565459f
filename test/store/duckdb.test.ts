import { join } from 'node:path';
import { describe } from 'vitest';
import { openDuckDbStore } from '../../collector/store/duckdb/index.js';
import { describeStoreContract } from '../store-contract/contract.js';
import { scratchDir } from '../helpers/tmp.js';

describe('DuckDB store', () => {
  describeStoreContract(() => openDuckDbStore(join(scratchDir(), 'store.duckdb')));
});
