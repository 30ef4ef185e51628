import { describe, expect, test } from 'vitest';
import {
  type ContainerStatus,
  canKill,
  canPause,
  canRemove,
  canStart,
  canStop,
  canUnpause,
} from '../../runtime/containers/container-status.ts';
import { initialState, withStatus } from '../../runtime/containers/container-record.ts';

const all: ContainerStatus[] = ['created', 'running', 'paused', 'restarting', 'removing', 'exited', 'dead'];
const which = (guard: (s: ContainerStatus) => boolean) => all.filter(guard);

describe('container status guards', () => {
  test('start only from created or exited', () => expect(which(canStart)).toEqual(['created', 'exited']));
  test('kill and stop only while running or paused', () => {
    expect(which(canKill)).toEqual(['running', 'paused']);
    expect(which(canStop)).toEqual(['running', 'paused', 'restarting']); // stopping cancels a restart
  });
  test('pause/unpause', () => {
    expect(which(canPause)).toEqual(['running']);
    expect(which(canUnpause)).toEqual(['paused']);
  });
  test('remove: running needs force; removing never', () => {
    expect(which((s) => canRemove(s, false))).toEqual(
      ['created', 'removing', 'exited', 'dead'].filter((s) => s !== 'removing'),
    );
    expect(which((s) => canRemove(s, true))).toEqual(all.filter((s) => s !== 'removing'));
  });
  test('withStatus derives Docker booleans', () => {
    const paused = withStatus(initialState(), 'paused');
    expect([paused.Running, paused.Paused, paused.Dead]).toEqual([true, true, false]);
    const exited = withStatus(paused, 'exited');
    expect([exited.Running, exited.Paused]).toEqual([false, false]);
  });
});
