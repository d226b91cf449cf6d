/**
 * Liveness apart from readiness. `/health` is readiness: whether the replica can do its work now, its dependencies
 * answering (the broker, ClickHouse, the read model); the gateway routes on it, and it fails during a dependency's
 * outage. `/live` is liveness: whether the process itself works (it answers, and no client of it has failed for good),
 * whatever its dependencies do. Docker's healthcheck asks `/live`, so Swarm and compose restart a process only when a
 * restart can heal it, never every replica at once, again and again, through a ClickHouse or broker outage
 * (deployment/src/checks/service-checks.ts `livenessProblems` keeps both files and the image on it).
 */
export const LIVENESS_PATH = '/live';

/** What `/live` answers: 200 unless the process has failed for good (then 503 until it exits and is restarted). */
export function livenessAnswer(failed = false): { status: 200 | 503; body: { status: 'live' | 'failed' } } {
  return failed ? { status: 503, body: { status: 'failed' } } : { status: 200, body: { status: 'live' } };
}
