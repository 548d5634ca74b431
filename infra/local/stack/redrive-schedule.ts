/**
 * The local stack's period of the scheduled dead-letter redrive: serverless.yml's
 * `params.default.redriveSchedule` (`rate(N minute|minutes|hour|hours|day|days)`), unless
 * APINETLET_REDRIVE_INTERVAL (seconds) overrides it.
 */
const UNIT_SECONDS: Record<string, number> = { minute: 60, minutes: 60, hour: 3600, hours: 3600, day: 86_400, days: 86_400 };

export function redriveIntervalSeconds(serverlessYml: string, override?: string): number {
  if (override !== undefined && override.trim() !== '') {
    const n = Number(override);
    if (!Number.isInteger(n) || n < 1) throw new Error(`APINETLET_REDRIVE_INTERVAL must be a whole number of seconds ≥ 1 (got ${JSON.stringify(override)})`);
    return n;
  }
  const m = /^\s*redriveSchedule:\s*['"]?rate\((\d+)\s+(\w+)\)/m.exec(serverlessYml);
  if (!m) throw new Error('serverless.yml: params.default.redriveSchedule must be rate(N minutes|hours|days)');
  const unit = UNIT_SECONDS[m[2]!];
  if (!unit) throw new Error(`serverless.yml: redriveSchedule unit ${m[2]} is not minute(s), hour(s) or day(s)`);
  return Number(m[1]) * unit;
}
