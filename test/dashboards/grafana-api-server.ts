/**
 * A local HTTP server that answers like Grafana's documented HTTP API for what the publisher uses
 * (folders, POST /api/dashboards/db, alerting provisioning alert-rules) and checks every request
 * against that documentation: auth header, content type, paths, required fields and their types,
 * and the documented error statuses (401, 400, 404, 409, 412). Anything it does not recognise is a
 * violation, recorded for the test to assert on. Grafana itself cannot be installed here.
 *
 * Sources: grafana/grafana docs/sources/developers/http_api/{folder,dashboard,alerting_provisioning}.md.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

/** One request as received. */
export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: unknown;
}

interface StoredDashboard {
  uid: string;
  title: string;
  folderUid: string;
  version: number;
  model: Record<string, unknown>;
  /** Set to simulate a dashboard a plugin provides (412 plugin-dashboard). */
  pluginId?: string;
}

const EXEC_ERR_STATES = ['OK', 'Alerting', 'Error', 'KeepLast'];
const NO_DATA_STATES = ['OK', 'Alerting', 'NoData', 'KeepLast'];
const UID = /^[a-zA-Z0-9_-]{1,40}$/;
const DURATION = /^(\d+(ms|s|m|h|d|w|y))+$/;

/** The fake Grafana: its URL, its state and every request and violation seen. */
export class FakeGrafana {
  readonly requests: RecordedRequest[] = [];
  readonly violations: string[] = [];
  readonly folders = new Map<string, { uid: string; title: string; version: number }>();
  readonly dashboards = new Map<string, StoredDashboard>();
  readonly alertRules = new Map<string, Record<string, unknown>>();
  private server: Server | undefined;
  url = '';

  constructor(readonly token: string) {}

  /** Listens on a free loopback port. */
  async start(): Promise<void> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    const address = this.server.address();
    if (typeof address !== 'object' || address === null) throw new Error('no address');
    this.url = `http://127.0.0.1:${address.port}`;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private violation(res: ServerResponse, status: number, message: string): void {
    this.violations.push(message);
    this.send(res, status, { message });
  }

  private send(res: ServerResponse, status: number, body: unknown): void {
    res.writeHead(status, { 'Content-Type': 'application/json; charset=UTF-8' });
    res.end(body === undefined ? '' : JSON.stringify(body));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString();
    const method = req.method ?? 'GET';
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    let body: unknown = undefined;
    if (raw !== '') {
      try {
        body = JSON.parse(raw);
      } catch {
        return this.violation(res, 400, `${method} ${path}: body is not JSON`);
      }
    }
    this.requests.push({ method, path, headers: req.headers, body });

    // Every documented endpoint answers 401 without a valid token (Authorization: Bearer <token>).
    if (req.headers.authorization !== `Bearer ${this.token}`) {
      return this.send(res, 401, { message: 'Unauthorized' });
    }
    if (
      (method === 'POST' || method === 'PUT') &&
      !String(req.headers['content-type']).startsWith('application/json')
    ) {
      return this.violation(res, 415, `${method} ${path}: Content-Type must be application/json`);
    }

    let match: RegExpExecArray | null;
    if (method === 'GET' && (match = /^\/api\/folders\/([^/]+)$/.exec(path)))
      return this.getFolder(res, decodeURIComponent(match[1]!));
    if (method === 'POST' && path === '/api/folders') return this.createFolder(res, body);
    if (method === 'PUT' && (match = /^\/api\/folders\/([^/]+)$/.exec(path)))
      return this.updateFolder(res, decodeURIComponent(match[1]!), body);
    if (method === 'POST' && path === '/api/dashboards/db') return this.saveDashboard(res, body);
    if (method === 'GET' && (match = /^\/api\/v1\/provisioning\/alert-rules\/([^/]+)$/.exec(path))) {
      const rule = this.alertRules.get(decodeURIComponent(match[1]!));
      return rule ? this.send(res, 200, rule) : this.send(res, 404, { message: 'not found' });
    }
    if (method === 'POST' && path === '/api/v1/provisioning/alert-rules') return this.createRule(res, body);
    if (method === 'PUT' && (match = /^\/api\/v1\/provisioning\/alert-rules\/([^/]+)$/.exec(path))) {
      return this.updateRule(res, decodeURIComponent(match[1]!), body);
    }
    return this.violation(res, 404, `${method} ${path}: not an endpoint of the documented API`);
  }

