/**
 * Who may change an organisation's colleagues. Pure. An organisation keeps at least one administrator: the last
 * one can neither remove themselves nor stop being an administrator.
 */
import type { StaffRole } from '../platform/database-schema.ts';

export type { StaffRole };

export type ColleagueChange = { kind: 'remove' } | { kind: 'set-role'; role: StaffRole };

export type ColleagueDecision = { allowed: true } | { allowed: false; reason: string };

export function decideColleagueChange(
  actor: { role: StaffRole | null },
  target: { role: StaffRole; isActor: boolean },
  administrators: number,
  change: ColleagueChange,
): ColleagueDecision {
  if (actor.role !== 'admin') return { allowed: false, reason: 'Only an administrator can change colleagues.' };
  const losesAdmin = target.role === 'admin' && (change.kind === 'remove' || change.role !== 'admin');
  if (losesAdmin && administrators <= 1) {
    return {
      allowed: false,
      reason: target.isActor
        ? 'You are the only administrator. Make someone else an administrator first.'
        : 'An organisation needs at least one administrator.',
    };
  }
  return { allowed: true };
}

export const roleLabels: Record<StaffRole, string> = { admin: 'Administrator', member: 'Member' };

export function isStaffRole(value: unknown): value is StaffRole {
  return value === 'admin' || value === 'member';
}
