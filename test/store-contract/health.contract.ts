import type { OpenStore } from './contract.js';

export function describeHealthContract(_open: OpenStore): void {}
