// Hooks shared by the hands-on panels: the engine's events of some types, whether a card is on
// screen, and a canvas that shows an RGBA image.
import { useEffect, useRef, useState, type RefObject } from 'react';
import type { EngineEvent } from '../../contract/protocol';
import type { EngineListener } from '../engineClient';

export type Listen = (listener: EngineListener) => () => void;

/** Calls `handler` with every engine event of the given types while the component is mounted. */
export function useEngineEvents<T extends EngineEvent['type']>(listen: Listen, types: readonly T[], handler: (event: Extract<EngineEvent, { type: T }>) => void): void {
  const handlerRef = useRef(handler);
  useEffect(() => {
    handlerRef.current = handler;
  }, [handler]);
  const key = types.join(',');
  useEffect(() => {
    const wanted = new Set<string>(key.split(','));
    return listen((event) => {
      if (wanted.has(event.type)) handlerRef.current(event as Extract<EngineEvent, { type: T }>);
    });
  }, [listen, key]);
}

/**
 * Whether the element is on screen or within 200 px of it (IntersectionObserver), so a panel
 * asks the engine for work only while someone can see it. Where the browser cannot tell, true.
 */
export function useOnScreen(ref: RefObject<HTMLElement | null>): boolean {
  const [onScreen, setOnScreen] = useState(() => typeof IntersectionObserver === 'undefined');
  useEffect(() => {
    const el = ref.current;
    if (!el || typeof IntersectionObserver === 'undefined') return;
    const observer = new IntersectionObserver((entries) => setOnScreen(entries.some((e) => e.isIntersecting)), { rootMargin: '200px' });
    observer.observe(el);
    return () => observer.disconnect();
  }, [ref]);
  return onScreen;
}

/** Draws `rgba` (width × height) on the canvas whenever it changes; the canvas takes the image's size. */
export function useCanvasImage(ref: RefObject<HTMLCanvasElement | null>, rgba: Uint8ClampedArray | null, width: number, height: number): void {
  useEffect(() => {
    const canvas = ref.current;
    if (!canvas || !rgba || width <= 0 || height <= 0) return;
    if (canvas.width !== width) canvas.width = width;
    if (canvas.height !== height) canvas.height = height;
    let ctx: CanvasRenderingContext2D | null;
    try {
      ctx = canvas.getContext('2d');
    } catch {
      ctx = null; // no canvas (jsdom)
    }
    if (!ctx) return;
    const image = ctx.createImageData(width, height);
    image.data.set(rgba);
    ctx.putImageData(image, 0, 0);
  }, [ref, rgba, width, height]);
}

/** Grey levels in [0, 1] (or bytes with `scale` 255) as opaque RGBA, ink light on dark like the dataset's images. */
export function greyRgba(values: ArrayLike<number>, scale = 1): Uint8ClampedArray {
  const out = new Uint8ClampedArray(values.length * 4);
  for (let i = 0; i < values.length; i++) {
    const v = Math.round((255 * values[i]) / scale);
    out[4 * i] = v;
    out[4 * i + 1] = v;
    out[4 * i + 2] = v;
    out[4 * i + 3] = 255;
  }
  return out;
}
