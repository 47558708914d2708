/**
 * CPU time used while a scenario runs, per process group: Parley's processes, the PostgreSQL server (when it runs
 * on this machine) and this process (the load generator and the SMTP sink). On a shared 2-core machine latency
 * depends on everyone else's load; CPU time per request does not, and it bounds the throughput:
 * requests/s ≤ cores × 1000 / (CPU ms per request).
 */
import { readdirSync, readFileSync } from 'node:fs';

const ticksPerSecond = 100; // Linux USER_HZ

/** utime + stime (and, with children, cutime + cstime) of a process, in ms; 0 when it has gone. */
function processCpuMs(pid: number, withChildren = false): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may contain spaces) start at the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields[0] is field 3 (state): utime is field 14, stime 15, cutime 16, cstime 17.
    const value = (field: number) => Number(fields[field - 3] ?? 0);
    const own = value(14) + value(15);
    return ((withChildren ? own + value(16) + value(17) : own) * 1000) / ticksPerSecond;
  } catch {
    return 0;
  }
}

function parentOf(pid: number): number | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(/PPid:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN);
  } catch {
    return null;
  }
}

/** The PostgreSQL server's CPU: the postmaster with its finished children, plus its running backends. */
function postgresCpuMs(postmaster: number): number {
  let total = processCpuMs(postmaster, true);
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if (parentOf(pid) === postmaster) total += processCpuMs(pid);
  }
  return total;
}

export interface CpuSample {
  parley: number;
  postgres: number | null;
  generator: number;
}

export interface CpuMeter {
  sample(parleyPids: number[]): CpuSample;
}

/** `backendPid` is a connection's pg_backend_pid(): its parent is the postmaster, if the server runs here. */
export function cpuMeter(backendPid: number | null): CpuMeter {
  const postmaster = backendPid !== null ? parentOf(backendPid) : null;
  return {
    sample(parleyPids) {
      const usage = process.cpuUsage();
      return {
        parley: parleyPids.reduce((sum, pid) => sum + processCpuMs(pid), 0),
        postgres: postmaster ? postgresCpuMs(postmaster) : null,
        generator: (usage.user + usage.system) / 1000,
      };
    },
  };
}

/** CPU ms per unit of work between two samples. */
export function cpuPer(before: CpuSample, after: CpuSample, units: number): CpuSample {
  const per = (a: number, b: number) => (b - a) / Math.max(units, 1);
  return {
    parley: per(before.parley, after.parley),
    postgres: before.postgres !== null && after.postgres !== null ? per(before.postgres, after.postgres) : null,
    generator: per(before.generator, after.generator),
  };
}
