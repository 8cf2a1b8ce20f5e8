import { describe, expect, it } from 'vitest';
import { nextStockholmTime } from '../../server/reminder-clock.ts';

// KK_REMINDER_AT is Stockholm's wall clock: 07:00 is 06:00 UTC in winter, 05:00 UTC in summer.
describe('nextStockholmTime', () => {
  const next = (at: string, now: string) => nextStockholmTime(at, new Date(now)).toISOString();
  it('later today, else tomorrow, strictly after now', () => {
    expect(next('07:00', '2025-03-10T05:00:00Z')).toBe('2025-03-10T06:00:00.000Z');
    expect(next('07:00', '2025-03-10T06:00:00Z')).toBe('2025-03-11T06:00:00.000Z');
    expect(next('07:00', '2025-06-10T04:59:00Z')).toBe('2025-06-10T05:00:00.000Z');
  });
  it('across the change to summer time (2025-03-30) and back (2025-10-26)', () => {
    expect(next('07:00', '2025-03-29T07:00:00Z')).toBe('2025-03-30T05:00:00.000Z');
    expect(next('07:00', '2025-10-25T07:00:00Z')).toBe('2025-10-26T06:00:00.000Z');
  });
  it('late in the evening UTC is already tomorrow in Stockholm', () => {
    expect(next('00:30', '2025-01-14T23:10:00Z')).toBe('2025-01-14T23:30:00.000Z');
  });
});

describe('the reminder settings', () => {
  it('defaults to 07:00 with no mail, and refuses what it cannot use', async () => {
    const { readConfig } = await import('../../server/config.ts');
    expect(readConfig({ KK_AUTH: 'dev' })).toMatchObject({ smtpUrl: null, reminderAt: '07:00' });
    expect(readConfig({ KK_AUTH: 'dev', KK_SMTP_URL: 'smtps://u:p@mail.example.se:465', KK_REMINDER_AT: '06:30' })).toMatchObject({ smtpUrl: 'smtps://u:p@mail.example.se:465', reminderAt: '06:30' });
    expect(() => readConfig({ KK_AUTH: 'dev', KK_REMINDER_AT: '7' })).toThrow(/KK_REMINDER_AT/);
    expect(() => readConfig({ KK_AUTH: 'dev', KK_SMTP_URL: 'mail.example.se' })).toThrow(/KK_SMTP_URL/);
  });
});
