#!/usr/bin/env node
/** The `factorywatch` executable. */
import { main } from './dispatch.js';

process.exitCode = await main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr });
