/**
 * Publishes the generated dashboards and Grafana-managed alert rules into one folder, idempotently:
 * the folder is created when missing, dashboards are saved with `overwrite`, alert rules are
 * created (POST) or updated (PUT) by their stable uid through the alerting provisioning API.
 */
import type * as alerting from '@grafana/grafana-foundation-sdk/alerting';
import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { GrafanaApiError, type GrafanaClient } from './grafana-client.js';

/** What to publish where. */
export interface PublishRequest {
  readonly folderUid: string;
  readonly folderTitle: string;
  readonly dashboards: readonly dashboard.Dashboard[];
  readonly alertRules: readonly alerting.Rule[];
  /** false: never replace a dashboard that already exists in Grafana; Grafana answers 412 instead. */
  readonly overwrite: boolean;
}

/** What publishing did, for the CLI to print. */
export interface PublishReport {
  readonly folder: 'created' | 'existed';
  readonly dashboards: { uid: string; url: string; version: number }[];
  readonly alertRules: { uid: string; action: 'created' | 'updated' }[];
}

/** Turns Grafana's 412 statuses into what the user should do about them. */
function conflictMessage(uid: string, error: GrafanaApiError): string {
  const advice: Record<string, string> = {
    'version-mismatch':
      'it already exists in Grafana (and may have been changed there); re-run without --fail-on-conflict to replace it',
    'name-exists':
      'another dashboard with the same title (or uid) already exists in that folder; rename or delete it, or re-run without --fail-on-conflict',
    'plugin-dashboard':
      'the uid belongs to a dashboard a plugin provides; remove the plugin dashboard or publish into another Grafana',
  };
  const what = advice[error.grafanaStatus ?? ''] ?? error.grafanaMessage;
  return `Grafana refused dashboard ${uid} (412 ${error.grafanaStatus ?? 'precondition failed'}): ${what}`;
}

async function ensureFolder(
  client: GrafanaClient,
  uid: string,
  title: string,
): Promise<'created' | 'existed'> {
  const found = await client.request<{ uid: string; title: string }>(
    'GET',
    `/api/folders/${encodeURIComponent(uid)}`,
    undefined,
    [404],
  );
  if (found.status === 200) {
    if (found.body.title !== title) {
      await client.request('PUT', `/api/folders/${encodeURIComponent(uid)}`, { title, overwrite: true });
    }
    return 'existed';
  }
  // 409: another publisher created it between our GET and POST; that is what we wanted.
  const created = await client.request('POST', '/api/folders', { uid, title }, [409]);
  return created.status === 409 ? 'existed' : 'created';
}

async function saveDashboard(
  client: GrafanaClient,
  folderUid: string,
  model: dashboard.Dashboard,
  overwrite: boolean,
): Promise<{ uid: string; url: string; version: number }> {
  const uid = model.uid ?? '(no uid)';
  try {
    const saved = await client.request<{ uid: string; url: string; version: number }>(
      'POST',
      '/api/dashboards/db',
      {
        // id null: Grafana matches on the uid, so the same JSON works in every Grafana.
        dashboard: { ...model, id: null },
        folderUid,
        overwrite,
        message: 'Published by factorywatch dashboards publish',
      },
    );
    return { uid: saved.body.uid, url: saved.body.url, version: saved.body.version };
  } catch (error) {
    if (error instanceof GrafanaApiError && error.status === 412)
      throw new Error(conflictMessage(uid, error));
    throw error;
  }
}

async function upsertAlertRule(client: GrafanaClient, rule: alerting.Rule): Promise<'created' | 'updated'> {
  if (rule.uid === undefined) throw new Error(`alert rule "${rule.title}" has no uid`);
  const path = `/api/v1/provisioning/alert-rules/${encodeURIComponent(rule.uid)}`;
  const existing = await client.request('GET', path, undefined, [404]);
  if (existing.status === 404) {
    await client.request('POST', '/api/v1/provisioning/alert-rules', rule);
    return 'created';
  }
  await client.request('PUT', path, rule);
  return 'updated';
}

/** Publishes everything in `request`; throws on the first failure with a message naming the object. */
export async function publishToGrafana(
  client: GrafanaClient,
  request: PublishRequest,
): Promise<PublishReport> {
  const folder = await ensureFolder(client, request.folderUid, request.folderTitle);
  const dashboards = [];
  for (const model of request.dashboards)
    dashboards.push(await saveDashboard(client, request.folderUid, model, request.overwrite));
  const alertRules = [];
  for (const rule of request.alertRules) {
    alertRules.push({
      uid: rule.uid ?? '',
      action: await upsertAlertRule(client, { ...rule, folderUID: request.folderUid }),
    });
  }
  return { folder, dashboards, alertRules };
}