  private getFolder(res: ServerResponse, uid: string): void {
    const folder = this.folders.get(uid);
    if (!folder) return this.send(res, 404, { message: 'folder not found', status: 'not-found' });
    this.send(res, 200, {
      id: 1,
      uid,
      title: folder.title,
      url: `/dashboards/f/${uid}/`,
      version: folder.version,
    });
  }

  private createFolder(res: ServerResponse, body: unknown): void {
    const b = body as { uid?: unknown; title?: unknown } | undefined;
    if (typeof b?.title !== 'string' || b.title === '')
      return this.violation(res, 400, 'POST /api/folders: title is required');
    if (b.uid !== undefined && (typeof b.uid !== 'string' || !UID.test(b.uid))) {
      return this.violation(res, 400, 'POST /api/folders: uid must be at most 40 characters');
    }
    const uid = (b.uid as string | undefined) ?? `gen${this.folders.size}`;
    if (this.folders.has(uid))
      return this.send(res, 409, { message: 'a folder with the same uid already exists' });
    this.folders.set(uid, { uid, title: b.title, version: 1 });
    this.send(res, 200, {
      id: this.folders.size,
      uid,
      title: b.title,
      url: `/dashboards/f/${uid}/`,
      version: 1,
    });
  }

  private updateFolder(res: ServerResponse, uid: string, body: unknown): void {
    const folder = this.folders.get(uid);
    if (!folder) return this.send(res, 404, { message: 'folder not found' });
    const b = body as { title?: unknown; version?: unknown; overwrite?: unknown } | undefined;
    if (typeof b?.title !== 'string')
      return this.violation(res, 400, 'PUT /api/folders/:uid: title is required');
    if (b.overwrite !== true && b.version !== folder.version) {
      return this.send(res, 412, {
        message: 'the folder has been changed by someone else',
        status: 'version-mismatch',
      });
    }
    folder.title = b.title;
    folder.version += 1;
    this.send(res, 200, { uid, title: folder.title, version: folder.version });
  }

  private saveDashboard(res: ServerResponse, body: unknown): void {
    const b = body as
      | { dashboard?: Record<string, unknown>; folderUid?: unknown; overwrite?: unknown; message?: unknown }
      | undefined;
    const model = b?.dashboard;
    if (typeof model !== 'object' || model === null)
      return this.violation(res, 400, 'POST /api/dashboards/db: dashboard is required');
    if (typeof model.title !== 'string' || model.title === '')
      return this.violation(res, 400, 'dashboard.title is required');
    if (typeof model.uid !== 'string' || !UID.test(model.uid))
      return this.violation(res, 400, 'dashboard.uid must be at most 40 characters');
    if (model.id !== null && model.id !== undefined && typeof model.id !== 'number')
      return this.violation(res, 400, 'dashboard.id must be a number or null');
    if (typeof b?.folderUid !== 'string')
      return this.violation(res, 400, 'folderUid is required to keep the dashboards in their folder');
    if (!this.folders.has(b.folderUid))
      return this.send(res, 400, { message: 'folder not found', status: 'folder-not-found' });
    if (b.overwrite !== undefined && typeof b.overwrite !== 'boolean')
      return this.violation(res, 400, 'overwrite must be a boolean');
    if (!Array.isArray(model.panels)) return this.violation(res, 400, 'dashboard.panels must be an array');
    const uid = model.uid;
    const existing = this.dashboards.get(uid);
    if (existing?.pluginId !== undefined) {
      return this.send(res, 412, {
        message: `The dashboard belongs to plugin ${existing.pluginId}.`,
        status: 'plugin-dashboard',
      });
    }
    const sameTitle = [...this.dashboards.values()].find(
      (d) => d.title === model.title && d.folderUid === b.folderUid && d.uid !== uid,
    );
    if (sameTitle && b.overwrite !== true) {
      return this.send(res, 412, {
        message: 'A dashboard with the same name in the folder already exists',
        status: 'name-exists',
      });
    }
    if (existing && b.overwrite !== true && model.version !== existing.version) {
      return this.send(res, 412, {
        message: 'The dashboard has been changed by someone else',
        status: 'version-mismatch',
      });
    }
    if (sameTitle) this.dashboards.delete(sameTitle.uid);
    const version = (existing?.version ?? 0) + 1;
    this.dashboards.set(uid, { uid, title: model.title, folderUid: b.folderUid, version, model });
    this.send(res, 200, {
      id: this.dashboards.size,
      uid,
      url: `/d/${uid}/${uid}`,
      status: 'success',
      version,
      slug: uid,
    });
  }

