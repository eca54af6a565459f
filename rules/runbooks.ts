/** Where each alert's runbook lives: docs/runbooks/<AlertName>.md, published under a base URL. */

/** The runbooks as browsable pages of the repository; override with --runbook-base-url. */
export const DEFAULT_RUNBOOK_BASE_URL =
  'https://github.com/factorywatch/factorywatch/blob/main/docs/runbooks';

/** The repository path of an alert's runbook page, relative to the repository root. */
export function runbookPath(alertName: string): string {
  return `docs/runbooks/${alertName}.md`;
}

/** The `runbook_url` annotation of an alert. */
export function runbookUrl(alertName: string, baseUrl: string = DEFAULT_RUNBOOK_BASE_URL): string {
  return `${baseUrl.replace(/\/+$/, '')}/${alertName}.md`;
}
