// A seconds countdown for capturing the pointer: the operator moves the pointer over the
// agent's input box while it runs.

import { useEffect, useRef, useState } from "preact/hooks";

/** Seconds the operator gets to move the pointer over the input box. */
export const CAPTURE_SECONDS = 3;

export function useCountdown() {
  const [left, setLeft] = useState(0);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const cancel = () => {
    if (timer.current) clearTimeout(timer.current);
    timer.current = null;
    setLeft(0);
  };
  useEffect(() => cancel, []);
  const start = (seconds: number, done: () => void) => {
    cancel();
    const tick = (n: number) => {
      setLeft(n);
      if (n === 0) {
        timer.current = null;
        done();
        return;
      }
      timer.current = setTimeout(() => tick(n - 1), 1000);
    };
    tick(seconds);
  };
  return { left, running: left > 0, start, cancel };
}
