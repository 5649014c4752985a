import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

const firstPaint = vi.fn(async () => {});
vi.mock('./backend', () => ({ commands: { firstPaint: () => firstPaint() } }));

const { painted, reportFirstPaint } = await import('./firstPaint');

// Animation frames run one at a time, when the test says a frame passed.
let frames: FrameRequestCallback[] = [];
function nextFrame() {
  const due = frames;
  frames = [];
  due.forEach((f) => f(0));
}

describe('reportFirstPaint', () => {
  beforeEach(() => {
    frames = [];
    firstPaint.mockClear();
    vi.stubGlobal('requestAnimationFrame', (f: FrameRequestCallback) => frames.push(f));
    document.body.innerHTML = '';
  });
  afterEach(() => vi.unstubAllGlobals());

  it('reports once, in the frame after the one that drew the element', async () => {
    reportFirstPaint('#form');
    nextFrame();
    nextFrame();
    expect(firstPaint).not.toHaveBeenCalled();
    document.body.innerHTML = '<div id="form"></div>';
    nextFrame(); // this frame paints the form
    expect(firstPaint).not.toHaveBeenCalled();
    nextFrame();
    expect(firstPaint).toHaveBeenCalledTimes(1);
    nextFrame();
    expect(frames).toHaveLength(0);
    // What waits for the first paint goes on now.
    await expect(painted).resolves.toBeUndefined();
  });

  it('stops asking for frames when the element never comes', () => {
    reportFirstPaint('#form', 3);
    for (let i = 0; i < 5; i++) nextFrame();
    expect(frames).toHaveLength(0);
    expect(firstPaint).not.toHaveBeenCalled();
  });
});
