import type { CanaryEvent, TrafficNumbers, WatchEvent } from './events.js';

/** `12.5%`, `0%`, `0.3%`. */
export function formatRate(r: number): string {
  return `${Math.round(r * 1000) / 10}%`;
}

/** The latency a limit is compared with: nginx's p95, else haproxy's average. */
export const latencyOf = (n: TrafficNumbers) => n.p95Ms ?? n.avgMs;
export const latencyName = (n: TrafficNumbers) => (n.p95Ms !== undefined ? 'p95' : 'average');

/** `error rate 0.0% (3 of 412 requests), p95 4 ms`. */
export function describeNumbers(n: TrafficNumbers): string {
  const latency = latencyOf(n);
  return `error rate ${formatRate(n.errorRate)} (${n.errors} of ${n.requests} requests)${latency !== undefined ? `, ${latencyName(n)} ${latency} ms` : ''}`;
}

/** One line with the window's numbers: the live line, CI lines and the verdict's message. */
export function canaryLine(e: Pick<CanaryEvent, 'share' | 'windowMs' | 'elapsedMs' | 'canary' | 'rest'>): string {
  const at = `${(e.elapsedMs / 1000).toFixed(0)}/${(e.windowMs / 1000).toFixed(0)} s`;
  return `canary at ${formatRate(e.share)} of the requests, ${at}: canary ${describeNumbers(e.canary)}; the rest ${describeNumbers(e.rest)}`;
}

/** `watch 42/300 s: error rate 0% (0 of 460 requests), p95 9 ms; web1, web2 healthy`. */
export function watchLine(e: Pick<WatchEvent, 'hosts' | 'windowMs' | 'elapsedMs' | 'fleet' | 'unhealthy' | 'limits'>): string {
  const at = `${(e.elapsedMs / 1000).toFixed(0)}/${(e.windowMs / 1000).toFixed(0)} s`;
  const health = !e.limits.health
    ? ''
    : e.unhealthy.length > 0
      ? `; unhealthy: ${e.unhealthy.join(', ')}`
      : `; ${e.hosts.join(', ')} healthy`;
  return `watch ${at}: the fleet's ${describeNumbers(e.fleet)}${health}`;
}
