import { describe, expect, it } from 'vitest';
import { Slots } from '../../../src/backends/slots.js';

describe('Slots', () => {
  it('never exceeds capacity and serves waiters first come, first served', async () => {
    const slots = new Slots(2);
    let active = 0;
    let peak = 0;
    const order: number[] = [];
    await Promise.all(
      Array.from({ length: 10 }, async (_, i) => {
        const release = await slots.acquire();
        order.push(i);
        active++;
        peak = Math.max(peak, active);
        await new Promise((r) => setTimeout(r, 1));
        active--;
        release();
      }),
    );
    expect(peak).toBe(2);
    expect(order).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(slots.inUse).toBe(0);
  });

  it('ignores a second release of the same slot', async () => {
    const slots = new Slots(1);
    const r = await slots.acquire();
    r();
    r();
    expect(slots.inUse).toBe(0);
    await slots.acquire();
    expect(slots.inUse).toBe(1);
  });

  it('an aborted waiter leaves the queue without taking a slot', async () => {
    const slots = new Slots(1);
    const held = await slots.acquire();
    const ac = new AbortController();
    const waiting = slots.acquire(ac.signal);
    const next = slots.acquire();
    expect(slots.waiting).toBe(2);
    ac.abort(new Error('stop'));
    await expect(waiting).rejects.toThrow('stop');
    expect(slots.waiting).toBe(1);
    held();
    const r = await next;
    expect(slots.inUse).toBe(1);
    r();
  });

  it('rejects a nonsense capacity', () => {
    expect(() => new Slots(0)).toThrow(/>= 1/);
  });
});
