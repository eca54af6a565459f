import type { OpenStore } from './contract.js';

export function describeGpuContract(_open: OpenStore): void {}