  /** Checks a ProvisionedAlertRule body; returns the problem or undefined. */
  private ruleProblem(body: unknown): string | undefined {
    const r = body as Record<string, unknown> | undefined;
    if (typeof r !== 'object' || r === null) return 'body must be a ProvisionedAlertRule object';
    for (const field of [
      'title',
      'condition',
      'folderUID',
      'ruleGroup',
      'for',
      'execErrState',
      'noDataState',
    ]) {
      if (typeof r[field] !== 'string' || r[field] === '') return `${field} is required`;
    }
    if (typeof r.orgID !== 'number') return 'orgID is required';
    if (!EXEC_ERR_STATES.includes(r.execErrState as string))
      return `execErrState ${String(r.execErrState)} is invalid`;
    if (!NO_DATA_STATES.includes(r.noDataState as string))
      return `noDataState ${String(r.noDataState)} is invalid`;
    if (!DURATION.test(r.for as string)) return `for ${String(r.for)} is not a duration`;
    if (r.uid !== undefined && (typeof r.uid !== 'string' || !UID.test(r.uid)))
      return 'uid must be at most 40 characters';
    if (!Array.isArray(r.data) || r.data.length === 0) return 'data must hold at least one query';
    const refIds = new Set<string>();
    for (const query of r.data as Record<string, unknown>[]) {
      if (typeof query.refId !== 'string') return 'every query needs a refId';
      if (typeof query.datasourceUid !== 'string' || query.datasourceUid === '')
        return `query ${query.refId} needs a datasourceUid`;
      if (typeof query.model !== 'object' || query.model === null)
        return `query ${query.refId} needs a model`;
      refIds.add(query.refId);
    }
    if (!refIds.has(r.condition as string))
      return `condition ${String(r.condition)} is not the refId of a query`;
    if (!this.folders.has(r.folderUID as string)) return `folder ${String(r.folderUID)} does not exist`;
    for (const key of ['labels', 'annotations']) {
      const map = r[key];
      if (
        map !== undefined &&
        (typeof map !== 'object' || Object.values(map as object).some((v) => typeof v !== 'string'))
      ) {
        return `${key} must map strings to strings`;
      }
    }
    return undefined;
  }

  private createRule(res: ServerResponse, body: unknown): void {
    const problem = this.ruleProblem(body);
    if (problem) return this.violation(res, 400, `POST /api/v1/provisioning/alert-rules: ${problem}`);
    const rule = body as Record<string, unknown>;
    const uid = (rule.uid as string | undefined) ?? `rule${this.alertRules.size}`;
    if (this.alertRules.has(uid))
      return this.violation(res, 400, `POST alert-rules: uid ${uid} already exists; use PUT`);
    const stored = { ...rule, uid, provenance: 'api' };
    this.alertRules.set(uid, stored);
    this.send(res, 201, stored);
  }

  private updateRule(res: ServerResponse, uid: string, body: unknown): void {
    const problem = this.ruleProblem(body);
    if (problem) return this.violation(res, 400, `PUT /api/v1/provisioning/alert-rules/${uid}: ${problem}`);
    if (!this.alertRules.has(uid)) return this.send(res, 404, { message: 'not found' });
    const stored = { ...(body as Record<string, unknown>), uid, provenance: 'api' };
    this.alertRules.set(uid, stored);
    this.send(res, 200, stored);
  }
}
