/**
 * Optional flush on process exit (`flushOnExit: true`). On SIGTERM or SIGINT the monitor shuts
 * down (bounded by its shutdown timeout) and then, if no other handler claims the signal, the
 * signal is raised again so the process ends exactly as it would have without the SDK. When the
 * event loop runs dry ('beforeExit'), queued records are delivered before the process exits.
 */

const SIGNALS = ['SIGTERM', 'SIGINT'] as const;

/**
 * Installs the hooks; returns the function that removes them.
 *
 * @example
 * ```ts
 * const remove = installExitHooks(() => monitor.shutdown());
 * // later, when the monitor shuts down by itself:
 * remove();
 * ```
 */
export function installExitHooks(shutdown: () => Promise<unknown>): () => void {
  let removed = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    remove();
    void shutdown().finally(() => {
      // Re-raise only if nobody else handles this signal, so the host's own handler keeps control.
      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
    });
  };
  const onBeforeExit = (): void => {
    remove();
    void shutdown();
  };
  for (const signal of SIGNALS) process.on(signal, onSignal);
  process.on('beforeExit', onBeforeExit);
  function remove(): void {
    if (removed) return;
    removed = true;
    for (const signal of SIGNALS) process.removeListener(signal, onSignal);
    process.removeListener('beforeExit', onBeforeExit);
  }
  return remove;
}
