import type { OpenStore } from './contract.js';

export function describeAuditContract(_open: OpenStore): void {}
