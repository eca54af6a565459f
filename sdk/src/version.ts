/**
 * The SDK's version, reported as the OpenTelemetry meter version (a test keeps it equal to package.json).
 *
 * @example
 * ```ts
 * console.log(`@factorywatch/sdk ${SDK_VERSION}`);
 * ```
 */
export const SDK_VERSION = '0.1.0';
