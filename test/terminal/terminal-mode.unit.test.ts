import { describe, expect, test } from '@jest/globals';
import { colorWanted, progressMode, runsInCi } from '../../src/terminal/terminal-mode.js';

const tty = { stdoutIsTTY: true, stderrIsTTY: true, env: { TERM: 'xterm-256color' } };

describe('how long work is shown', () => {
  test('when both streams are a terminal, then the display is redrawn live', () => {
    expect(progressMode(tty)).toBe('live');
  });

  test('when either stream is a pipe or a file, or JSON is asked for, then nothing changes: JSON log lines', () => {
    expect(progressMode({ ...tty, stdoutIsTTY: false })).toBe('off');
    expect(progressMode({ ...tty, stderrIsTTY: false })).toBe('off');
    expect(progressMode({ ...tty, json: true })).toBe('off');
  });

  test('when CI is set, the terminal is dumb or --no-progress is given, then a line per list instead of a redraw', () => {
    expect(progressMode({ ...tty, env: { CI: 'true' } })).toBe('lines');
    expect(progressMode({ ...tty, env: { TERM: 'dumb' } })).toBe('lines');
    expect(progressMode({ ...tty, progress: false })).toBe('lines');
  });

  test('when CI is set to false or 0, then it is not a CI', () => {
    expect(runsInCi({ CI: 'false' })).toBe(false);
    expect(runsInCi({ CI: '0' })).toBe(false);
    expect(runsInCi({ CI: '1' })).toBe(true);
    expect(runsInCi({})).toBe(false);
  });

  test('when NO_COLOR is set to anything but empty, then no colour', () => {
    expect(colorWanted({ NO_COLOR: '1' }, true)).toBe(false);
    expect(colorWanted({ NO_COLOR: '' }, true)).toBe(true);
    expect(colorWanted({}, false)).toBe(false);
  });
});
