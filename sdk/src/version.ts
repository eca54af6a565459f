/** The SDK's version, reported as the OpenTelemetry meter version (a test keeps it equal to package.json). */
export const SDK_VERSION = '0.1.0';
