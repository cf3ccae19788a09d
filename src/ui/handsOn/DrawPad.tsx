// A square canvas to draw on with a mouse, a pen or a finger (pointer events; the canvas takes
// touches itself, CSS touch-action: none, so a stroke does not scroll the page). Strokes go on
// a transparent canvas and the drawing is read back as its alpha channel (ink in [0, 1]),
// whatever colour the theme draws them in. The ink is reported at most every INK_INTERVAL_MS
// while a stroke goes on, and once when it ends.
import { useCallback, useRef, type PointerEvent as ReactPointerEvent } from 'react';
import { inkOfRgba } from './digitPreprocess';

/** Pixels of the drawing (the canvas's own size; CSS scales it to the page). */
export const PAD_SIZE = 280;
/** The pen, as a share of the pad: about MNIST's stroke once the digit is scaled to 20 of 28 pixels. */
const PEN_WIDTH = 0.08 * PAD_SIZE;
const INK_INTERVAL_MS = 200;

export interface DrawPadProps {
  /** The drawing's ink (PAD_SIZE × PAD_SIZE, row-major, [0, 1]). */
  onInk: (ink: Float32Array, width: number, height: number) => void;
  onClear: () => void;
}

function context(canvas: HTMLCanvasElement | null): CanvasRenderingContext2D | null {
  try {
    return canvas?.getContext('2d', { willReadFrequently: true }) ?? null;
  } catch {
    return null; // no canvas (jsdom)
  }
}

export function DrawPad({ onInk, onClear }: DrawPadProps) {
  const ref = useRef<HTMLCanvasElement>(null);
  const stroke = useRef<{ id: number; x: number; y: number } | null>(null);
  const lastInk = useRef(-Infinity);

  const report = useCallback(() => {
    const ctx = context(ref.current);
    if (!ctx) return;
    lastInk.current = performance.now();
    onInk(inkOfRgba(ctx.getImageData(0, 0, PAD_SIZE, PAD_SIZE).data, PAD_SIZE, PAD_SIZE), PAD_SIZE, PAD_SIZE);
  }, [onInk]);

  const clear = useCallback(() => {
    context(ref.current)?.clearRect(0, 0, PAD_SIZE, PAD_SIZE);
    stroke.current = null;
  }, []);

  /** The pointer's position in the canvas's own pixels. */
  const at = (e: ReactPointerEvent | PointerEvent): { x: number; y: number } => {
    const box = ref.current!.getBoundingClientRect();
    return { x: ((e.clientX - box.left) / box.width) * PAD_SIZE, y: ((e.clientY - box.top) / box.height) * PAD_SIZE };
  };

  const segment = (ctx: CanvasRenderingContext2D, from: { x: number; y: number }, to: { x: number; y: number }) => {
    ctx.beginPath();
    ctx.moveTo(from.x, from.y);
    ctx.lineTo(to.x, to.y);
    ctx.stroke();
  };

  const onPointerDown = (e: ReactPointerEvent<HTMLCanvasElement>) => {
    if (e.pointerType === 'mouse' && e.button !== 0) return;
    const ctx = context(ref.current);
    if (!ctx) return;
    e.preventDefault();
    ref.current!.setPointerCapture?.(e.pointerId);
    ctx.strokeStyle = getComputedStyle(ref.current!).color || '#000';
    ctx.lineWidth = PEN_WIDTH;
    ctx.lineCap = 'round';
    ctx.lineJoin = 'round';
    const p = at(e);
    segment(ctx, p, p); // a dot for a tap
    stroke.current = { id: e.pointerId, ...p };
  };

  const onPointerMove = (e: ReactPointerEvent<HTMLCanvasElement>) => {
    const s = stroke.current;
    const ctx = context(ref.current);
    if (!s || s.id !== e.pointerId || !ctx) return;
    // Every point the browser sampled since the last event, for a smooth line under a fast pen.
    const points = e.nativeEvent.getCoalescedEvents?.() ?? [];
    let from = { x: s.x, y: s.y };
    for (const pe of points.length ? points : [e.nativeEvent]) {
      const to = at(pe);
      segment(ctx, from, to);
      from = to;
    }
    stroke.current = { id: s.id, ...from };
    if (performance.now() - lastInk.current >= INK_INTERVAL_MS) report();
  };

  const onPointerEnd = (e: ReactPointerEvent<HTMLCanvasElement>) => {
    if (stroke.current?.id !== e.pointerId) return;
    stroke.current = null;
    report();
  };

  return (
    <div className="draw-pad">
      <canvas
        ref={ref}
        width={PAD_SIZE}
        height={PAD_SIZE}
        className="draw-canvas"
        data-testid="draw-canvas"
        role="img"
        aria-label="Drawing area: draw a digit with the mouse, a pen or a finger"
        onPointerDown={onPointerDown}
        onPointerMove={onPointerMove}
        onPointerUp={onPointerEnd}
        onPointerCancel={onPointerEnd}
      />
      <button
        type="button"
        className="draw-clear"
        data-testid="draw-clear"
        onClick={() => {
          clear();
          onClear();
        }}
      >
        Clear
      </button>
    </div>
  );
}
