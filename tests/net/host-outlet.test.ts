// The cell that lets a guest's worker write to a host socket's fd itself: who may write when,
// and that the engine never closes the fd under a guest's write.
import { describe, expect, it } from 'vitest';
import { HostOutlet } from '../../shims/net/host-outlet.ts';

/** The guest's and the engine's views of one cell, as on two threads. */
function pair(): { guest: HostOutlet; engine: HostOutlet } {
  const engine = new HostOutlet();
  return { guest: new HostOutlet(engine.buffer), engine };
}

describe('HostOutlet', () => {
  it('lets the guest write while the engine holds nothing, one write at a time', () => {
    const { guest } = pair();
    expect(guest.begin()).toBe(true);
    expect(guest.begin()).toBe(false); // inside a write
    expect(guest.end(false)).toBe(false);
    expect(guest.begin()).toBe(true);
    expect(guest.end(false)).toBe(false);
  });

  it('keeps the guest on the ring while the engine holds bytes, until it releases', () => {
    const { guest, engine } = pair();
    engine.claim();
    expect(engine.engineHolds).toBe(true);
    expect(guest.begin()).toBe(false);
    engine.release();
    expect(engine.engineHolds).toBe(false);
    expect(guest.begin()).toBe(true);
    // The engine cannot claim during a guest's write (it never has ring bytes then).
    engine.claim();
    expect(engine.engineHolds).toBe(false);
    expect(guest.end(false)).toBe(false);
  });

  it('hands over to the engine when the socket was full', () => {
    const { guest, engine } = pair();
    expect(guest.begin()).toBe(true);
    expect(guest.end(true)).toBe(false);
    expect(engine.engineHolds).toBe(true);
    expect(guest.begin()).toBe(false);
    engine.release();
    expect(guest.begin()).toBe(true);
  });

  it('closes at once when no write is under way, and no write starts after', () => {
    const { guest, engine } = pair();
    expect(engine.close()).toBe(true);
    expect(guest.begin()).toBe(false);
    engine.release();
    expect(guest.begin()).toBe(false);

    const held = pair();
    held.engine.claim();
    expect(held.engine.close()).toBe(true);
    expect(held.guest.begin()).toBe(false);
  });

  it('waits for a write under way: the guest learns it must ring, then the fd may close', () => {
    const { guest, engine } = pair();
    expect(guest.begin()).toBe(true);
    expect(engine.close()).toBe(false);
    expect(engine.closable).toBe(false);
    expect(engine.close()).toBe(false); // asking again changes nothing
    expect(guest.end(false)).toBe(true);
    expect(engine.closable).toBe(true);
    expect(guest.begin()).toBe(false);
  });

  it('forceClose (the guest thread is gone) ends a write that never finished', () => {
    const { guest, engine } = pair();
    expect(guest.begin()).toBe(true);
    engine.forceClose();
    expect(engine.closable).toBe(true);
    expect(engine.close()).toBe(true);
  });
});
