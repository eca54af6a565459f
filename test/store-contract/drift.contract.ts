import type { OpenStore } from './contract.js';

export function describeDriftContract(_open: OpenStore): void {}
