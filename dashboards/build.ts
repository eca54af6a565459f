/** `dashboards build`: one JSON file per dashboard, named after its uid. */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buildDashboards } from './catalogue.js';

/** The file a dashboard is written to. */
export function dashboardFileName(uid: string): string {
  return `${uid}.json`;
}

/** Writes every dashboard into `outDir` and returns the paths written. */
export async function writeDashboards(outDir: string): Promise<string[]> {
  await mkdir(outDir, { recursive: true });
  const written: string[] = [];
  for (const dashboard of buildDashboards()) {
    if (dashboard.uid === undefined) throw new Error(`dashboard "${dashboard.title}" has no uid`);
    const path = join(outDir, dashboardFileName(dashboard.uid));
    await writeFile(path, JSON.stringify(dashboard, null, 2) + '\n');
    written.push(path);
  }
  return written;
}
