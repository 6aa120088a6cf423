import { createMemoryQuotaStore } from '../../src/quota/index.js';
import { ledgerContract } from './ledger-contract.js';

ledgerContract('memory', async () => ({ store: createMemoryQuotaStore(), cleanup: async () => {} }));
